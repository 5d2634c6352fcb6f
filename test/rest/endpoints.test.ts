import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { startGateway, type RunningGateway } from '../../src/server';
import { fixture } from '../helpers/fixtures';

/** The gateway as `npm start` runs it: no backend configured, so the embedded demo store. */
describe('the gateway on the embedded store', () => {
  let gateway: RunningGateway;
  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${gateway.url}${path}`, { method: 'POST', body, headers });

  beforeAll(async () => {
    gateway = await startGateway(loadConfig({ DAVGATE_PORT: '0', DAVGATE_LOG_LEVEL: 'silent', DAVGATE_MAX_BODY_BYTES: '65536' }));
  });
  afterAll(() => gateway.stop());

  it('starts the store with the demo files and reports healthy and ready', async () => {
    expect(gateway.store?.url).toBe(gateway.backendUrl);
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    const demo = await fetch(`${gateway.backendUrl}notes/welcome.txt`);
    expect(await demo.text()).toMatch(/^Welcome to davgate/);
  });

  it('runs a batch and returns a request id', async () => {
    const res = await post('/v1/batch', JSON.stringify({ operations: [{ id: 'c', method: 'COPY', href: '/notes/welcome.txt', destination: '/shared/welcome-copy.txt' }] }), { 'content-type': 'application/json', 'x-request-id': 'req-42' });
    expect(res.status).toBe(207);
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ responses: [{ operationId: 'c', kind: 'Created', status: 201 }] });
    // An id that is too long, or has characters that do not belong in one, is replaced by a fresh one.
    for (const bad of ['x'.repeat(129), 'a b', '<script>']) {
      const replaced = await fetch(`${gateway.url}/healthz`, { headers: { 'x-request-id': bad } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it('no answer carrying data may be cached, on either face (Apollo\'s cache-control plugin is off)', async () => {
    const graphql = await post('/graphql', JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'application/json' });
    expect(graphql.status).toBe(200);
    expect(graphql.headers.get('cache-control')).toBe('no-store');
    const refused = await post('/v1/batch', '{', { 'content-type': 'application/json' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('POST /v1/multistatus translates XML to JSON and back, with no backend call', async () => {
    const xml = fixture('servers', 'apache-proppatch-protected').body.toString('utf8');
    const json = await post('/v1/multistatus?method=PROPPATCH', xml, { 'content-type': 'application/xml' });
    expect(json.status).toBe(200);
    const body = (await json.json()) as { responses: { kind: string; status: number }[] };
    expect(body.responses.map((r) => [r.kind, r.status])).toEqual([['Error', 409]]);
    const back = await post('/v1/multistatus', JSON.stringify(body), { 'content-type': 'application/json' });
    expect(back.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await back.text()).toContain('<D:status>HTTP/1.1 409 (status)</D:status>');
    const asked = await post('/v1/multistatus', xml, { 'content-type': 'application/xml', accept: 'application/xml' });
    expect(await asked.text()).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><D:multistatus/);
  });

  it.each([
    ['malformed JSON', '/v1/batch', '{"operations": [', 'application/json', 400, 'JSON_MALFORMED'],
    ['an invalid operation', '/v1/batch', '{"operations": [{"method": "PUT", "href": "/a"}]}', 'application/json', 400, 'OPERATION_INVALID'],
    ['an href outside the root', '/v1/batch', '{"operations": [{"method": "DELETE", "href": "/../x"}]}', 'application/json', 400, 'HREF_OUTSIDE_ROOT'],
    ['a body over the limit', '/v1/batch', JSON.stringify({ operations: [{ method: 'PUT', href: '/a', body: 'x'.repeat(70000) }] }), 'application/json', 413, 'BODY_TOO_LARGE'],
    ['hostile XML to translate', '/v1/multistatus', '<!DOCTYPE x><D:multistatus xmlns:D="DAV:"/>', 'application/xml', 400, 'XML_DOCTYPE_FORBIDDEN'],
    ['a body of another type', '/v1/batch', 'DELETE /a', 'application/octet-stream', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['JSON of the wrong shape to translate', '/v1/multistatus', '{"responses": 5}', 'application/json', 400, 'JSON_INVALID'],
  ])('answers %s with a typed JSON error', async (_what, path, body, type, status, code) => {
    const res = await post(path, body, { 'content-type': type });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  it('says 503 on /readyz when the backend is gone', async () => {
    const lonely = await startGateway(loadConfig({ DAVGATE_PORT: '0', DAVGATE_LOG_LEVEL: 'silent', DAVGATE_BACKEND_URL: 'http://127.0.0.1:9/dav/' }));
    try {
      const res = await fetch(`${lonely.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', backends: { default: { status: 'unavailable', code: 'UPSTREAM_REFUSED' } } });
    } finally {
      await lonely.stop();
    }
  });
});

describe('the server module', () => {
  // In a process of its own: jest's module registry is not Node's, and this test is about Node's
  // (src/ through tsx there; tsc's dist/ keeps the same require).
  it('loads the embedded store (webdav-server) only when a gateway starts one', () => {
    const script = [
      "const { startGateway } = require('./src/server.ts');",
      "const { loadConfig } = require('./src/config.ts');",
      "const loaded = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/webdav-server/'));",
      'const before = loaded();',
      "startGateway(loadConfig({ DAVGATE_PORT: '0', DAVGATE_LOG_LEVEL: 'silent' })).then(async (g) => {",
      '  const after = loaded();',
      '  await g.stop();',
      '  console.log(JSON.stringify({ before, after }));',
      '});',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8', timeout: 30_000 });
    expect({ error: run.error, status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ error: undefined, status: 0, stderr: '' });
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')).toEqual({ before: false, after: true });
  });
});

describe('loadConfig', () => {
  it.each([
    [{ DAVGATE_PORT: '70000' }, /DAVGATE_PORT/],
    [{ DAVGATE_BACKEND_URL: 'ftp://x/' }, /DAVGATE_BACKEND_URL/],
    [{ DAVGATE_LOG_LEVEL: 'loud' }, /DAVGATE_LOG_LEVEL/],
    [{ DAVGATE_BACKEND_USERNAME: 'a', DAVGATE_BACKEND_TOKEN: 't' }, /set one, not both/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }));
  });

  it('chooses the auth mode from what is set', () => {
    expect(loadConfig({}).backends[0]?.auth).toEqual({ mode: 'passthrough' });
    expect(loadConfig({ DAVGATE_BACKEND_USERNAME: 'a', DAVGATE_BACKEND_PASSWORD: 'p' }).backends[0]?.auth).toEqual({ mode: 'basic', username: 'a', password: 'p' });
    expect(loadConfig({ DAVGATE_BACKEND_TOKEN: 't' }).backends[0]?.auth).toEqual({ mode: 'bearer', token: 't' });
  });
});
