/**
 * Smoke test of the real servers global setup started (test/servers), through plain fetch:
 * they answer, they demand credentials, and the credentials handed to the tests work.
 */
import { createHash, randomBytes } from 'node:crypto';
import { basicAuth, type ServerInfo, SERVERS_ENV, testServers } from './index';

const PROPFIND_BODY = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>';

function propfind(url: string, authorization?: string): Promise<Response> {
  return fetch(url, {
    method: 'PROPFIND',
    headers: {
      Depth: '0',
      'Content-Type': 'application/xml; charset=utf-8',
      ...(authorization === undefined ? {} : { Authorization: authorization }),
    },
    body: PROPFIND_BODY,
    signal: AbortSignal.timeout(10_000),
  });
}

/** The parameters of a `WWW-Authenticate: Digest a="b", c=d` challenge. */
function digestParams(challenge: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const m of challenge.replace(/^Digest\s+/i, '').matchAll(/([\w-]+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params.set((m[1] ?? '').toLowerCase(), m[2] ?? m[3] ?? '');
  }
  return params;
}

/** RFC 2617 Digest (MD5, qop=auth) answer to `challenge`, just enough for the smoke test. */
function digestAuth(info: ServerInfo, method: string, url: string, challenge: string): string {
  const p = digestParams(challenge);
  const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');
  const realm = p.get('realm') ?? '';
  const nonce = p.get('nonce') ?? '';
  const uri = new URL(url).pathname;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const ha1 = md5(`${info.username}:${realm}:${info.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${info.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=MD5, response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

describe('test servers (started by global setup)', () => {
  const servers = testServers();

  it('are described to the jest worker through the environment', () => {
    expect(process.env[SERVERS_ENV]).toMatch(/servers\.json$/);
    for (const info of Object.values(servers)) {
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/(dav\/|digest\/)?$/);
      expect(info.username).toBe('alice');
      expect(info.password.length).toBeGreaterThan(8);
    }
    expect(servers.apache.version).toMatch(/^Apache\/2\.4\./);
    expect(servers.radicale.version).toMatch(/^Radicale 3\./);
  });

  it.each(['apache', 'radicale'] as const)('%s: PROPFIND Depth 0 with Basic auth is 207, without auth 401', async (name) => {
    const info = servers[name];
    const ok = await propfind(info.url, basicAuth(info));
    expect(ok.status).toBe(207);
    expect(await ok.text()).toContain('multistatus');
    const anonymous = await propfind(info.url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    await anonymous.arrayBuffer();
    const wrong = await propfind(info.url, basicAuth({ ...info, password: `${info.password}x` }));
    expect(wrong.status).toBe(401);
    await wrong.arrayBuffer();
  });

  it('apacheDigest: a Basic header gets 401 with a Digest challenge; the Digest answer gets 207', async () => {
    const info = servers.apacheDigest;
    const anonymous = await propfind(info.url);
    expect(anonymous.status).toBe(401);
    await anonymous.arrayBuffer();
    const basic = await propfind(info.url, basicAuth(info));
    expect(basic.status).toBe(401);
    await basic.arrayBuffer();
    const challenge = basic.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Digest /);
    expect(digestParams(challenge).get('realm')).toBe('davgate-digest');
    expect(digestParams(challenge).get('qop')).toBe('auth');
    const ok = await propfind(info.url, digestAuth(info, 'PROPFIND', info.url, challenge));
    expect(ok.status).toBe(207);
    expect(await ok.text()).toContain('multistatus');
  });

  it('radicale: MKCALENDAR in /alice/ is 201', async () => {
    const info = servers.radicale;
    const url = new URL(`alice/smoke-${randomBytes(6).toString('hex')}/`, info.url).href;
    const res = await fetch(url, { method: 'MKCALENDAR', headers: { Authorization: basicAuth(info) }, signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(201);
    await res.arrayBuffer();
  });
});
