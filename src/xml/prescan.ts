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
 * them with raw CRs: davgate keeps them byte for byte. CRs inside tags are left to the
 * parser. The scan only runs when the body holds a CR at all.
 */
export function protectCarriageReturns(xml: string): string {
  let cr = xml.indexOf('\r');
  if (cr === -1) return xml;
  const parts: string[] = [];
  let from = 0;
  for (; cr !== -1; cr = xml.indexOf('\r', cr + 1)) {
    if (!inCharacterData(xml, cr)) continue;
    parts.push(xml.slice(from, cr), CR_MARK);
    from = cr + 1;
  }
  parts.push(xml.slice(from));
  return parts.join('');
}

function inCharacterData(xml: string, at: number): boolean {
  const cdataOpen = xml.lastIndexOf('<![CDATA[', at);
  if (cdataOpen !== -1 && xml.lastIndexOf(']]>', at) < cdataOpen) return true;
  return xml.lastIndexOf('>', at) > xml.lastIndexOf('<', at);
}
