import { DavgateError, positionAt } from '../model/errors';
import { findNonXmlChar } from './chars';

/**
 * Checks that run over the raw text before the parser sees it, each a single linear scan.
 * WebDAV never needs a DTD, so any `<!` markup other than a comment or CDATA section (a
 * DOCTYPE, an ENTITY declaration — billion laughs, external entities) is refused outright;
 * fast-xml-parser's validator accepts both anywhere.
 */
export function rejectDeclarations(xml: string): void {
  for (let i = xml.indexOf('<!'); i !== -1; i = xml.indexOf('<!', i)) {
    let end: number;
    if (xml.startsWith('<![CDATA[', i)) end = xml.indexOf(']]>', i + 9);
    else if (xml.startsWith('<!--', i)) end = xml.indexOf('-->', i + 4);
    else throw new DavgateError('XML_DOCTYPE_FORBIDDEN', undefined, positionAt(xml, i));
    if (end === -1) return; // unterminated: the validator reports it with its position
    i = end + 3;
  }
}

/** Refuses characters XML 1.0 cannot carry, raw in the text (references are checked on decoding). */
export function rejectInvalidChars(xml: string): void {
  const bad = findNonXmlChar(xml);
  if (bad !== undefined) throw new DavgateError('XML_INVALID_CHAR', bad.char, bad.index < 0 ? undefined : positionAt(xml, bad.index));
}

/**
 * Stands in for a carriage return inside character data while the parser runs. U+FFFF is
 * not an XML character, so it cannot occur in an accepted document (rejectInvalidChars runs
 * first).
 */
export const CR_MARK = '\uFFFF';

/**
 * Keeps the carriage returns of character data and CDATA sections. fast-xml-parser applies
 * XML 1.0 §2.11 end-of-line normalisation to the whole document, but calendar and address
 * data are CRLF formats (RFC 5545 §3.1, RFC 6350 §3.2) and servers such as Radicale write
 * them with raw CRs: davgate keeps them byte for byte. CRs inside markup are left to the
 * parser. One forward pass over the markup, and only when the body holds a CR at all.
 */
export function protectCarriageReturns(xml: string): string {
  if (xml.indexOf('\r') === -1) return xml;
  const parts: string[] = [];
  let from = 0; // start of what is not yet copied to parts
  const keep = (start: number, end: number) => {
    const cr = xml.indexOf('\r', start);
    if (cr === -1 || cr >= end) return;
    parts.push(xml.slice(from, start), xml.slice(start, end).replaceAll('\r', CR_MARK));
    from = end;
  };
  let pos = 0;
  let depth = 0; // outside the root element, white space is not character data
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const textEnd = lt === -1 ? xml.length : lt;
    if (depth > 0) keep(pos, textEnd);
    if (lt === -1) break;
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = endOf(xml, ']]>', lt + 9);
      keep(lt + 9, end);
      pos = end + 3;
    } else if (xml.startsWith('<!--', lt)) pos = endOf(xml, '-->', lt + 4) + 3;
    else if (xml.startsWith('<?', lt)) pos = endOf(xml, '?>', lt + 2) + 2;
    else {
      const gt = endOfTag(xml, lt + 1);
      if (xml.charCodeAt(lt + 1) === 47 /* / */) depth--;
      else if (xml.charCodeAt(gt - 1) !== 47) depth++;
      pos = gt + 1;
    }
  }
  parts.push(xml.slice(from));
  return parts.join('');
}

/** Where `marker` starts, or the end of the text when it is missing (the validator reports that). */
function endOf(xml: string, marker: string, from: number): number {
  const at = xml.indexOf(marker, from);
  return at === -1 ? xml.length : at;
}

const TAG_SPECIAL = /["'>]/g;

/** The `>` that closes a tag, skipping quoted attribute values, which may contain `>`. */
function endOfTag(xml: string, from: number): number {
  TAG_SPECIAL.lastIndex = from;
  for (let m = TAG_SPECIAL.exec(xml); m !== null; m = TAG_SPECIAL.exec(xml)) {
    if (m[0] === '>') return m.index;
    const close = xml.indexOf(m[0], m.index + 1);
    if (close === -1) return xml.length;
    TAG_SPECIAL.lastIndex = close + 1;
  }
  return xml.length;
}
