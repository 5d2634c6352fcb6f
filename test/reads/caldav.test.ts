/**
 * The CalDAV read layer against a real Radicale (started by jest's global setup). Every test
 * makes its own calendars under /alice/ with unique names, so tests never share state.
 */
import { errorOf } from '../upstream/stub';
import { calendarEvents, calendarMultiget, getCalendar, listCalendars, type CalendarObjectData } from '../../src/reads/caldav';
import type { ReadBackend, ReadContext } from '../../src/reads/read';
import type { UpstreamRequest } from '../../src/upstream/types';
import type { UpstreamClient } from '../../src/upstream/client';
import { radicale, readContext } from './backend';
import { event, makeAddressBook, makeCalendar, getText, putAll } from './dav-data';

const ICS = 'text/calendar; charset=utf-8';
const NON_ASCII = 'Réunion à Zürich — 東京 🎉';

const { info, unique } = radicale();
let ctx: ReadContext;
let client: UpstreamClient;

beforeAll(() => {
  ({ ctx, client } = readContext(info));
});
afterAll(() => client.close());

/** A fresh calendar under /alice/ holding `objects` (name → iCalendar text); returns its path. */
async function calendarWith(objects: Record<string, string>): Promise<string> {
  const cal = `/alice/${unique('cal')}/`;
  await makeCalendar(client, cal);
  await putAll(client, Object.fromEntries(Object.entries(objects).map(([name, ics]) => [`${cal}${name}`, ics])), ICS);
  return cal;
}

const names = (objects: readonly CalendarObjectData[]): string[] => objects.map((o) => o.href.slice(o.href.lastIndexOf('/') + 1)).sort();
const prop = (jcal: unknown, component: number, name: string): unknown =>
  ((jcal as [string, unknown[], [string, unknown[][]][]])[2][component]?.[1] ?? []).find((p) => p[0] === name);

describe('listCalendars / getCalendar', () => {
  it('lists the calendars of /alice/ with their properties, leaving out the home and address books', async () => {
    const work = `/alice/${unique('work')}/`;
    const plain = `/alice/${unique('plain')}/`;
    const book = `/alice/${unique('book')}/`;
    await makeCalendar(client, work, { displayName: 'Büro 2024.10', description: 'Zoë’s team', color: '#FF8800FF', components: ['VEVENT', 'VTODO'] });
    await makeCalendar(client, plain);
    await makeAddressBook(client, book, 'Not a calendar');

    const calendars = await listCalendars(ctx, '/alice/');
    const hrefs = calendars.map((c) => c.href);
    expect(hrefs).toEqual(expect.arrayContaining([work, plain]));
    expect(hrefs).not.toContain(book);
    expect(hrefs).not.toContain('/alice/');

    const info = calendars.find((c) => c.href === work);
    expect(info).toMatchObject({ displayName: 'Büro 2024.10', description: 'Zoë’s team', color: '#FF8800FF', supportedComponents: ['VEVENT', 'VTODO'] });
    expect(info?.ctag).toMatch(/^".+"$/);
    expect(info?.syncToken).toMatch(/^http:\/\/radicale\.org\/ns\/sync\/\w+$/);
    expect(info?.properties.find((p) => p.name === '{DAV:}resourcetype')).toMatchObject({ status: 200, missing: false });

    // A calendar created without properties: Radicale makes up a display name from the path
    // (reported as the server said it), has no colour (404, kept in properties) and allows
    // its default components.
    const bare = calendars.find((c) => c.href === plain);
    expect(bare?.displayName).toBe(plain.slice(1, -1));
    expect(bare?.color).toBeUndefined();
    expect(bare?.properties.find((p) => p.name === '{http://apple.com/ns/ical/}calendar-color')).toMatchObject({ missing: true, status: 404 });
    expect(bare?.supportedComponents).toEqual(expect.arrayContaining(['VEVENT', 'VTODO']));
  });

  it('getCalendar: the calendar, or null for an address book, an event and an href that does not exist', async () => {
    const cal = await calendarWith({ 'e.ics': event('get-1@test', 'One', '20240305T090000Z') });
    const book = `/alice/${unique('book')}/`;
    await makeAddressBook(client, book, 'Contacts');

    const found = await getCalendar(ctx, cal);
    expect(found?.href).toBe(cal);
    expect(found?.syncToken).toBeDefined();
    // Any spelling of the href finds it (here without the trailing slash).
    expect((await getCalendar(ctx, cal.slice(0, -1)))?.href).toBe(cal);
    expect(await getCalendar(ctx, book)).toBeNull();
    expect(await getCalendar(ctx, `${cal}e.ics`)).toBeNull();
    expect(await getCalendar(ctx, `/alice/${unique('nothing')}/`)).toBeNull();
  });
});

