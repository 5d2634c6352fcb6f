import { randomBytes } from 'node:crypto';
import { dav } from '../../src/model/clark';
import { hrefKey } from '../../src/model/href';
import { getListing, getResource, type ResourceInfo } from '../../src/reads/properties';
import type { ReadContext } from '../../src/reads/read';
import type { UpstreamClient } from '../../src/upstream/client';
import { propertyUpdateBody } from '../../src/xml/request-bodies';
import { fixture } from '../helpers/fixtures';
import { testServers } from '../servers';
import { clientFor, httpStub, rejection, type Stub } from '../upstream/stub';
import { readContext } from './backend';

const COLOR = '{urn:x-davgate:test}color';
const OTHER_COLOR = '{urn:x-davgate:other}color';

const byKey = (resources: readonly ResourceInfo[]) => Object.fromEntries(resources.map((r) => [hrefKey(r.href), r]));
const prop = (resource: ResourceInfo, name: string) => resource.properties.find((p) => p.name === name);

describe('properties and listings against Apache mod_dav', () => {
  let ctx: ReadContext;
  let client: UpstreamClient;
  let tree: string;
  const send = async (method: string, href: string, body?: string, headers: Record<string, string> = {}) => {
    const response = await client.send({ method, path: client.resolveHref(href), headers, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBeLessThan(300);
    return response;
  };

  beforeAll(async () => {
    ({ ctx, client } = readContext(testServers().apache));
    // Each run gets its own tree: tree/a.txt, tree/notes é.txt, tree/sub/c.txt.
    tree = `${client.root}props-${randomBytes(4).toString('hex')}/`;
    await send('MKCOL', tree);
    await send('PUT', `${tree}a.txt`, 'hello', { 'Content-Type': 'text/plain' });
    await send('PUT', `${tree}notes é.txt`, 'some notes', { 'Content-Type': 'text/plain' });
    await send('MKCOL', `${tree}sub/`);
    await send('PUT', `${tree}sub/c.txt`, 'deeper', { 'Content-Type': 'text/plain' });
    await send('PROPPATCH', `${tree}a.txt`, propertyUpdateBody([[COLOR, { value: 'blue' }]], []), { 'Content-Type': 'application/xml; charset=utf-8' });
  });
  afterAll(() => client.close());

  it('lists a collection with Depth 1: itself as self, exactly its direct members with their types', async () => {
    const listing = await getListing(ctx, tree, 1);
    expect(listing.href).toBe(client.resolveHref(tree));
    expect(listing.self?.type).toBe('COLLECTION');
    expect(listing.self?.resourceTypes).toEqual([dav('collection')]);
    const members = byKey(listing.members);
    expect(Object.keys(members).sort()).toEqual([`${tree}a.txt`, `${tree}notes é.txt`, `${tree}sub/`].map((h) => hrefKey(client.resolveHref(h))).sort());
    expect(Object.values(members).map((m) => [hrefKey(m.href).split('/').pop(), m.type]).sort()).toEqual([
      ['a.txt', 'FILE'],
      ['notes%20%C3%A9.txt', 'FILE'],
      ['sub', 'COLLECTION'],
    ]);
  });

  it('lists with Depth 0: only the collection itself', async () => {
    const listing = await getListing(ctx, tree, 0);
    expect(listing.members).toEqual([]);
    expect(listing.self?.type).toBe('COLLECTION');
    expect(hrefKey(listing.self?.href ?? '')).toBe(hrefKey(client.resolveHref(tree)));
  });

  it('reads the live properties of a file with allprop, the dead one included', async () => {
    const get = await client.send({ method: 'GET', path: client.resolveHref(`${tree}a.txt`), headers: {} });
    const a = await getResource(ctx, `${tree}a.txt`);
    expect(a).toMatchObject({ type: 'FILE', resourceTypes: [], contentLength: 5, contentType: 'text/plain', etag: get.headers['etag'], missing: [] });
    expect(a.lastModified).toBe(get.headers['last-modified']);
    expect(prop(a, COLOR)).toMatchObject({ status: 200, missing: false, value: { value: 'blue' }, namespace: 'urn:x-davgate:test', localName: 'color' });
  });

  it('reads named properties: a dead property found, one in another namespace missing with 404', async () => {
    const a = await getResource(ctx, `${tree}a.txt`, [COLOR, OTHER_COLOR, dav('getcontentlength')]);
    expect(prop(a, COLOR)).toMatchObject({ status: 200, missing: false, value: { value: 'blue' } });
    expect(prop(a, OTHER_COLOR)).toMatchObject({ status: 404, missing: true });
    expect(a.missing).toEqual([OTHER_COLOR]);
    expect(a.contentLength).toBe(5);
    // resourcetype is always asked for, so the type is known even when not named.
    expect(a.type).toBe('FILE');
    expect(a.etag).toBeUndefined();
  });

  it('lists a subcollection by a differently spelled href (no trailing slash)', async () => {
    const listing = await getListing(ctx, `${tree}sub`, 1);
    expect(listing.self?.type).toBe('COLLECTION');
    expect(listing.members.map((m) => hrefKey(m.href))).toEqual([hrefKey(client.resolveHref(`${tree}sub/c.txt`))]);
  });

  it('reports a missing resource as NOT_FOUND', async () => {
    expect(await rejection(getResource(ctx, `${tree}nope.txt`))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a property name that is not a Clark name before sending anything', async () => {
    expect(await rejection(getResource(ctx, `${tree}a.txt`, ['D:displayname']))).toMatchObject({ code: 'INPUT_INVALID' });
  });
});

/*
 * nginx (dav-ext) silently leaves out properties it does not have (QUIRKS.md 14); no test
 * server behaves like that, so a stub replays nginx's recorded answers.
 */
describe('properties a server silently leaves out (nginx, recorded)', () => {
  let stub: Stub;
  let ctx: ReadContext;
  let client: UpstreamClient;
  let body: Buffer;
  beforeAll(async () => {
    stub = await httpStub((_req, res) => res.writeHead(207, { 'Content-Type': 'text/xml; charset=utf-8' }).end(body));
    client = clientFor(stub.url);
    ctx = { backend: client, options: {} };
  });
  afterAll(async () => {
    await client.close();
    await stub.close();
  });

  it('adds every asked property nginx did not mention to missing, with status null', async () => {
    body = fixture('servers', 'nginx-propfind-depth0-named').body;
    const author = '{http://example.com/ns/corpus}author';
    const names = [dav('displayname'), dav('resourcetype'), dav('getetag'), dav('getcontentlength'), dav('getlastmodified'), author];
    const coll = await getResource(ctx, '/dav/coll/', names);
    expect(coll.missing).toEqual([dav('getetag'), dav('getcontentlength'), author]);
    expect(prop(coll, author)).toEqual({ name: author, namespace: 'http://example.com/ns/corpus', localName: 'author', status: null, missing: true, value: { value: null } });
    expect(coll).toMatchObject({ type: 'COLLECTION', displayName: 'coll', lastModified: 'Sun, 22 Nov 2026 01:08:55 GMT' });
    expect(stub.requests.at(-1)?.headers['depth']).toBe('0');
  });

  it('does the same for every member of a Depth 1 listing with empty props, in document order', async () => {
    body = fixture('servers', 'nginx-propfind-only-unknown').body;
    const names = ['{http://example.com/ns/corpus}author', '{http://example.com/ns/corpus}editor'];
    const listing = await getListing(ctx, '/dav/coll/', 1, names);
    expect(listing.self?.href).toBe('/dav/coll/');
    expect(listing.members.map((m) => m.href)).toEqual(['/dav/coll/r&d%20[1].txt', '/dav/coll/caf%C3%A9%20menu.txt', '/dav/coll/sub/', '/dav/coll/a.txt']);
    for (const resource of [listing.self, ...listing.members]) expect(resource?.missing).toEqual([...names, dav('resourcetype')]);
    expect(stub.requests.at(-1)?.headers['depth']).toBe('1');
  });

  it('takes a 207 whose only propstat is 404 for a missing resource (QUIRKS.md 4) as NOT_FOUND', async () => {
    body = Buffer.from('<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/gone.txt</D:href><D:propstat><D:prop><D:displayname/><D:resourcetype/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>');
    expect(await rejection(getResource(ctx, '/dav/gone.txt', [dav('displayname')]))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
