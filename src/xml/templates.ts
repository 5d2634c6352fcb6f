import { findNonXmlChar } from './chars';

/**
 * The serialization of one response shape, cut at its text and attribute values:
 * `parts[0] value0 parts[1] value1 … parts[n]`.
 */
export interface Template {
  readonly parts: readonly string[];
  /** For each value, whether it stands in an attribute (else in text). */
  readonly attributeSlots: readonly boolean[];
}

/** Markers cannot be confused with anything else in a shape: `@` occurs in no XML name. */
export const slotMarker = (index: number): string => `@@${index}@@`;
export const SLOT_PATTERN = /@@\d+@@/;

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = { ...TEXT_ESCAPES, '"': '&quot;', '\n': '&#10;', '\t': '&#9;' };
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTRIBUTE_SPECIAL = /[&<>"\r\n\t]/g;

/**
 * A response from its shape's template and its values, escaped exactly as xmlbuilder2 writes
 * text and attributes after escape.ts (`&`, `<`, `>` and CR in text; also `"`, LF and TAB in
 * attributes). Undefined when a value holds a character XML cannot carry.
 */
export function fillSlots(template: Template, values: readonly string[]): string | undefined {
  const { parts, attributeSlots } = template;
  let out = parts[0] as string;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as string;
    if (findNonXmlChar(value) !== undefined) return undefined;
    out += (attributeSlots[i] === true ? escapeWith(value, ATTRIBUTE_SPECIAL, ATTRIBUTE_ESCAPES) : escapeWith(value, TEXT_SPECIAL, TEXT_ESCAPES)) + (parts[i + 1] as string);
  }
  return out;
}

function escapeWith(value: string, pattern: RegExp, escapes: Readonly<Record<string, string>>): string {
  pattern.lastIndex = 0;
  return pattern.test(value) ? value.replace(pattern, (c) => escapes[c] as string) : value;
}
