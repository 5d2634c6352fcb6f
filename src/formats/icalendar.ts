import { jsonToText, textToJson, type Format, type Parsed } from './convert';

export type { Parsed } from './convert';

const ICALENDAR: Format = { root: 'vcalendar', textName: 'VCALENDAR', jsonName: 'jcal' };

/**
 * iCalendar text (RFC 5545) → jCal (RFC 7265), converted with ical.js: `{ ok: true, json }`
 * with the one VCALENDAR object, or `{ ok: false, error }` when the text cannot be read
 * (never throws). The text is only read: callers keep it byte for byte.
 */
export function icsToJcal(ics: string): Parsed {
  return textToJson(ics, ICALENDAR);
}

/**
 * jCal (RFC 7265) → iCalendar text with CRLF line endings (RFC 5545 §3.1). The jCal must be
 * one `["vcalendar", properties, components]` object with lowercase names (RFC 7265 §3.3);
 * anything else throws DavgateError INPUT_INVALID naming the JSON path.
 */
export function jcalToIcs(jcal: unknown): string {
  return jsonToText(jcal, ICALENDAR);
}