describe('calendarEvents (calendar-query)', () => {
  const objects = {
    // Weekly from Monday 2024-01-01: the first instance is outside the range, the one on 2024-03-04 inside (RFC 4791 §9.9).
    'weekly.ics': event('weekly@test', 'Weekly sync', '20240101T100000Z', ['DTEND:20240101T110000Z', 'RRULE:FREQ=WEEKLY']),
    // Three instances in January only.
    'ended.ics': event('ended@test', 'Ended series', '20240101T100000Z', ['DTEND:20240101T110000Z', 'RRULE:FREQ=WEEKLY;COUNT=3']),
    'allday.ics': event('allday@test', 'Holiday', '20240306', ['DTEND;VALUE=DATE:20240307']),
    'zurich.ics': event('zurich@test', NON_ASCII, '20240305T090000Z', ['DTEND:20240305T100000Z']),
    'may.ics': event('may@test', 'Outside', '20240501T100000Z', ['DTEND:20240501T110000Z']),
  };
  const range = { start: new Date('2024-03-04T00:00:00Z'), end: new Date('2024-03-11T00:00:00Z') };

  it('returns the events overlapping the range, recurring ones by any instance, and nothing outside it', async () => {
    const cal = await calendarWith(objects);
    const events = await calendarEvents(ctx, cal, range);
    expect(names(events)).toEqual(['allday.ics', 'weekly.ics', 'zurich.ics']);
    for (const e of events) {
      expect(e.href.startsWith(cal)).toBe(true);
      expect(e.etag).toMatch(/^".+"$/);
      expect(e.parseError).toBeUndefined();
    }
    // Returned as stored, not expanded: the RRULE is still there.
    const weekly = events.find((e) => e.href.endsWith('weekly.ics'));
    expect(prop(weekly?.jcal, 0, 'rrule')).toEqual(['rrule', {}, 'recur', { freq: 'WEEKLY' }]);
    const allday = events.find((e) => e.href.endsWith('allday.ics'));
    expect(prop(allday?.jcal, 0, 'dtstart')).toEqual(['dtstart', {}, 'date', '2024-03-06']);
  });

  it('keeps a non-ASCII summary byte for byte in ics, CRLFs included, and reads it correctly into jCal', async () => {
    const cal = await calendarWith({ 'zurich.ics': objects['zurich.ics'] });
    const [zurich] = await calendarEvents(ctx, cal, range);
    expect(zurich).toBeDefined();
    const ics = zurich?.ics ?? '';
    // Exactly the text Radicale serves for the object (it re-serialises what was PUT, so compare with its own GET).
    expect(ics).toBe(await getText(client, `${cal}zurich.ics`));
    expect(ics).toContain(`\r\nSUMMARY:${NON_ASCII}\r\n`);
    expect(ics).not.toMatch(/(?<!\r)\n/);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(prop(zurich?.jcal, 0, 'summary')).toEqual(['summary', {}, 'text', NON_ASCII]);
  });

  it('without a range returns every event; with only a start, the open end includes later ones', async () => {
    const cal = await calendarWith(objects);
    expect(names(await calendarEvents(ctx, cal))).toEqual(['allday.ics', 'ended.ics', 'may.ics', 'weekly.ics', 'zurich.ics']);
    expect(names(await calendarEvents(ctx, cal, { start: new Date('2024-04-01T00:00:00Z') }))).toEqual(['may.ics', 'weekly.ics']);
    expect(names(await calendarEvents(ctx, cal, { end: new Date('2024-01-02T00:00:00Z') }))).toEqual(['ended.ics', 'weekly.ics']);
  });

  it('an empty calendar has no events; one that does not exist fails with NOT_FOUND; an empty range is refused before sending', async () => {
    const cal = await calendarWith({});
    expect(await calendarEvents(ctx, cal, range)).toEqual([]);
    expect((await errorOf(calendarEvents(ctx, `/alice/${unique('nothing')}/`, range))).code).toBe('NOT_FOUND');

    const sent: UpstreamRequest[] = [];
    const counting: ReadBackend = { origin: client.origin, root: client.root, resolveHref: (h) => client.resolveHref(h), send: (r, o) => (sent.push(r), client.send(r, o)) };
    const backwards = calendarEvents({ backend: counting, options: {} }, cal, { start: range.end, end: range.start });
    expect((await errorOf(backwards)).code).toBe('INPUT_INVALID');
    expect(sent).toHaveLength(0);
  });
});

