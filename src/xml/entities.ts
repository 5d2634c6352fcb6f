import { DavgateError } from '../model/errors';

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([A-Za-z_][A-Za-z0-9._-]*))?;?/g;

/**
 * The entity decoder handed to fast-xml-parser: XML's five predefined entities and
 * character references, decoded exactly once, nothing else. With no DTD accepted there are
 * no other entities, so an unknown name is an error, not text passed through; so is a
 * reference to a character XML does not allow (`&#0;`) and a bare `&`.
 */
export const xmlEntityDecoder = {
  decode(text: string): string {
    if (text.indexOf('&') === -1) return text;
    return text.replace(REFERENCE, decodeReference);
  },
  reset(): void {},
  setXmlVersion(): void {},
  addInputEntities(): void {},
  setExternalEntities(): void {},
};

function decodeReference(whole: string, decimal?: string, hex?: string, name?: string): string {
  if (!whole.endsWith(';') || whole === '&;') {
    throw new DavgateError('XML_MALFORMED', `"&" must start an entity or character reference (near "${whole}")`);
  }
  if (name !== undefined) {
    if (!Object.hasOwn(PREDEFINED, name)) throw new DavgateError('XML_UNDEFINED_ENTITY', `&${name};`);
    return PREDEFINED[name] as string;
  }
  const code = decimal !== undefined ? Number(decimal) : parseInt(hex ?? '', 16);
  if (!isXmlChar(code)) throw new DavgateError('XML_INVALID_CHAR', `character reference ${whole}`);
  return String.fromCodePoint(code);
}

/** XML 1.0 §2.2 Char. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
