import { DavgateError } from '../model/errors';

/** Response headers as undici parses them: lower-case names, a repeated field as an array. */
export type RawHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The protocol headers a planner may set, by lower-case name. Everything else a planner
 * passes is dropped: hop-by-hop headers, `Host`, `Content-Length`, `Accept-Encoding` (no
 * compressed bodies, HARDENING.md), `Authorization` (set from the auth mode) and
 * `Destination` (built from `request.destination`, never copied).
 */
export const FORWARDED_HEADERS: ReadonlyMap<string, string> = new Map([
  ['depth', 'Depth'],
  ['overwrite', 'Overwrite'],
  ['if', 'If'],
  ['lock-token', 'Lock-Token'],
  ['timeout', 'Timeout'],
  ['content-type', 'Content-Type'],
  ['if-match', 'If-Match'],
  ['if-none-match', 'If-None-Match'],
  ['brief', 'Brief'],
  ['prefer', 'Prefer'],
]);

/** The planner's headers that may go upstream, by canonical name, each value checked. */
export function forwardedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  // for…in rather than Object.keys: no array per request (the planners' headers are plain objects).
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const canonical = FORWARDED_HEADERS.get(name.toLowerCase());
    if (canonical === undefined) continue;
    const value = headers[name];
    checkHeaderValue(canonical, value);
    out[canonical] = value;
  }
  return out;
}

/** Tab, space, visible ASCII and the upper half of Latin-1: everything checkHeaderValue lets through, in one test. */
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Throws HEADER_INJECTION for a value that cannot go into a header as it is: CR, LF, NUL or
 * another control character (RFC 9110 §5.5), or a character above U+00FF, which would be cut
 * to one byte on the wire. The message names the header, never its value.
 */
export function checkHeaderValue(name: string, value: unknown): asserts value is string {
  // The usual case in one test; the tests below only name what is wrong.
  if (typeof value === 'string' && HEADER_SAFE.test(value)) return;
  if (typeof value !== 'string') throw new DavgateError('HEADER_INJECTION', `the ${name} header is not a string`);
  if (/[\r\n]/.test(value)) throw new DavgateError('HEADER_INJECTION', `the ${name} header contains CR or LF`);
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw new DavgateError('HEADER_INJECTION', `the ${name} header contains a control character`);
  if (/[\u0100-\uffff]/.test(value)) throw new DavgateError('HEADER_INJECTION', `the ${name} header contains a character that is not Latin-1`);
}

/**
 * Response headers with lower-case names, repeated fields joined by `, ` (RFC 9110 §5.3).
 * Headers already in that form, as undici's usually are, are returned as they are rather than
 * copied (treat the result as read-only).
 */
export function flattenHeaders(headers: RawHeaders): Record<string, string> {
  if (isFlat(headers)) return headers as Record<string, string>;
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : value;
    // Assigning `__proto__` would set the prototype: define it, so that it stays a header.
    if (key === '__proto__') Object.defineProperty(out, key, { value: text, enumerable: true, writable: true, configurable: true });
    else out[key] = text;
  }
  return out;
}

/** Own names only, each lower-case with one string value. */
function isFlat(headers: RawHeaders): boolean {
  for (const name in headers) {
    if (!Object.hasOwn(headers, name) || typeof headers[name] !== 'string' || name !== name.toLowerCase()) return false;
  }
  return true;
}

/** A header's values from undici's parsed headers, repeated fields kept apart. */
export function headerValues(headers: RawHeaders, name: string): string[] {
  const value = Object.hasOwn(headers, name) ? headers[name] : undefined;
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
