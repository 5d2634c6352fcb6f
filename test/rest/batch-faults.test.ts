import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kinds, testGateway, type TestGateway } from './gateway';

/**
 * Faults no real server produces on demand (a connection reset after the request, a body
 * that trickles forever, a hostile or truncated 207, an oversized answer) come from this
 * small local server; every batch also holds a normal operation, which must still succeed.
 */
function faultyBackend(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (path.endsWith('/ok')) {
        res.writeHead(201).end();
      } else if (path.endsWith('/reset')) {
        req.socket.destroy();
      } else if (path.endsWith('/trickle')) {
        res.writeHead(207, { 'content-type': 'application/xml' });
        res.write('<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">');
        const timer = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(timer));
      } else if (path.endsWith('/laughs')) {
        res.writeHead(207, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><D:multistatus xmlns:D="DAV:"><D:response><D:href>&b;</D:href></D:response></D:multistatus>');
      } else if (path.endsWith('/truncated')) {
        res.writeHead(207, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/x</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>');
      } else if (path.endsWith('/huge')) {
        res.writeHead(207, { 'content-type': 'application/xml' });
        res.end(`<D:multistatus xmlns:D="DAV:">${'<D:response><D:href>/dav/x</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>'.repeat(20000)}</D:multistatus>`);
      } else {
        res.writeHead(404).end();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dav/` })));
}

describe('POST /v1/batch when the backend misbehaves', () => {
  let backend: { server: Server; url: string };
  let gw: TestGateway;

  beforeAll(async () => {
    backend = await faultyBackend();
    gw = testGateway(backend.url, { mode: 'passthrough' }, { requestTimeoutMs: 800, bodyTimeoutMs: 5000, maxResponseBytes: 256 * 1024, retries: 0 });
  });
  afterAll(async () => {
    await gw.close();
    await new Promise((resolve) => backend.server.close(resolve));
  });

  it('every operation gets its result, with a stable code per fault', async () => {
    const answer = await gw.batch([
      { id: 'reset', method: 'PUT', href: '/dav/reset', body: 'x' },
      { id: 'trickle', method: 'PROPPATCH', href: '/dav/trickle', set: { '{urn:x}a': 'b' } },
      { id: 'laughs', method: 'MKCOL', href: '/dav/laughs' },
      { id: 'truncated', method: 'MKCOL', href: '/dav/truncated' },
      { id: 'huge', method: 'MKCOL', href: '/dav/huge' },
      { id: 'ok', method: 'PUT', href: '/dav/ok', body: 'x' },
    ]);
    expect(answer.status).toBe(207);
    expect(kinds(answer)).toEqual([
      'reset /dav/reset Error -',
      'trickle /dav/trickle Error -',
      'laughs /dav/laughs Error 207',
      'truncated /dav/truncated Error 207',
      'huge /dav/huge Error -',
      'ok /dav/ok Created 201',
    ]);
    expect(answer.responses.map((r) => r.code ?? '')).toEqual([
      'UPSTREAM_OUTCOME_UNKNOWN', 'UPSTREAM_OUTCOME_UNKNOWN', 'UPSTREAM_MALFORMED', 'UPSTREAM_MALFORMED', 'UPSTREAM_BODY_TOO_LARGE', '',
    ]);
    // Each exchange is measured with how it ended; the trickle is a timeout.
    const metrics = await (await fetch(`${await gw.url()}/metrics`)).text();
    expect(metrics).toMatch(/davgate_upstream_timeouts_total\{backend="test",method="PROPPATCH"\} 1\n/);
    expect(metrics).toMatch(/davgate_upstream_request_duration_seconds_count\{backend="test",method="PUT",outcome="error"\} 1\n/);
    expect(metrics).toMatch(/davgate_upstream_request_duration_seconds_count\{backend="test",method="MKCOL",outcome="too_large"\} 1\n/);
  });

  it('counts the retries of a request the policy lets it send again', async () => {
    const retrying = testGateway(backend.url, { mode: 'passthrough' }, { retries: 2 });
    try {
      // A conditional PUT may be replayed after a lost connection: sent again, twice; then reported as sent, outcome unknown.
      const answer = await retrying.batch([{ method: 'PUT', href: '/dav/reset', body: 'x', ifNoneMatch: '*' }]);
      expect(answer.responses.map((r) => r.code)).toEqual(['UPSTREAM_OUTCOME_UNKNOWN']);
      const metrics = await (await fetch(`${await retrying.url()}/metrics`)).text();
      expect(metrics).toMatch(/davgate_upstream_retries_total\{backend="test",method="PUT"\} 2\n/);
      expect(metrics).toMatch(/davgate_upstream_request_duration_seconds_count\{backend="test",method="PUT",outcome="error"\} 3\n/);
    } finally {
      await retrying.close();
    }
  });

  it('a backend that refuses connections: every operation is an Error with UPSTREAM_REFUSED', async () => {
    const closed = await faultyBackend();
    await new Promise((resolve) => closed.server.close(resolve));
    const dead = testGateway(closed.url, { mode: 'passthrough' }, { retries: 0 });
    try {
      const answer = await dead.batch([{ method: 'MKCOL', href: '/dav/a/' }, { method: 'PUT', href: '/dav/b', body: '' }]);
      expect(answer.responses.map((r) => [r.kind, r.status, r.code, r['retryable']])).toEqual([
        ['Error', null, 'UPSTREAM_REFUSED', true],
        ['Error', null, 'UPSTREAM_REFUSED', true],
      ]);
    } finally {
      await dead.close();
    }
  });
});
