import { DavgateError } from '../model/errors';

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/**
 * The entity decoder handed to fast-xml-parser: XML's five predefined entities and
 * character references, decoded exactly once, nothing else. With no DTD accepted there are
 * no other entities, so an unknown name is an error, not text passed through; so is a
 * reference to a character XML does not allow (`&#0;`) and a bare `&`.
 */
export const xmlEntityDecoder = {
  decode(text: string): string {
    let amp = text.indexOf('&');
    if (amp === -1) return text;
    let out = '';
    let from = 0;
    while (amp !== -1) {
      const semi = text.indexOf(';', amp + 1);
      if (semi === -1 || semi - amp > 12) {
        throw new DavgateError('XML_MALFORMED', `"&" must start an entity or character reference (near "${text.slice(amp, amp + 12)}")`);
      }
      out += text.slice(from, amp) + decodeReference(text.slice(amp + 1, semi));
      from = semi + 1;
      amp = text.indexOf('&', from);
    }
    return out + text.slice(from);
  },
  reset(): void {},
  setXmlVersion(): void {},
  addInputEntities(): void {},
  setExternalEntities(): void {},
};

function decodeReference(ref: string): string {
  if (ref.charCodeAt(0) === 35 /* # */) {
    const hex = ref.charCodeAt(1) === 120 /* x */;
    const digits = ref.slice(hex ? 2 : 1);
    if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) throw new DavgateError('XML_MALFORMED', `bad character reference &${ref};`);
    const code = parseInt(digits, hex ? 16 : 10);
    if (!isXmlChar(code)) throw new DavgateError('XML_INVALID_CHAR', `character reference &${ref};`);
    return String.fromCodePoint(code);
  }
  if (Object.hasOwn(PREDEFINED, ref)) return PREDEFINED[ref] as string;
  if (NAME.test(ref)) throw new DavgateError('XML_UNDEFINED_ENTITY', `&${ref};`);
  throw new DavgateError('XML_MALFORMED', `"&" must start an entity or character reference (near "&${ref};")`);
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
