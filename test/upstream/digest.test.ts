import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpstreamClient } from '../../src/upstream/client';
import { digestAuthorization, parseChallenges, pickDigestChallenge, type DigestChallenge } from '../../src/upstream/digest';
import { clientFor, httpStub, type SeenRequest, type Stub } from './stub';

/** The parameters of an Authorization (or challenge) value, parsed independently of digest.ts. */
function params(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.replace(/^\w+\s+/, '').matchAll(/([\w*-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    out[(m[1] ?? '').toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}

// RFC 7616 §3.9.1: the same challenge offered with SHA-256 and with MD5.
const RFC_SHA256 =
  'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
const RFC_MD5 = RFC_SHA256.replace('SHA-256', 'MD5');
const RFC_CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

describe('digestAuthorization: RFC 7616 §3.9.1 known answers', () => {
  const answer = (header: string) => {
    const challenge = pickDigestChallenge(parseChallenges([header])) as DigestChallenge;
    return params(digestAuthorization({ challenge, username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', cnonce: RFC_CNONCE, nc: 1 }));
  };

  it('MD5', () => {
    expect(answer(RFC_MD5)).toEqual({
      username: 'Mufasa',
      realm: 'http-auth@example.org',
      uri: '/dir/index.html',
      algorithm: 'MD5',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      nc: '00000001',
      cnonce: RFC_CNONCE,
      qop: 'auth',
      response: '8ca523f5e9506fed4657c9700eebdbec',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    });
  });

  it('SHA-256', () => {
    expect(answer(RFC_SHA256).response).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('RFC 2617 §3.5 (MD5 by default when the challenge names no algorithm)', () => {
    const challenge = pickDigestChallenge(
      parseChallenges(['Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"']),
    ) as DigestChallenge;
    const header = digestAuthorization({ challenge, username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', cnonce: '0a4f113b', nc: 1 });
    expect(params(header).response).toBe('6629fae49393a05397450978507c4ef1');
    expect(header).not.toContain('algorithm=');
  });
});

describe('parseChallenges and pickDigestChallenge', () => {
  it('prefers SHA-256 whatever the order, in one field or two', () => {
    for (const values of [[RFC_MD5, RFC_SHA256], [`${RFC_MD5}, ${RFC_SHA256}`], [`Basic realm="x", ${RFC_MD5}`, RFC_SHA256]]) {
      expect(pickDigestChallenge(parseChallenges(values))?.algorithm).toBe('SHA-256');
    }
  });

  it('reads quoted commas, escapes, token values and other schemes', () => {
    const challenges = parseChallenges(['Negotiate, Bearer abc==, Basic realm="a, \\"b\\"", Digest realm="r", nonce=n0, algorithm=md5, qop=auth, stale=TRUE']);
    expect(challenges.map((c) => c.scheme)).toEqual(['negotiate', 'bearer', 'basic', 'digest']);
    expect(challenges[2]?.params.get('realm')).toBe('a, "b"');
    expect(pickDigestChallenge(challenges)).toEqual({ realm: 'r', nonce: 'n0', algorithm: 'MD5', algorithmNamed: true, qop: 'auth', stale: true });
  });

  it('skips what it cannot answer and takes qop auth-int or none only as a fallback', () => {
    expect(pickDigestChallenge(parseChallenges(['Digest realm="r", nonce="n", algorithm=SHA-512-256']))).toBeUndefined();
    expect(pickDigestChallenge(parseChallenges(['Digest realm="r"']))).toBeUndefined();
    expect(pickDigestChallenge(parseChallenges(['Digest realm="r", nonce="n", qop="auth-conf"']))).toBeUndefined();
    expect(pickDigestChallenge(parseChallenges(['Digest realm="r", nonce="n", algorithm=MD5-sess']))).toBeUndefined();
    expect(pickDigestChallenge(parseChallenges(['Digest realm="r", nonce="n", qop="auth-int"']))?.qop).toBe('auth-int');
    expect(pickDigestChallenge(parseChallenges(['Digest realm="r", nonce="n"']))?.qop).toBeUndefined();
    expect(pickDigestChallenge(parseChallenges(['Basic realm="r"']))).toBeUndefined();
    expect(parseChallenges(['', ',,', '"garbage'])).toEqual([]);
  });

  it('answers qop=auth-int with the body hash, -sess with the session key, no qop the RFC 2069 way', () => {
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const base = { username: 'u', password: 'p', method: 'PUT', uri: '/x', cnonce: 'c', nc: 2, body: Buffer.from('body') };
    const pick = (h: string) => pickDigestChallenge(parseChallenges([h])) as DigestChallenge;
    const ha1 = md5('u:r:p');
    const int = params(digestAuthorization({ ...base, challenge: pick('Digest realm="r", nonce="n", qop="auth-int"') }));
    expect(int).toMatchObject({ qop: 'auth-int', nc: '00000002', response: md5(`${ha1}:n:00000002:c:auth-int:${md5(`PUT:/x:${md5('body')}`)}`) });
    const sess = params(digestAuthorization({ ...base, challenge: pick('Digest realm="r", nonce="n", qop=auth, algorithm=MD5-sess') }));
    expect(sess.response).toBe(md5(`${md5(`${ha1}:n:c`)}:n:00000002:c:auth:${md5('PUT:/x')}`));
    const old = params(digestAuthorization({ ...base, challenge: pick('Digest realm="r", nonce="n"') }));
    expect(old.response).toBe(md5(`${ha1}:n:${md5('PUT:/x')}`));
    expect(old.nc).toBeUndefined();
  });

  it('escapes quoted values and sends a non-ASCII username as username*', () => {
    const challenge = pickDigestChallenge(parseChallenges(['Digest realm="a\\"b", nonce="n", qop=auth'])) as DigestChallenge;
    const header = digestAuthorization({ challenge, username: 'Jäsøn Doe', password: 'p', method: 'GET', uri: '/', cnonce: 'c', nc: 1 });
    expect(header).toContain('realm="a\\"b"');
    expect(header).toContain("username*=UTF-8''J%C3%A4s%C3%B8n%20Doe");
  });
});

/**
 * A local node:http server that demands Digest auth and checks each answer with its own
 * computation (the real Apache /digest/ location is exercised in apache.test.ts; this one can
 * rotate nonces and count requests).
 */
function digestServer(options: { algorithms: string[]; user: string; password: string; staleAfter?: number }) {
  let nonce = randomBytes(8).toString('hex');
  let answered = 0;
  const challenge = (stale: boolean) =>
    options.algorithms.map((a) => `Digest realm="stub", qop="auth", algorithm=${a}, nonce="${nonce}", opaque="op"${stale ? ', stale=true' : ''}`);
  return (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => {
    const auth = params(req.headers.authorization ?? '');
    const valid = (req.headers.authorization ?? '').startsWith('Digest ') && verify(auth, seen, options);
    if (valid && auth.nonce === nonce) {
      answered++;
      if (options.staleAfter !== undefined && answered === options.staleAfter) nonce = randomBytes(8).toString('hex');
      res.writeHead(seen.method === 'PUT' ? 201 : 207);
      res.end(seen.method === 'PUT' ? '' : '<multistatus xmlns="DAV:"/>');
      return;
    }
    res.writeHead(401, { 'WWW-Authenticate': challenge(valid) });
    res.end('denied');
  };
}

function verify(auth: Record<string, string>, seen: SeenRequest, options: { user: string; password: string }): boolean {
  const algorithm = auth.algorithm ?? 'MD5';
  const hash = (s: string) => createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5').update(s).digest('hex');
  const ha1 = hash(`${options.user}:stub:${options.password}`);
  const expected = hash(`${ha1}:${auth.nonce}:${auth.nc}:${auth.cnonce}:auth:${hash(`${seen.method}:${seen.url}`)}`);
  return auth.username === options.user && auth.uri === seen.url && auth.opaque === 'op' && auth.response === expected;
}

describe('answering a Digest challenge (local node:http server)', () => {
  let stub: Stub;
  let client: UpstreamClient;
  const start = async (algorithms: string[], password = 'Circle of Life', staleAfter?: number) => {
    stub = await httpStub(digestServer({ algorithms, user: 'Mufasa', password: 'Circle of Life', ...(staleAfter === undefined ? {} : { staleAfter }) }));
    client = clientFor(stub.url, { mode: 'basic', username: 'Mufasa', password });
  };
  afterEach(async () => {
    await client.close();
    await stub.close();
  });

  it('answers a 401 once, with the same body, and then answers at once with the next nonce count', async () => {
    await start(['MD5', 'SHA-256']);
    const put = await client.send({ method: 'PUT', path: '/dav/a b.txt', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(put.status).toBe(201);
    expect(stub.requests.map((r) => [r.method, r.headers.authorization?.split(' ')[0], r.body.toString()])).toEqual([
      ['PUT', 'Basic', 'hello'],
      ['PUT', 'Digest', 'hello'],
    ]);
    expect(params(stub.requests[1]?.headers.authorization ?? '')).toMatchObject({ algorithm: 'SHA-256', uri: '/dav/a%20b.txt', nc: '00000001' });

    const propfind = await client.send({ method: 'PROPFIND', path: '/dav/', headers: { Depth: '0' } });
    expect(propfind.status).toBe(207);
    expect(stub.requests).toHaveLength(3);
    expect(params(stub.requests[2]?.headers.authorization ?? '')).toMatchObject({ nc: '00000002' });
  });

  it('answers a fresh challenge once when the kept nonce went stale', async () => {
    await start(['MD5'], 'Circle of Life', 1);
    expect((await client.send({ method: 'GET', path: '/dav/a', headers: {} })).status).toBe(207);
    expect((await client.send({ method: 'GET', path: '/dav/a', headers: {} })).status).toBe(207);
    expect(stub.requests.map((r) => r.headers.authorization?.split(' ')[0])).toEqual(['Basic', 'Digest', 'Digest', 'Digest']);
  });

  it('passes a second 401 on instead of looping when the password is wrong', async () => {
    await start(['MD5'], 'wrong');
    const response = await client.send({ method: 'MOVE', path: '/dav/a', destination: '/dav/b', headers: {} });
    expect(response.status).toBe(401);
    expect(stub.requests).toHaveLength(2);
  });

  it('does not answer a Digest challenge in pass-through mode', async () => {
    stub = await httpStub(digestServer({ algorithms: ['MD5'], user: 'Mufasa', password: 'x' }));
    client = clientFor(stub.url, { mode: 'passthrough' });
    expect((await client.send({ method: 'GET', path: '/dav/a', headers: {} }, { authorization: 'Basic eDp5' })).status).toBe(401);
    expect(stub.requests).toHaveLength(1);
  });
});
