import { DavgateError } from '../model/errors';
import { findNonXmlChar } from './chars';

/** Refuses what XML 1.0 cannot carry (NUL, most C0 controls, U+FFFE/FFFF, lone surrogates). */
function checkRepresentable(text: string, where: () => string): void {
  const bad = findNonXmlChar(text);
  if (bad !== undefined) throw new DavgateError('XML_UNREPRESENTABLE', `${bad.char} in ${where()}`);
}

/**
 * Text for xmlbuilder2's `txt()`. xmlbuilder2 escapes `<` and `>` but passes anything that
 * looks like an entity through as already escaped, and writes CR raw, which every XML reader
 * turns into LF (HARDENING.md). So `&` and CR are escaped here, and what xmlbuilder2 then
 * sees as entities are exactly ours.
 */
export function escapeText(text: string, where: () => string): string {
  checkRepresentable(text, where);
  return /[&\r]/.test(text) ? text.replace(/[&\r]/g, (c) => (c === '&' ? '&amp;' : '&#13;')) : text;
}

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' };

/** Attribute values also keep their LF and TAB, which attribute normalisation would turn into spaces (XML 1.0 §3.3.3). */
export function escapeAttribute(value: string, where: () => string): string {
  checkRepresentable(value, where);
  return /[&\r\n\t]/.test(value) ? value.replace(/[&\r\n\t]/g, (c) => ATTRIBUTE_ESCAPES[c] as string) : value;
}
