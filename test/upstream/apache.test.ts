/**
 * The upstream client against the real Apache httpd of test/servers: Digest auth at /digest/
 * (mod_auth_digest: MD5, qop=auth) answered from basic-mode credentials, and Basic at /dav/.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_LIMITS } from '../../src/upstream/backend';
import { UpstreamClient } from '../../src/upstream/client';
import { testServers } from '../servers';

const PROPFIND = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>';

describe('UpstreamClient against Apache', () => {
  const clients: UpstreamClient[] = [];
  const client = (which: 'apache' | 'apacheDigest', password?: string) => {
    const info = testServers()[which];
    const c = new UpstreamClient({ name: which, url: info.url, auth: { mode: 'basic', username: info.username, password: password ?? info.password }, limits: DEFAULT_LIMITS });
    clients.push(c);
    return c;
  };
  afterAll(() => Promise.all(clients.map((c) => c.close())));

  it('answers the Digest challenge of /digest/ for a PROPFIND (207)', async () => {
    const c = client('apacheDigest');
    const response = await c.send({ method: 'PROPFIND', path: c.root, headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' }, body: PROPFIND });
    expect(response.status).toBe(207);
    expect(response.body.toString()).toContain('multistatus');
  });

  it('keeps answering with the next nonce count, and sends a PUT body again after the challenge', async () => {
    const c = client('apacheDigest');
    const name = `digest-${randomBytes(4).toString('hex')} é.txt`;
    const put = await c.send({ method: 'PUT', path: c.resolveHref(name), headers: { 'Content-Type': 'text/plain' }, body: 'hello digest' });
    expect(put.status).toBe(201);
    const get = await c.send({ method: 'GET', path: c.resolveHref(name), headers: {} });
    expect([get.status, get.body.toString()]).toEqual([200, 'hello digest']);
    expect((await c.send({ method: 'DELETE', path: c.resolveHref(name), headers: {} })).status).toBe(204);
  });

  it('passes Apache\'s 401 on for a wrong password', async () => {
    const c = client('apacheDigest', 'wrong');
    expect((await c.send({ method: 'PROPFIND', path: c.root, headers: { Depth: '0' } })).status).toBe(401);
  });

  it('sends Basic credentials to /dav/', async () => {
    const c = client('apache');
    expect((await c.send({ method: 'PROPFIND', path: c.root, headers: { Depth: '0' } })).status).toBe(207);
  });
});
