/**
 * Characters XML 1.0 §2.2 does not allow, apart from surrogates (checked with
 * String#isWellFormed): NUL and the C0 controls other than TAB, LF and CR, and U+FFFE/U+FFFF.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/** The first character XML cannot carry, as `U+XXXX` with its offset, or undefined. */
export function findNonXmlChar(text: string): { readonly char: string; readonly index: number } | undefined {
  const match = NOT_XML_CHAR.exec(text);
  if (match !== null) return { char: `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, index: match.index };
  if (!text.isWellFormed()) return { char: 'a lone surrogate', index: -1 };
  return undefined;
}
