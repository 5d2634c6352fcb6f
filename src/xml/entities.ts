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
    const parts: string[] = [];
    let from = 0;
    while (amp !== -1) {
      const semi = text.indexOf(';', amp + 1);
      if (semi === -1 || semi - amp > 12) {
        throw new DavgateError('XML_MALFORMED', `"&" must start an entity or character reference (near "${text.slice(amp, amp + 12)}")`);
      }
      parts.push(text.slice(from, amp), commonReference(text, amp, semi) ?? decodeReference(text.slice(amp + 1, semi)));
      from = semi + 1;
      amp = text.indexOf('&', from);
    }
    parts.push(text.slice(from));
    return parts.join('');
  },
  reset(): void {},
  setXmlVersion(): void {},
  addInputEntities(): void {},
  setExternalEntities(): void {},
};

/**
 * The references that fill escaped calendar data (`&#13;` on every line, `&amp;`, `&lt;`,
 * `&gt;`), recognised without cutting the name out of the text: this runs for every one.
 */
function commonReference(text: string, amp: number, semi: number): string | undefined {
  const c1 = text.charCodeAt(amp + 1);
  switch (semi - amp) {
    case 3:
      if (text.charCodeAt(amp + 2) !== 116 /* t */) return undefined;
      return c1 === 108 /* l */ ? '<' : c1 === 103 /* g */ ? '>' : undefined;
    case 4:
      if (c1 === 35 /* # */ && text.charCodeAt(amp + 2) === 49 /* 1 */ && text.charCodeAt(amp + 3) === 51 /* 3 */) return '\r';
      if (c1 === 97 /* a */ && text.startsWith('mp', amp + 2)) return '&';
      return undefined;
    default:
      return undefined;
  }
}

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
