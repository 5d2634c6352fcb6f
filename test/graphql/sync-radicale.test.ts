import { basicCredentials, testServers } from '../servers';
import { kinds, testGateway, unique, type TestGateway } from '../rest/gateway';
import { dataOf, graphql } from './client';
import { event as calendarEvent } from '../reads/dav-data';

const event = (uid: string, summary: string) => calendarEvent(uid, summary, '20261123T090000Z', ['DTEND:20261123T100000Z']);

interface ChangesData { changes: { syncToken: string; changed: { href: string; etag: string | null }[]; removed: string[]; truncated: boolean } }
const CHANGES = 'query($c: String!, $t: String) { changes(collection: $c, syncToken: $t) { syncToken changed { href etag } removed truncated } }';

/** Discovery and sync-collection through the GraphQL face against Radicale. */
describe('GraphQL discovery and sync against Radicale', () => {
  const radicale = testServers().radicale;
  let gw: TestGateway;
  let cal: string;

  beforeAll(() => {
    gw = testGateway(radicale.url, basicCredentials(radicale));
  });
  afterAll(() => gw.close());
  beforeEach(async () => {
    cal = `/alice/${unique('sync')}/`;
    const setup = await gw.batch([
      { method: 'MKCALENDAR', href: cal, set: { '{DAV:}displayname': 'Sync' } },
      { method: 'PUT', href: `${cal}a.ics`, body: event('a', 'A'), contentType: 'text/calendar', ifNoneMatch: '*' },
      { method: 'PUT', href: `${cal}b.ics`, body: event('b', 'B'), contentType: 'text/calendar', ifNoneMatch: '*' },
    ]);
    expect(kinds(setup).map((k) => k.split(' ').slice(2).join(' '))).toEqual(['Created 201', 'Created 201', 'Created 201']);
  });

  it('finds the principal and its home sets from the backend root', async () => {
    const answer = await graphql(gw, '{ principal { href calendarHomeSet addressBookHomeSet foundVia } }');
    expect(dataOf(answer)).toEqual({ principal: { href: '/alice/', calendarHomeSet: ['/alice/'], addressBookHomeSet: ['/alice/'], foundVia: expect.stringMatching(/^\.well-known /) } });
  });

  it('syncs: every member first, then exactly what changed, then nothing', async () => {
    const initial = dataOf(await graphql<ChangesData>(gw, CHANGES, { c: cal })).changes;
    expect(initial.changed.map((m) => m.href).sort()).toEqual([`${cal}a.ics`, `${cal}b.ics`]);
    expect(initial.changed.every((m) => m.etag !== null)).toBe(true);
    expect(initial.removed).toEqual([]);
    const change = await gw.batch([
      { method: 'PUT', href: `${cal}c.ics`, body: event('c', 'C'), contentType: 'text/calendar', ifNoneMatch: '*' },
      { method: 'DELETE', href: `${cal}a.ics` },
    ]);
    expect(change.responses.map((r) => r.kind)).toEqual(['Created', 'Success']);
    const next = dataOf(await graphql<ChangesData>(gw, CHANGES, { c: cal, t: initial.syncToken })).changes;
    expect(next.changed.map((m) => m.href)).toEqual([`${cal}c.ics`]);
    expect(next.removed).toEqual([`${cal}a.ics`]);
    expect(next.syncToken).not.toBe(initial.syncToken);
    expect(next.truncated).toBe(false);
    const quiet = dataOf(await graphql<ChangesData>(gw, CHANGES, { c: cal, t: next.syncToken })).changes;
    expect([quiet.changed, quiet.removed]).toEqual([[], []]);
  });

  it('answers a bad token with SYNC_TOKEN_INVALID so the app knows to resync', async () => {
    const answer = await graphql(gw, CHANGES, { c: cal, t: 'http://radicale.org/ns/sync/not-a-token' });
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'SYNC_TOKEN_INVALID' }, path: ['changes'] });
  });
});
