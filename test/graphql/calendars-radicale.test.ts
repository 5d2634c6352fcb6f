import { basicCredentials, testServers } from '../servers';
import { kinds, testGateway, unique, type TestGateway } from '../rest/gateway';
import { card, event } from '../reads/dav-data';
import { dataOf, graphql, RESULT_FIELDS } from './client';

const SUMMARY = 'Réunion à Zürich — 東京 🎉';

interface ObjectData { href: string; etag: string | null; ics: string; jcal: unknown; parseError: string | null }
interface CalendarData { href: string; displayName: string | null; color: string | null; supportedComponents: string[]; ctag: string | null; syncToken: string | null; events: ObjectData[] }

/** jCal's VEVENT properties as name → value. */
function eventProps(jcal: unknown): Record<string, unknown> {
  const [, , components] = jcal as [string, unknown[], [string, [string, unknown, string, unknown][], unknown[]][]];
  const vevent = components.find((c) => c[0] === 'vevent');
  return Object.fromEntries((vevent?.[1] ?? []).map(([name, , , value]) => [name, value]));
}

/** CalDAV and CardDAV through the GraphQL face against Radicale: calendars, events in a range, contacts, writes from jCal/jCard. */
describe('GraphQL calendars and contacts against Radicale', () => {
  const radicale = testServers().radicale;
  let gw: TestGateway;
  let cal: string;
  let book: string;

  beforeAll(async () => {
    gw = testGateway(radicale.url, basicCredentials(radicale));
    cal = `/alice/${unique('cal')}/`;
    book = `/alice/${unique('book')}/`;
    const setup = await gw.batch([
      { method: 'MKCALENDAR', href: cal, set: { '{DAV:}displayname': 'Work', '{http://apple.com/ns/ical/}calendar-color': '#FF8800FF' } },
      // Weekly from 2026-10-05; the range below holds only a later instance (RFC 4791 §9.9 must match it).
      { method: 'PUT', href: `${cal}weekly.ics`, body: event('weekly', 'Standup', '20261005T090000Z', ['DTEND:20261005T091500Z', 'RRULE:FREQ=WEEKLY;COUNT=10']), contentType: 'text/calendar', ifNoneMatch: '*' },
      { method: 'PUT', href: `${cal}allday.ics`, body: event('allday', 'Holiday', '20261124', ['DTEND;VALUE=DATE:20261125']), contentType: 'text/calendar', ifNoneMatch: '*' },
      { method: 'PUT', href: `${cal}intl.ics`, body: event('intl', SUMMARY, '20261125T130000Z', ['DTEND:20261125T140000Z']), contentType: 'text/calendar', ifNoneMatch: '*' },
      { method: 'PUT', href: `${cal}old.ics`, body: event('old', 'Long ago', '20250101T090000Z', ['DTEND:20250101T100000Z']), contentType: 'text/calendar', ifNoneMatch: '*' },
      { method: 'MKCOL', href: book, set: { '{DAV:}resourcetype': [{ name: '{DAV:}collection' }, { name: '{urn:ietf:params:xml:ns:carddav}addressbook' }], '{DAV:}displayname': 'People' } },
      { method: 'PUT', href: `${book}zoe.vcf`, body: card('zoe', 'Zoë Ångström', 'Ångström', 'Zoë'), contentType: 'text/vcard', ifNoneMatch: '*' },
    ]);
    expect(setup.responses.map((r) => r.kind)).toEqual(['Created', 'Created', 'Created', 'Created', 'Created', 'Created', 'Created']);
  });
  afterAll(() => gw.close());

  it('lists calendars with their properties and the events in a time range: recurring, all-day, non-ASCII', async () => {
    const answer = await graphql<{ calendars: CalendarData[] }>(gw, `query($s: DateTime, $e: DateTime) { calendars {
      href displayName color supportedComponents ctag syncToken events(start: $s, end: $e) { href etag ics jcal parseError } } }`, { s: '2026-11-23T00:00:00Z', e: '2026-11-30T00:00:00Z' });
    const mine = dataOf(answer).calendars.find((c) => c.href === cal);
    expect(mine).toMatchObject({ displayName: 'Work', color: '#FF8800FF', supportedComponents: expect.arrayContaining(['VEVENT']), syncToken: expect.any(String) });
    const events = (mine as CalendarData).events;
    expect(events.map((e) => e.href).sort()).toEqual([`${cal}allday.ics`, `${cal}intl.ics`, `${cal}weekly.ics`]);
    const intl = events.find((e) => e.href.endsWith('intl.ics')) as ObjectData;
    expect(intl.ics).toContain(`SUMMARY:${SUMMARY}\r\n`);
    expect(eventProps(intl.jcal)['summary']).toBe(SUMMARY);
    expect(intl.parseError).toBeNull();
    expect(intl.etag).toMatch(/^"/);
    const allday = events.find((e) => e.href.endsWith('allday.ics')) as ObjectData;
    expect(eventProps(allday.jcal)['dtstart']).toBe('2026-11-24');
    expect(eventProps((events.find((e) => e.href.endsWith('weekly.ics')) as ObjectData).jcal)['rrule']).toEqual({ freq: 'WEEKLY', count: 10 });
  });

  it('reads objects by href, reporting the ones that did not come back', async () => {
    const answer = await graphql<{ calendar: { objects: { objects: { href: string }[]; missing: { href: string; status: number | null; code: string }[]; truncated: boolean } } | null }>(
      gw, 'query($c: String!, $h: [String!]!) { calendar(href: $c) { objects(hrefs: $h) { objects { href } missing { href status code } truncated } } }',
      { c: cal, h: [`${cal}old.ics`, `${cal}nope.ics`] });
    expect(dataOf(answer).calendar?.objects).toEqual({ objects: [{ href: `${cal}old.ics` }], missing: [{ href: `${cal}nope.ics`, status: 404, code: 'NOT_FOUND' }], truncated: false });
    const notCalendar = await graphql(gw, 'query($c: String!) { calendar(href: $c) { href } }', { c: book });
    expect(dataOf(notCalendar)).toEqual({ calendar: null });
  });

  it('lists address books and contacts as vCard and jCard', async () => {
    const answer = await graphql<{ addressBooks: { href: string; displayName: string; contacts: { href: string; vcard: string; jcard: unknown }[] }[] }>(
      gw, '{ addressBooks { href displayName contacts { href vcard jcard } } }');
    const mine = dataOf(answer).addressBooks.find((b) => b.href === book);
    expect(mine?.displayName).toBe('People');
    expect(mine?.contacts.map((c) => c.href)).toEqual([`${book}zoe.vcf`]);
    expect(mine?.contacts[0]?.vcard).toContain('FN:Zoë Ångström\r\n');
    const [, props] = mine?.contacts[0]?.jcard as [string, [string, unknown, string, unknown][]];
    expect(props.find(([name]) => name === 'fn')?.[3]).toBe('Zoë Ångström');
  });

  it('writes an event from jCal and a contact from jCard, with If-None-Match and a stale If-Match', async () => {
    const jcal = ['vcalendar', [['version', {}, 'text', '2.0'], ['prodid', {}, 'text', '-//davgate//test//EN']], [
      ['vevent', [['uid', {}, 'text', 'from-jcal'], ['dtstamp', {}, 'date-time', '2026-11-01T09:00:00Z'], ['dtstart', {}, 'date-time', '2026-11-26T09:00:00Z'], ['summary', {}, 'text', SUMMARY]], []],
    ]];
    const put = `mutation($h: String!, $j: JSON, $nm: String, $m: String) { putEvent(href: $h, jcal: $j, ifNoneMatch: $nm, ifMatch: $m) { ${RESULT_FIELDS} } }`;
    const created = await graphql<{ putEvent: { __typename: string; status: number } }>(gw, put, { h: `${cal}jcal.ics`, j: jcal, nm: '*' });
    expect(dataOf(created).putEvent).toMatchObject({ __typename: 'Created', status: 201 });
    const again = await graphql<{ putEvent: { __typename: string; status: number; code: string } }>(gw, put, { h: `${cal}jcal.ics`, j: jcal, nm: '*' });
    expect(dataOf(again).putEvent).toMatchObject({ __typename: 'Error', status: 412, code: 'PRECONDITION_FAILED' });
    const stale = await graphql<{ putEvent: { __typename: string; status: number } }>(gw, put, { h: `${cal}jcal.ics`, j: jcal, m: '"stale"' });
    expect(dataOf(stale).putEvent).toMatchObject({ __typename: 'Error', status: 412 });
    const read = await graphql<{ calendar: { objects: { objects: ObjectData[] } } }>(gw, 'query($c: String!, $h: [String!]!) { calendar(href: $c) { objects(hrefs: $h) { objects { ics jcal } } } }', { c: cal, h: [`${cal}jcal.ics`] });
    expect(eventProps(dataOf(read).calendar.objects.objects[0]?.jcal)['summary']).toBe(SUMMARY);

    const jcard = ['vcard', [['version', {}, 'text', '4.0'], ['uid', {}, 'text', 'from-jcard'], ['fn', {}, 'text', 'Åsa Öberg'], ['n', {}, 'text', ['Öberg', 'Åsa', '', '', '']]]];
    const contact = await graphql<{ putContact: { __typename: string } }>(gw, 'mutation($h: String!, $j: JSON) { putContact(href: $h, jcard: $j, ifNoneMatch: "*") { __typename } }', { h: `${book}asa.vcf`, j: jcard });
    expect(dataOf(contact).putContact).toEqual({ __typename: 'Created' });
    const check = await gw.batch([{ method: 'DELETE', href: `${book}asa.vcf` }]);
    expect(kinds(check).map((k) => k.split(' ').slice(2).join(' '))).toEqual(['Success 200']);
  });

  it('refuses both text and JSON, or bad jCal, with INPUT_INVALID before sending', async () => {
    const both = await graphql(gw, 'mutation($h: String!) { putEvent(href: $h, ics: "x", jcal: ["vcalendar", [], []]) { __typename } }', { h: `${cal}both.ics` });
    expect(both.errors?.[0]?.extensions?.code).toBe('INPUT_INVALID');
    const bad = await graphql(gw, 'mutation($h: String!) { putEvent(href: $h, jcal: ["vevent", [], []]) { __typename } }', { h: `${cal}bad.ics` });
    expect(bad.errors?.[0]?.extensions?.code).toBe('INPUT_INVALID');
    const gone = await gw.batch([{ method: 'DELETE', href: `${cal}bad.ics` }, { method: 'DELETE', href: `${cal}both.ics` }]);
    expect(gone.responses.map((r) => r.status)).toEqual([404, 404]);
  });
});
