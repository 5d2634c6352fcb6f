import { hrefKey } from '../../src/model/href';
import type { ReadContext } from '../../src/reads/read';
import { syncCollection, type SyncChanges } from '../../src/reads/sync';
import type { UpstreamClient } from '../../src/upstream/client';
import { parseXmlDocument } from '../../src/xml/parse-multistatus';
import { fixture } from '../helpers/fixtures';
import { testServers } from '../servers';
import { clientFor, httpStub, rejection, type Stub } from '../upstream/stub';
import { radicale, readContext } from './backend';

const event = (uid: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davgate//test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260101T000000Z\r\n` +
  `DTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:${uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

/** Changes with hrefs as keys, so the server's spelling of an href does not matter. */
const keyed = (changes: SyncChanges) => ({
  changed: changes.changed.map((c) => [hrefKey(c.href), c.etag]).sort(),
  removed: changes.removed.map(hrefKey).sort(),
  truncated: changes.truncated,
});

describe('syncCollection against Radicale', () => {
  const { info, unique } = radicale();
  const { ctx, client } = readContext(info);
  const calendar = `/alice/${unique('sync')}/`;
  const etags: Record<string, string | undefined> = {};
  const put = async (name: string) => {
    const response = await client.send({ method: 'PUT', path: `${calendar}${name}`, headers: { 'Content-Type': 'text/calendar; charset=utf-8' }, body: event(name) });
    expect(response.status).toBe(201);
    etags[name] = response.headers['etag'];
  };
  let first: SyncChanges;

  beforeAll(async () => {
    expect((await client.send({ method: 'MKCALENDAR', path: calendar, headers: {} })).status).toBe(201);
    await put('a.ics');
    await put('b.ics');
  });
  afterAll(() => client.close());

  it('lists every member with its ETag on the initial sync, and a token', async () => {
    first = await syncCollection(ctx, calendar);
    expect(keyed(first)).toEqual({
      changed: [[`${calendar}a.ics`, etags['a.ics']], [`${calendar}b.ics`, etags['b.ics']]],
      removed: [],
      truncated: false,
    });
    expect(first.syncToken).toMatch(/^http:\/\/radicale\.org\/ns\/sync\/[0-9a-f]+$/);
  });

  it('reports exactly what changed since the token: one member added, one removed, and a new token', async () => {
    await put('c.ics');
    expect((await client.send({ method: 'DELETE', path: `${calendar}a.ics`, headers: {} })).status).toBe(200);
    const next = await syncCollection(ctx, calendar, first.syncToken);
    expect(keyed(next)).toEqual({ changed: [[`${calendar}c.ics`, etags['c.ics']]], removed: [`${calendar}a.ics`], truncated: false });
    expect(next.syncToken).not.toBe(first.syncToken);
    // Nothing happened since: an empty change set.
    const again = await syncCollection(ctx, calendar, next.syncToken);
    expect(keyed(again)).toEqual({ changed: [], removed: [], truncated: false });
  });

  it.each([
    ['an unknown token of the right form', 'http://radicale.org/ns/sync/0000'],
    ['token "0" (QUIRKS.md 21)', '0'],
  ])('refuses %s with SYNC_TOKEN_INVALID (Radicale: 403 valid-sync-token)', async (_, token) => {
    expect(await rejection(syncCollection(ctx, calendar, token))).toMatchObject({ code: 'SYNC_TOKEN_INVALID' });
  });

  it('keeps NOT_FOUND for a collection that does not exist, with or without a token', async () => {
    expect(await rejection(syncCollection(ctx, `/alice/${unique('nope')}/`))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(syncCollection(ctx, `/alice/${unique('nope')}/`, first.syncToken))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('syncCollection against Apache mod_dav (no sync-collection: 501)', () => {
  const { ctx, client } = readContext(testServers().apache);
  afterAll(() => client.close());

  it('reports UPSTREAM_STATUS, not SYNC_TOKEN_INVALID, even with a token: the server has no REPORT at all', async () => {
    expect(await rejection(syncCollection(ctx, client.root))).toMatchObject({ code: 'UPSTREAM_STATUS' });
    expect(await rejection(syncCollection(ctx, client.root, 'http://example.com/sync/1'))).toMatchObject({ code: 'UPSTREAM_STATUS' });
  });
});

/*
 * Invalid-token answers of other servers (QUIRKS.md 21) and a truncated answer (RFC 6578
 * §3.6): neither test server produces them, so a stub replays them, recorded where a
 * recording exists.
 */
describe('syncCollection with answers of other servers (stub)', () => {
  let stub: Stub;
  let client: UpstreamClient;
  let ctx: ReadContext;
  let reply: { status: number; body: string | Buffer; type?: string };
  beforeAll(async () => {
    stub = await httpStub((_req, res) => res.writeHead(reply.status, { 'Content-Type': reply.type ?? 'text/xml; charset=utf-8' }).end(reply.body));
    client = clientFor(`${stub.origin}/`);
    ctx = { backend: client, options: {} };
  });
  afterAll(async () => {
    await client.close();
    await stub.close();
  });
  const recorded = (name: string) => {
    const f = fixture('servers', name);
    return { status: f.meta.status, body: f.body, type: f.meta.contentType ?? 'text/plain' };
  };
  const DAV_ERROR = (condition: string) => `<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:${condition}/></D:error>`;

  it('sends REPORT with Depth 0, sync-level 1 and the token as given', async () => {
    reply = recorded('xandikos-sync-collection-after-change');
    await syncCollection(ctx, '/user/calendars/work/', ' 0123&x ');
    const seen = stub.requests.at(-1);
    expect([seen?.method, seen?.url, seen?.headers['depth']]).toEqual(['REPORT', '/user/calendars/work/', '0']);
    const body = parseXmlDocument(seen?.body ?? '');
    expect(body.value).toEqual([
      { name: '{DAV:}sync-token', value: ' 0123&x ' },
      { name: '{DAV:}sync-level', value: '1' },
      { name: '{DAV:}prop', value: [{ name: '{DAV:}getetag', value: null }] },
    ]);
  });

  it('reads xandikos: the token after the responses, a bare sha kept as text', async () => {
    reply = recorded('xandikos-sync-collection-after-change');
    expect(await syncCollection(ctx, '/user/calendars/work/', 'abc')).toEqual({
      syncToken: '4d6d635e5257ccf91252db0142aea5cb5e559174',
      changed: [{ href: '/user/calendars/work/later.ics', etag: '"487a3db0023db6240179cddd4c2e04a5601bd95a"' }],
      removed: ['/user/calendars/work/weekly.ics'],
      truncated: false,
    });
  });

  it.each([
    ['403 valid-sync-token (Radicale, recorded)', () => recorded('radicale-sync-collection-invalid-token')],
    ['403 without a condition', () => ({ status: 403, body: '' })],
    ['409', () => ({ status: 409, body: '' })],
    ['412', () => ({ status: 412, body: DAV_ERROR('no-such-thing') })],
    ['415 (token "0")', () => ({ status: 415, body: 'Unsupported Media Type', type: 'text/plain' })],
    ['418 (Nextcloud after deletions)', () => ({ status: 418, body: '<html>I am a teapot</html>', type: 'text/html' })],
    ['500 (xandikos, recorded)', () => recorded('xandikos-sync-collection-invalid-token')],
  ])('turns %s into SYNC_TOKEN_INVALID when a token was sent', async (_, answer) => {
    reply = answer();
    const error = await rejection(syncCollection(ctx, '/cal/', 'http://example.com/sync/7'));
    expect(error).toMatchObject({ code: 'SYNC_TOKEN_INVALID' });
    expect(error.message).toContain(`answered ${reply.status}`);
  });

  it('takes a valid-sync-token condition as SYNC_TOKEN_INVALID even on the initial sync', async () => {
    reply = { status: 403, body: DAV_ERROR('valid-sync-token') };
    expect(await rejection(syncCollection(ctx, '/cal/'))).toMatchObject({ code: 'SYNC_TOKEN_INVALID' });
  });

  it.each([
    [403, undefined, 'FORBIDDEN'],
    [500, undefined, 'UPSTREAM_STATUS'],
    [401, 'tok', 'UNAUTHENTICATED'],
    [404, 'tok', 'NOT_FOUND'],
    [405, 'tok', 'UPSTREAM_STATUS'],
    [429, 'tok', 'UPSTREAM_STATUS'],
  ])('keeps %i (token %p) as %s', async (status, token, code) => {
    reply = { status, body: '' };
    expect(await rejection(syncCollection(ctx, '/cal/', token))).toMatchObject({ code });
  });

  it('reports a 507 for the collection as truncated, and never lists the collection as a member (§3.6)', async () => {
    reply = {
      status: 207,
      body: '<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">' +
        '<D:response><D:href>/cal/1.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>' +
        '<D:response><D:href>/cal/2.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>' +
        '<D:response><D:href>http://127.0.0.1/cal</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response>' +
        '<D:sync-token>http://example.com/sync/8</D:sync-token></D:multistatus>',
    };
    expect(await syncCollection(ctx, '/cal/', 'http://example.com/sync/7')).toEqual({
      syncToken: 'http://example.com/sync/8',
      changed: [{ href: '/cal/1.ics', etag: '"1"' }],
      removed: ['/cal/2.ics'],
      truncated: true,
    });
  });

  it('refuses a 207 without a sync-token as UPSTREAM_MALFORMED', async () => {
    reply = { status: 207, body: '<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"/>' };
    expect(await rejection(syncCollection(ctx, '/cal/'))).toMatchObject({ code: 'UPSTREAM_MALFORMED' });
  });
});
