import type { ServerResponse } from 'node:http';
import { discoverPrincipal } from '../../src/reads/discovery';
import type { ReadContext } from '../../src/reads/read';
import { DEFAULT_LIMITS } from '../../src/upstream/backend';
import { UpstreamClient } from '../../src/upstream/client';
import { testServers } from '../servers';
import { clientFor, httpStub, rejection, type SeenRequest, type Stub } from '../upstream/stub';
import { radicale, readContext } from './backend';

describe('discoverPrincipal against Radicale', () => {
  const { info } = radicale();
  const { ctx, client } = readContext(info);
  afterAll(() => client.close());

  // Radicale answers /.well-known/caldav with a 301 to / (for PROPFIND as for GET; only a GET
  // of / goes on to the web UI at /.web), and / names alice's principal.
  it('finds alice through /.well-known/caldav and its redirect to /, with both home sets', async () => {
    expect(await discoverPrincipal(ctx)).toEqual({
      href: '/alice/',
      displayName: undefined,
      calendarHomeSet: ['/alice/'],
      addressBookHomeSet: ['/alice/'],
      foundVia: '.well-known /.well-known/caldav -> /',
    });
  });

  it('finds the same principal when given /alice/ as the url', async () => {
    const principal = await discoverPrincipal(ctx, '/alice/');
    expect(principal).toMatchObject({ href: '/alice/', calendarHomeSet: ['/alice/'], addressBookHomeSet: ['/alice/'] });
  });

  it('reports wrong credentials as UNAUTHENTICATED, not as a missing principal', async () => {
    const wrong = new UpstreamClient({ name: 'radicale', url: info.url, auth: { mode: 'basic', username: info.username, password: 'wrong' }, limits: { ...DEFAULT_LIMITS } });
    try {
      expect(await rejection(discoverPrincipal({ backend: wrong, options: {} }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      await wrong.close();
    }
  });
});

describe('discoverPrincipal against Apache mod_dav (no principals)', () => {
  const { ctx, client } = readContext(testServers().apache);
  afterAll(() => client.close());

  it('fails with DISCOVERY_FAILED, naming each candidate and why it gave nothing', async () => {
    const error = await rejection(discoverPrincipal(ctx, '/dav/'));
    expect(error).toMatchObject({ code: 'DISCOVERY_FAILED' });
    // /.well-known/* is outside the backend root /dav/, so never asked; /dav/ has no current-user-principal (404 propstat).
    expect(error.message).toContain('.well-known /.well-known/caldav: outside the backend root /dav/');
    expect(error.message).toContain('url /dav/: /dav/ has no {DAV:}current-user-principal');
    expect(error.message).toContain('root /dav/: /dav/ was already asked');
  });
});

/*
 * Redirect rules. No test server redirects on demand to another origin, to a path outside
 * the root, or through a chain of hops, so these use stub HTTP servers behind the real
 * upstream client; a second stub stands for "another host" and must never see a request.
 */
type Route = (res: ServerResponse, seen: SeenRequest) => void;

const multistatus = (href: string, props: string, status = '200 OK') =>
  `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:R="urn:ietf:params:xml:ns:carddav">` +
  `<D:response><D:href>${href}</D:href><D:propstat><D:prop>${props}</D:prop><D:status>HTTP/1.1 ${status}</D:status></D:propstat></D:response></D:multistatus>`;
const answer = (status: number, body = '', headers: Record<string, string> = {}): Route => (res) => res.writeHead(status, { 'Content-Type': 'application/xml', ...headers }).end(body);
const redirect = (status: number, location: string): Route => answer(status, '', { Location: location });
/** A principal-bearing resource: current-user-principal when asked for it, else the principal's own properties. */
const principalAt = (href: string, principal: string): Route => (res, seen) => {
  const body = seen.body.toString().includes('current-user-principal')
    ? multistatus(href, `<D:current-user-principal><D:href>${principal}</D:href></D:current-user-principal>`)
    : multistatus(href, '<D:displayname>Alice</D:displayname><D:resourcetype><D:principal/></D:resourcetype>' +
      '<C:calendar-home-set><D:href>/cal/alice/</D:href><D:href>/cal/shared/</D:href></C:calendar-home-set>' +
      '<R:addressbook-home-set> <D:href> /card/alice/ </D:href> </R:addressbook-home-set>');
  answer(207, body)(res, seen);
};

describe('discoverPrincipal redirect rules (stub backends)', () => {
  const stubs: Stub[] = [];
  const clients: UpstreamClient[] = [];
  let elsewhere: Stub;
  const backend = async (routes: Record<string, Route>, root = '/'): Promise<{ ctx: ReadContext; stub: Stub }> => {
    const stub = await httpStub((_req, res, seen) => (routes[seen.url] ?? answer(404))(res, seen));
    const client = clientFor(`${stub.origin}${root}`);
    stubs.push(stub);
    clients.push(client);
    return { ctx: { backend: client, options: {} }, stub };
  };
  beforeAll(async () => {
    elsewhere = await httpStub((_req, res, seen) => principalAt('/', '/evil/')(res, seen));
  });
  afterEach(() => expect(elsewhere.requests).toEqual([]));
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([...stubs, elsewhere].map((s) => s.close()));
  });

  it('never follows a redirect off the backend, and moves on to the next candidate', async () => {
    const { ctx, stub } = await backend({
      '/.well-known/caldav': redirect(301, `${elsewhere.origin}/principals/`),
      '/.well-known/carddav': redirect(302, `//127.0.0.1:${new URL(elsewhere.origin).port}/principals/`),
      '/': principalAt('/', '/p/alice/'),
      '/p/alice/': principalAt('/p/alice/', '/p/alice/'),
    });
    const principal = await discoverPrincipal(ctx);
    expect(principal).toEqual({
      href: '/p/alice/',
      displayName: 'Alice',
      calendarHomeSet: ['/cal/alice/', '/cal/shared/'],
      addressBookHomeSet: ['/card/alice/'],
      foundVia: 'root /',
    });
    expect(stub.requests.map((r) => `${r.method} ${r.url} ${r.headers['depth']}`)).toEqual([
      'PROPFIND /.well-known/caldav 0',
      'PROPFIND /.well-known/carddav 0',
      'PROPFIND / 0',
      'PROPFIND /p/alice/ 0',
    ]);
  });

  it('follows redirects that stay on the backend: an absolute path, then a relative reference', async () => {
    const { ctx, stub } = await backend({
      '/.well-known/caldav': redirect(301, '/caldav/'),
      '/caldav/': redirect(307, 'principals/'),
      '/caldav/principals/': principalAt('/caldav/principals/', '/caldav/principals/alice/'),
      '/caldav/principals/alice/': principalAt('/caldav/principals/alice/', '/caldav/principals/alice/'),
    });
    const principal = await discoverPrincipal(ctx, '/ignored/');
    expect(principal).toMatchObject({ href: '/caldav/principals/alice/', foundVia: '.well-known /.well-known/caldav -> /caldav/ -> /caldav/principals/' });
    expect(stub.requests.map((r) => r.url)).toEqual(['/.well-known/caldav', '/caldav/', '/caldav/principals/', '/caldav/principals/alice/']);
  });

  it('follows an absolute URL on the backend origin', async () => {
    let origin = '';
    const { ctx } = await backend({
      '/.well-known/caldav': (res, seen) => redirect(308, `${origin}/dav-home/`)(res, seen),
      '/dav-home/': principalAt('/dav-home/', '/dav-home/me/'),
      '/dav-home/me/': principalAt('/dav-home/me/', '/dav-home/me/'),
    });
    origin = (ctx.backend as UpstreamClient).origin;
    expect(await discoverPrincipal(ctx)).toMatchObject({ href: '/dav-home/me/', foundVia: '.well-known /.well-known/caldav -> /dav-home/' });
  });

  it('skips candidates outside the backend root and does not follow a redirect out of it', async () => {
    const { ctx, stub } = await backend({
      '/dav/start/': redirect(302, '/elsewhere/'),
      '/elsewhere/': principalAt('/elsewhere/', '/elsewhere/alice/'),
      '/dav/': answer(404),
    }, '/dav/');
    const error = await rejection(discoverPrincipal(ctx, '/dav/start/'));
    expect(error).toMatchObject({ code: 'DISCOVERY_FAILED' });
    expect(error.message).toContain('.well-known /.well-known/carddav: outside the backend root /dav/');
    expect(error.message).toContain('url /dav/start/: /dav/start/ redirects off the backend to "/elsewhere/", not followed');
    expect(stub.requests.map((r) => r.url)).toEqual(['/dav/start/', '/dav/']);
  });

  it('stops after three redirects, and does not ask a path twice', async () => {
    const { ctx, stub } = await backend({
      '/.well-known/caldav': redirect(302, '/r1/'),
      '/r1/': redirect(302, '/r2/'),
      '/r2/': redirect(302, '/r3/'),
      '/r3/': redirect(302, '/r4/'),
      '/r4/': principalAt('/r4/', '/r4/alice/'),
      '/.well-known/carddav': redirect(302, '/r1/'),
      '/': answer(207, multistatus('/', '<D:current-user-principal/>', '404 Not Found')),
    });
    const error = await rejection(discoverPrincipal(ctx));
    expect(error).toMatchObject({ code: 'DISCOVERY_FAILED' });
    expect(error.message).toContain('more than 3 redirects');
    expect(stub.requests.map((r) => r.url)).toEqual(['/.well-known/caldav', '/r1/', '/r2/', '/r3/', '/.well-known/carddav', '/']);
  });
});
