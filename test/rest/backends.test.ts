import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { startGateway, type RunningGateway } from '../../src/server';
import { basicAuth, testServers } from '../servers';
import { postBatch, unique } from './gateway';

/**
 * Several backends in one gateway (issue 5): Apache mod_dav as `files` (configured Basic
 * credentials, hrefs under /dav/) and Radicale as `cal` (the caller's credentials passed
 * through, hrefs under /), from one YAML file. Requests go by the X-Davgate-Backend header,
 * else by the longest prefix of their hrefs, else to the default.
 */
describe('a gateway with two backends', () => {
  const { apache, radicale } = testServers();
  const alice = basicAuth(radicale);
  let dir: string;
  let gateway: RunningGateway;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'davgate-backends-'));
    const file = join(dir, 'davgate.yaml');
    writeFileSync(file, [
      'logLevel: silent',
      'port: 0',
      'defaultBackend: cal',
      'backends:',
      '  files:',
      `    url: ${apache.url}`,
      `    auth: { username: ${apache.username} }`,
      '    limits: { connections: 4 }',
      '  cal:',
      `    url: ${radicale.url}`,
    ].join('\n'));
    // The password from the environment, as a secret would come in.
    gateway = await startGateway(loadConfig({ DAVGATE_CONFIG: file, DAVGATE_BACKENDS__FILES__PASSWORD: apache.password }));
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const batch = (operations: unknown[], headers: Record<string, string> = {}) => postBatch(gateway.url, operations, {}, headers);

  it('sends each batch to the backend its hrefs are under', async () => {
    const dav = `/dav/${unique('multi')}/`;
    const files = await batch([{ id: 'mk', method: 'MKCOL', href: dav }, { id: 'put', method: 'PUT', href: `${dav}a.txt`, body: 'on apache' }]);
    expect(files.status).toBe(207);
    expect(files.responses.map((r) => `${r.operationId} ${r.kind} ${r.status}`)).toEqual(['mk Created 201', 'put Created 201']);
    const onApache = await fetch(`${apache.url}${dav.slice('/dav/'.length)}a.txt`, { headers: { authorization: basicAuth(apache) } });
    expect(await onApache.text()).toBe('on apache');

    const cal = `/alice/${unique('cal')}/`;
    const calendars = await batch([{ id: 'mkcal', method: 'MKCALENDAR', href: cal, set: { '{DAV:}displayname': 'Multi' } }], { authorization: alice });
    expect(calendars.responses.map((r) => `${r.operationId} ${r.kind} ${r.status}`)).toEqual(['mkcal Created 201']);
    const onRadicale = await fetch(`${radicale.url}${cal.slice(1)}`, { method: 'PROPFIND', headers: { authorization: alice, depth: '0' } });
    expect(onRadicale.status).toBe(207);
  });

  it('refuses a batch whose hrefs are on two backends, naming both operations', async () => {
    const answer = await batch([{ id: 'a', method: 'PUT', href: '/dav/x.txt', body: 'x' }, { id: 'b', method: 'DELETE', href: '/alice/y.ics' }]);
    expect(answer.status).toBe(400);
    expect(answer.error?.code).toBe('BACKEND_AMBIGUOUS');
    expect(answer.error?.message).toMatch(/operation "a" \(#0\), href is on backend 'files', operation "b" \(#1\), href on 'cal'/);
  });

  it('takes the backend named in X-Davgate-Backend, whose root still holds', async () => {
    const named = await batch([{ id: 'p', method: 'PUT', href: '/alice/x.ics', body: 'x' }], { 'x-davgate-backend': 'files' });
    expect(named.status).toBe(400);
    expect(named.error?.code).toBe('HREF_OUTSIDE_ROOT');
    const unknown = await batch([{ id: 'p', method: 'PUT', href: '/dav/x.txt', body: 'x' }], { 'x-davgate-backend': 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.error).toEqual({ code: 'BACKEND_UNKNOWN', message: "no backend of that name is configured: 'nope' (configured: files, cal)" });
  });

  it('routes GraphQL reads by href, and the rest to the default backend', async () => {
    const dav = `/dav/${unique('gql')}/`;
    await batch([{ method: 'MKCOL', href: dav }, { method: 'PUT', href: `${dav}b.txt`, body: 'hello' }]);
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: alice },
      body: JSON.stringify({ query: `{ resource(href: "${dav}b.txt") { href contentLength } principal { href } }` }),
    });
    const body = (await res.json()) as { data: { resource: { href: string; contentLength: number }; principal: { href: string } } };
    expect(body.data.resource).toEqual({ href: `${dav}b.txt`, contentLength: 5 });
    // No href: the default backend, Radicale, with alice's own credentials.
    expect(body.data.principal.href).toBe('/alice/');
  });

  it('is ready when every backend answers, and says so per backend', async () => {
    const res = await fetch(`${gateway.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', backends: { files: { status: 'ready', answered: expect.any(Number) }, cal: { status: 'ready', answered: expect.any(Number) } } });
  });

  it('counts upstream exchanges per backend and method, and open connections', async () => {
    await batch([{ method: 'PUT', href: `/dav/${unique('m')}.txt`, body: 'm' }]);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/davgate_upstream_request_duration_seconds_count\{backend="files",method="PUT",outcome="2xx"\} [1-9]/);
    expect(text).toMatch(/davgate_upstream_request_duration_seconds_count\{backend="cal",method="MKCALENDAR",outcome="2xx"\} [1-9]|davgate_upstream_request_duration_seconds_count\{backend="cal",method="PROPFIND",outcome="2xx"\} [1-9]/);
    expect(text).toMatch(/davgate_upstream_connections\{backend="files"\} [1-4]\n/);
    expect(text).toMatch(/davgate_upstream_circuit_open\{backend="cal"\} 0/);
  });
});
