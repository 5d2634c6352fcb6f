import { DavgateError, positionAt } from '../model/errors';
import { findNonXmlChar } from './chars';

/** Refuses characters XML 1.0 cannot carry, raw in the text (references are checked on decoding). */
export function rejectInvalidChars(xml: string): void {
  const bad = findNonXmlChar(xml);
  if (bad !== undefined) throw new DavgateError('XML_INVALID_CHAR', bad.char, bad.index < 0 ? undefined : positionAt(xml, bad.index));
}

/**
 * Characters that may stand in for a carriage return while the parser runs: white space to
 * fast-xml-parser's regular expressions (so a line break inside a tag still separates names
 * and attributes), never white space to XML, and rare in WebDAV bodies. The first one the
 * document does not contain is used.
 */
const MARK_CANDIDATES = ['\u2028', '\u2029', '\u205F', '\u3000', '\u1680', '\u202F', '\u2009', '\u200A', '\u2007', '\u2008'];

/** A document prepared for the parser, and the character that stands for CR in it (if any). */
export interface MarkedText {
  readonly text: string;
  readonly mark: string | undefined;
}

/**
 * Keeps the carriage returns of character data and CDATA sections. fast-xml-parser applies
 * XML 1.0 §2.11 end-of-line normalisation to the whole document, but calendar and address
 * data are CRLF formats (RFC 5545 §3.1, RFC 6350 §3.2) and servers such as Radicale and
 * xandikos write them with raw CRs: davgate keeps them byte for byte. Every CR is replaced by
 * a mark the tree builder turns back into CR in text, and which the parser takes for white
 * space inside tags. A document that already holds every candidate mark (none seen in
 * practice) is left to §2.11. The validator sees the original text.
 */
export function protectCarriageReturns(xml: string): MarkedText {
  if (xml.indexOf('\r') === -1) return { text: xml, mark: undefined };
  const mark = MARK_CANDIDATES.find((candidate) => !xml.includes(candidate));
  return mark === undefined ? { text: xml, mark } : { text: xml.replaceAll('\r', mark), mark };
}
