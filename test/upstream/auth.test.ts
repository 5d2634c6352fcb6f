/**
 * Auth modes, seen from a local node:http stub that records the Authorization header it got
 * (a real server would only say yes or no), and failures provoked on a port nothing listens on.
 */
import { inspect } from 'node:util';
import type { BackendAuth } from '../../src/upstream/backend';
import type { UpstreamClient } from '../../src/upstream/client';
import { clientFor, freePort, httpStub, rejection, type Stub } from './stub';

const PASSWORD = 'pässwörd:with:colons';
const TOKEN = 'tok3n.SECRET-value_42';
const CALLER = 'Basic Y2FsbGVyOmNhbGxlci1zZWNyZXQ=';

let stub: Stub;
const clients: UpstreamClient[] = [];
const client = (auth: BackendAuth, url = stub.url) => {
  const c = clientFor(url, auth, { retries: 0 });
  clients.push(c);
  return c;
};

beforeEach(async () => {
  stub = await httpStub((_req, res) => {
    res.writeHead(200);
    res.end();
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stub.close();
});

const get = (c: UpstreamClient, authorization?: string) =>
  c.send({ method: 'GET', path: '/dav/a', headers: { Authorization: 'Bearer from-the-planner' } }, authorization === undefined ? {} : { authorization });

describe('auth modes', () => {
  it('passthrough forwards the caller\'s Authorization, and none when the caller sent none', async () => {
    const c = client({ mode: 'passthrough' });
    await get(c, CALLER);
    await get(c);
    expect(stub.requests.map((r) => r.headers.authorization)).toEqual([CALLER, undefined]);
  });

  it('basic sends the configured credentials (UTF-8) and ignores the caller\'s', async () => {
    await get(client({ mode: 'basic', username: 'alice', password: PASSWORD }), CALLER);
    const sent = stub.requests[0]?.headers.authorization ?? '';
    expect(sent).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`, 'utf8').toString('base64')}`);
    expect(stub.requests[0]?.headerNames.filter((n) => n.toLowerCase() === 'authorization')).toHaveLength(1);
  });

  it('bearer sends the configured token and ignores the caller\'s', async () => {
    await get(client({ mode: 'bearer', token: TOKEN }), CALLER);
    expect(stub.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('refuses credentials that cannot be sent, as CONFIG_INVALID without repeating them', () => {
    const bad: BackendAuth[] = [
      { mode: 'basic', username: 'a:b', password: PASSWORD },
      { mode: 'basic', username: '', password: PASSWORD },
      { mode: 'basic', username: 'alice', password: `${PASSWORD}\r\n` },
      { mode: 'bearer', token: `${TOKEN} x` },
      { mode: 'bearer', token: '' },
      { mode: 'digest' } as unknown as BackendAuth,
    ];
    for (const auth of bad) {
      let error: (Error & { code?: string }) | undefined;
      try {
        client(auth);
      } catch (e) {
        error = e as Error & { code?: string };
      }
      expect(error?.code).toBe('CONFIG_INVALID');
      expect(error?.message).not.toMatch(/pässwörd|tok3n/);
    }
  });
});

describe('credentials never leak', () => {
  const secrets = [PASSWORD, TOKEN, 'caller-secret', Buffer.from(`alice:${PASSWORD}`).toString('base64'), 'Y2FsbGVyOmNhbGxlci1zZWNyZXQ'];
  const modes: BackendAuth[] = [{ mode: 'basic', username: 'alice', password: PASSWORD }, { mode: 'bearer', token: TOKEN }, { mode: 'passthrough' }];

  it.each(modes)('not in messages, JSON or inspection of the client ($mode)', async (auth) => {
    const refused = `http://127.0.0.1:${await freePort()}/dav/`;
    const c = client(auth, refused);
    const error = await rejection(get(c, CALLER));
    expect(error.code).toBe('UPSTREAM_REFUSED');
    const texts = [error.message, String(error.stack), inspect(error, { depth: 5 }), JSON.stringify(c), inspect(c, { depth: 5, showHidden: true })];
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(error.message).toContain("GET /dav/a on backend 'stub'");
  });
});
