import { jsonToText, textToJson, type Format, type Parsed } from './convert';

export type { Parsed } from './convert';

const VCARD: Format = { root: 'vcard', textName: 'VCARD', jsonName: 'jcard' };

/**
 * vCard text (RFC 6350, or 3.0 as RFC 2426) → jCard (RFC 7095), converted with ical.js:
 * `{ ok: true, json }` with the one VCARD object, or `{ ok: false, error }` when the text
 * cannot be read (never throws). The text is only read: callers keep it byte for byte.
 */
export function vcardToJcard(vcard: string): Parsed {
  return textToJson(vcard, VCARD);
}

/**
 * jCard (RFC 7095) → vCard text with CRLF line endings (RFC 6350 §3.2). ical.js writes
 * vCard 4.0 rules when the first property is `["version", {}, "text", "4.0"]` (RFC 6350
 * §6.7.9 puts VERSION first) and vCard 3.0 rules otherwise. Anything that is not one
 * `["vcard", properties, []]` object throws DavgateError INPUT_INVALID naming the JSON path.
 */
export function jcardToVcard(jcard: unknown): string {
  return jsonToText(jcard, VCARD);
}