describe('calendarMultiget', () => {
  it('returns the objects asked for, in the order asked, and reports an unknown href as missing (404)', async () => {
    const cal = await calendarWith({
      'a.ics': event('a@test', 'A', '20240305T090000Z'),
      'b.ics': event('b@test', NON_ASCII, '20240306T090000Z'),
    });
    const unknown = `${cal}${unique('unknown')}.ics`;
    const result = await calendarMultiget(ctx, cal, [`${cal}b.ics`, unknown, `${cal}a.ics`]);
    expect(result.objects.map((o) => o.href)).toEqual([`${cal}b.ics`, `${cal}a.ics`]);
    expect(result.missing).toEqual([{ href: unknown, status: 404, code: 'NOT_FOUND' }]);
    expect(result.truncated).toBe(false);
    expect(prop(result.objects[0]?.jcal, 0, 'summary')).toEqual(['summary', {}, 'text', NON_ASCII]);
    expect(result.objects[0]?.ics).toBe(await getText(client, `${cal}b.ics`));
  });

  it('matches hrefs however they are spelled, and asks for each resource once', async () => {
    const cal = await calendarWith({ 'a b.ics': event('ab@test', 'Space', '20240305T090000Z') });
    const spellings = [`${cal}a b.ics`, `${cal}a%20b.ics`, `${client.origin}${cal}a%20b.ics`];
    const result = await calendarMultiget(ctx, cal, spellings);
    expect(result.objects).toHaveLength(1);
    expect(result.objects[0]?.href).toBe(`${cal}a%20b.ics`);
    expect(result.missing).toEqual([]);
  });

  it('with chunkSize 2 sends three REPORTs for five hrefs and returns all five', async () => {
    const objects = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`e${i}.ics`, event(`chunk-${i}@test`, `Event ${i}`, `2024030${i}T090000Z`)]));
    const cal = await calendarWith(objects);
    const reports: string[] = [];
    const counting: ReadBackend = {
      origin: client.origin,
      root: client.root,
      resolveHref: (h) => client.resolveHref(h),
      send: (r, o) => {
        if (r.method === 'REPORT') reports.push(String(r.body));
        return client.send(r, o);
      },
    };
    const hrefs = Object.keys(objects).map((name) => `${cal}${name}`);
    const result = await calendarMultiget({ backend: counting, options: {} }, cal, hrefs, { chunkSize: 2 });
    expect(result.objects.map((o) => o.href)).toEqual(hrefs);
    expect(result.objects.map((o) => prop(o.jcal, 0, 'summary'))).toEqual([1, 2, 3, 4, 5].map((i) => ['summary', {}, 'text', `Event ${i}`]));
    expect(result).toMatchObject({ missing: [], truncated: false });
    expect(reports.map((body) => body.match(/<D:href>/g)?.length)).toEqual([2, 2, 1]);
  });
});
