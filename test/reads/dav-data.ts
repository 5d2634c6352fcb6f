import { parseBatch, runBatch } from '../../src/batch/executor';
import type { Result } from '../../src/model/result';
import type { UpstreamClient } from '../../src/upstream/client';

/*
 * Test data in a real server, written through the batch executor (the same path a client's
 * batch takes). Every helper fails the test when the server did not create what was asked.
 */

const CALDAV = 'urn:ietf:params:xml:ns:caldav';
const CARDDAV = 'urn:ietf:params:xml:ns:carddav';

async function run(client: UpstreamClient, operations: unknown[]): Promise<Result[]> {
  if (operations.length === 0) return [];
  const results = (await runBatch(parseBatch({ operations, concurrency: 1 }), client)).flat();
  const failed = results.filter((r) => r.kind !== 'Created' && r.kind !== 'Success');
  if (failed.length > 0) throw new Error(`setup failed: ${JSON.stringify(failed.map((r) => [r.href, r.status, r.kind === 'Error' ? r.code : r.kind]))}`);
  return results;
}

/** MKCALENDAR (RFC 4791 §5.3.1) with a display name, description, Apple colour and component set. */
export async function makeCalendar(client: UpstreamClient, path: string, props: { displayName?: string; description?: string; color?: string; components?: string[] } = {}): Promise<void> {
  const set: Record<string, unknown> = {};
  if (props.displayName !== undefined) set['{DAV:}displayname'] = props.displayName;
  if (props.description !== undefined) set[`{${CALDAV}}calendar-description`] = props.description;
  if (props.color !== undefined) set['{http://apple.com/ns/ical/}calendar-color'] = props.color;
  if (props.components !== undefined) {
    set[`{${CALDAV}}supported-calendar-component-set`] = props.components.map((name) => ({ name: `{${CALDAV}}comp`, attrs: { name } }));
  }
  await run(client, [{ method: 'MKCALENDAR', href: path, set }]);
}

/** Extended MKCOL (RFC 5689 §5.1) of an address book (RFC 6352 §5.2: resourcetype collection + addressbook). */
export async function makeAddressBook(client: UpstreamClient, path: string, displayName: string, description?: string): Promise<void> {
  const set: Record<string, unknown> = {
    '{DAV:}resourcetype': [{ name: '{DAV:}collection' }, { name: `{${CARDDAV}}addressbook` }],
    '{DAV:}displayname': displayName,
  };
  if (description !== undefined) set[`{${CARDDAV}}addressbook-description`] = description;
  await run(client, [{ method: 'MKCOL', href: path, set }]);
}

/** PUTs objects (href → text) one after the other. */
export async function putAll(client: UpstreamClient, objects: Record<string, string>, contentType: string): Promise<void> {
  await run(client, Object.entries(objects).map(([href, body]) => ({ method: 'PUT', href, body, contentType })));
}

/** iCalendar text with CRLF line endings from lines. */
export function crlf(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

/** A VEVENT in a VCALENDAR; `extra` are further content lines of the VEVENT. */
export function event(uid: string, summary: string, start: string, extra: string[] = []): string {
  const date = /^\d{8}$/.test(start) ? `DTSTART;VALUE=DATE:${start}` : `DTSTART:${start}`;
  return crlf('BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//davgate//reads test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', date, ...extra, `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR');
}

/** A vCard 3.0 (what Radicale stores) with FN, N and UID. */
export function card(uid: string, fn: string, family: string, given: string, extra: string[] = []): string {
  return crlf('BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${fn}`, `N:${family};${given};;;`, ...extra, 'END:VCARD');
}

/** A resource's own bytes as the server serves them to a GET, decoded as UTF-8 (fails the test on any status but 200). */
export async function getText(client: UpstreamClient, path: string): Promise<string> {
  const response = await client.send({ method: 'GET', path, headers: {} });
  expect(response.status).toBe(200);
  return response.body.toString('utf8');
}
