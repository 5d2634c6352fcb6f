import { basicCredentials, testServers } from '../servers';
import { kinds, testGateway, unique, type TestGateway } from './gateway';
import { event as calendarEvent } from '../reads/dav-data';

const event = (uid: string, summary: string) => calendarEvent(uid, summary, '20240312T100000Z', ['DTEND:20240312T110000Z']);

/** The REST face against a real Radicale (CalDAV), started by global setup. */
describe('POST /v1/batch against Radicale', () => {
  const radicale = testServers().radicale;
  let gw: TestGateway;
  let cal: string;

  beforeAll(() => {
    gw = testGateway(radicale.url, basicCredentials(radicale));
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    cal = `/${radicale.username}/${unique('cal')}/`;
  });

  it('MKCALENDAR with properties, PUT events with If-None-Match, a second create refused', async () => {
    const answer = await gw.batch([
      { id: 'cal', method: 'MKCALENDAR', href: cal, set: { '{DAV:}displayname': 'Work', '{urn:ietf:params:xml:ns:caldav}calendar-description': 'Zoë’s' } },
      { id: 'e1', method: 'PUT', href: `${cal}e1.ics`, body: event('e1@test', 'Café'), contentType: 'text/calendar; charset=utf-8', ifNoneMatch: '*' },
      { id: 'e1-again', method: 'PUT', href: `${cal}e1.ics`, body: event('e1@test', 'Again'), contentType: 'text/calendar', ifNoneMatch: '*' },
    ]);
    expect(kinds(answer)).toEqual([`cal ${cal} Created 201`, `e1 ${cal}e1.ics Created 201`, `e1-again ${cal}e1.ics Error 412`]);
    expect(answer.responses[1]?.etag).toMatch(/^"/);
  });

  it('a PUT with a stale If-Match conflicts; one with the current ETag updates', async () => {
    const created = await gw.batch([
      { method: 'MKCALENDAR', href: cal },
      { id: 'e', method: 'PUT', href: `${cal}e.ics`, body: event('e@test', 'One'), contentType: 'text/calendar', ifNoneMatch: '*' },
    ]);
    const etag = created.responses[1]?.etag as string;
    const answer = await gw.batch([
      { id: 'stale', method: 'PUT', href: `${cal}e.ics`, body: event('e@test', 'Two'), contentType: 'text/calendar', ifMatch: '"stale"' },
      { id: 'fresh', method: 'PUT', href: `${cal}e.ics`, body: event('e@test', 'Three'), contentType: 'text/calendar', ifMatch: etag },
    ]);
    // The second depends on the first (same href), which failed: not sent.
    expect(kinds(answer)).toEqual([`stale ${cal}e.ics Error 412`, `fresh ${cal}e.ics Error 424`]);
    const alone = await gw.batch([{ id: 'fresh', method: 'PUT', href: `${cal}e.ics`, body: event('e@test', 'Three'), contentType: 'text/calendar', ifMatch: etag }]);
    // Radicale answers an update with 201 too; davgate reports what the server said.
    expect(kinds(alone)).toEqual([`fresh ${cal}e.ics Created 201`]);
  });

  it('a UID used twice in one calendar is an Error classified by its condition', async () => {
    await gw.batch([
      { method: 'MKCALENDAR', href: cal },
      { method: 'PUT', href: `${cal}a.ics`, body: event('dup@test', 'A'), contentType: 'text/calendar' },
    ]);
    // A batch of its own: in the same batch the two PUTs (unrelated hrefs) would race.
    const answer = await gw.batch([{ id: 'dup', method: 'PUT', href: `${cal}b.ics`, body: event('dup@test', 'B'), contentType: 'text/calendar' }]);
    expect(answer.responses[0]).toMatchObject({ kind: 'Error', status: 409, code: 'UID_CONFLICT', error: { condition: '{urn:ietf:params:xml:ns:caldav}no-uid-conflict' } });
  });
});
