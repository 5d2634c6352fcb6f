import { DavgateError } from '../model/errors';
import { ICAL } from './ical-lib';
import { checkShape, countShape, type ShapeCount } from './jcal-shape';

const BARE_LF = /(?<!\r)\n/;

/** The outcome of reading iCalendar or vCard text: its JSON form, or why it cannot be read. */
export type Parsed = { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly error: string };

/** Which format: the root component's jCal name and what to call things in messages. */
export interface Format {
  /** 'vcalendar' or 'vcard'. */
  readonly root: string;
  /** 'VCALENDAR' or 'VCARD', for messages about the text. */
  readonly textName: string;
  /** 'jcal' or 'jcard', the start of JSON paths in messages. */
  readonly jsonName: string;
}

/**
 * Text → jCal/jCard with ical.js. One resource holds exactly one root component (RFC 4791
 * §4.1, RFC 6352 §5.1); anything ical.js cannot read, or a different number of root
 * components, is reported, never thrown. The text itself is not touched.
 */
export function textToJson(text: string, format: Format): Parsed {
  let json: unknown;
  try {
    json = ICAL.parse(text);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const roots = Array.isArray(json) && typeof json[0] === 'string' ? [json] : (json as unknown[]);
  if (roots.length !== 1) return { ok: false, error: `expected one ${format.textName} component, found ${roots.length}` };
  const root = roots[0] as unknown[];
  if (root[0] !== format.root) return { ok: false, error: `expected a ${format.textName} component, found ${String(root[0]).toUpperCase()}` };
  // RFC 7095 §3.2: a jCard is ["vcard", properties], with no component list (ical.js adds an empty one).
  if (format.root === 'vcard' && root.length === 3 && Array.isArray(root[2]) && root[2].length === 0) return { ok: true, json: root.slice(0, 2) };
  return { ok: true, json: root };
}

/**
 * jCal/jCard → text with ical.js (CRLF line endings, lines folded at 75 octets: RFC 5545
 * §3.1, RFC 6350 §3.2). The JSON is checked first; the text is read back and must hold the
 * same components and properties, and a value with a line break that its type cannot escape
 * (a URI, an unknown type) is refused instead of adding or splitting content lines. Throws INPUT_INVALID.
 */
export function jsonToText(input: unknown, format: Format): string {
  // RFC 7095 §3.2's ["vcard", properties] is what ical.js reads as ["vcard", properties, []].
  const json = format.root === 'vcard' && Array.isArray(input) && input.length === 2 ? [...input, []] : input;
  const expected = checkShape(json, format.root, format.jsonName);
  let text: string;
  try {
    text = ICAL.stringify(json as unknown[]);
  } catch (error) {
    throw new DavgateError('INPUT_INVALID', `${format.jsonName} cannot be written as ${format.textName}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // ical.js ends every line with CRLF; a bare LF can only be a value's line break written raw.
  const back = BARE_LF.test(text) ? undefined : textToJson(text, format);
  const backJson = back?.ok === true && format.root === 'vcard' && Array.isArray(back.json) && back.json.length === 2 ? [...back.json, []] : back?.ok === true ? back.json : undefined;
  if (backJson === undefined || !sameCount(countShape(backJson), expected)) {
    throw new DavgateError('INPUT_INVALID', `${format.jsonName} has a value that cannot be written as ${format.textName} text (a line break in a value whose type cannot escape it?)`);
  }
  return text;
}

function sameCount(a: ShapeCount, b: ShapeCount): boolean {
  return a.components === b.components && a.properties === b.properties;
}
