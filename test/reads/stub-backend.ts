import type { ReadBackend, ReadContext } from '../../src/reads/read';
import { resolveHref } from '../../src/upstream/paths';
import type { UpstreamRequest } from '../../src/upstream/types';

/*
 * A ReadBackend that answers from a function instead of the network, for the server faults
 * the read tests need and no real server produces on demand (Zoho's silent truncation, old
 * sabre/dav's whole-request 404, a 507 on a query). Paths resolve exactly as the real client
 * resolves them.
 */

export interface CannedAnswer {
  status: number;
  body?: string;
}

export interface StubBackend {
  readonly ctx: ReadContext;
  readonly requests: UpstreamRequest[];
}

const location = { origin: 'http://dav.test', root: '/dav/' };

/** A stub whose answers come from `answer(request, hrefs in the request body)`, optionally after `delayMs`. */
export function stubBackend(answer: (request: UpstreamRequest, hrefs: string[]) => CannedAnswer, delayMs = 0): StubBackend {
  const requests: UpstreamRequest[] = [];
  const backend: ReadBackend = {
    ...location,
    resolveHref: (href) => resolveHref(href, location),
    send: async (request) => {
      requests.push(request);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const { status, body = '' } = answer(request, hrefsIn(request));
      return { status, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: Buffer.from(body, 'utf8') };
    },
  };
  return { ctx: { backend, options: {} }, requests };
}

/** The text of the DAV:href elements of a request body, in order. */
export function hrefsIn(request: UpstreamRequest): string[] {
  return [...String(request.body ?? '').matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
}

/** A multistatus with these `<response>` elements, prefixes as Radicale writes them. */
export function multistatus(...responses: string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CR="urn:ietf:params:xml:ns:carddav">${responses.join('')}</multistatus>`;
}

/** A response carrying an object's ETag and data (`data` is written as XML text, already escaped). */
export function objectResponse(href: string, etag: string, data: string, dataName = 'C:calendar-data'): string {
  return `<response><href>${href}</href><propstat><prop><getetag>${etag}</getetag><${dataName}>${data}</${dataName}></prop><status>HTTP/1.1 200 OK</status></propstat></response>`;
}

/** A status-only response for one or more hrefs. */
export function statusResponse(hrefs: string | string[], status: string, inner = ''): string {
  return `<response>${[hrefs].flat().map((h) => `<href>${h}</href>`).join('')}<status>${status}</status>${inner}</response>`;
}

/** A small valid iCalendar object with CRLF line endings. */
export function ics(uid: string): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//stub//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'DTSTART:20240305T090000Z', `SUMMARY:${uid}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}
