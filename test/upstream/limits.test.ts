/**
 * Size and time limits. Local node:http stubs play the hostile backend (an endless body, one
 * trickling a byte at a time, one that never answers): no real server does that on demand.
 */
import { Agent } from 'undici';
import { UpstreamClient } from '../../src/upstream/client';
import { clientFor, FAST_LIMITS, httpStub, rejection, type Stub } from './stub';

const MiB = 1024 * 1024;

let stub: Stub;
const clients: UpstreamClient[] = [];
const track = (c: UpstreamClient) => {
  clients.push(c);
  return c;
};

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stub.close();
});

/** Sends 10 MiB in 64 KiB chunks, with backpressure, and records how much it got to write. */
function endlessBody(written: { bytes: number; closed: boolean }, contentLength: boolean) {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return httpStub((_req, res) => {
    res.writeHead(200, contentLength ? { 'Content-Length': String(10 * MiB) } : {});
    res.on('close', () => (written.closed = true));
    const pump = () => {
      while (written.bytes < 10 * MiB && !res.destroyed) {
        written.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
}

describe('maxResponseBytes', () => {
  it.each([
    ['the client\'s own Pool', false],
    ['an injected Agent without undici\'s size limit', true],
  ])('a 10 MiB chunked body with a 1 MiB cap is UPSTREAM_BODY_TOO_LARGE, cut early (%s)', async (_name, inject) => {
    const written = { bytes: 0, closed: false };
    stub = await endlessBody(written, false);
    const config = { name: 'stub', url: stub.url, auth: { mode: 'passthrough' as const }, limits: { ...FAST_LIMITS, maxResponseBytes: MiB } };
    const agent = new Agent();
    const client = track(inject ? new UpstreamClient(config, agent) : new UpstreamClient(config));

    const baseline = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.arrayBuffers - baseline.arrayBuffers, now.heapUsed - baseline.heapUsed);
    }, 2);
    const error = await rejection(client.send({ method: 'GET', path: '/dav/big', headers: {} }));
    clearInterval(sampler);
    await agent.close();

    expect(error.code).toBe('UPSTREAM_BODY_TOO_LARGE');
    expect(error.message).toContain("GET /dav/big on backend 'stub'");
    // Nothing near 10 MiB was held: the connection was dropped past the first MiB.
    expect(peak).toBeLessThan(6 * MiB);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written.closed).toBe(true);
    expect(written.bytes).toBeLessThan(10 * MiB);
  });

  it('refuses a Content-Length over the cap before reading the body', async () => {
    const written = { bytes: 0, closed: false };
    stub = await endlessBody(written, true);
    const agent = new Agent();
    const client = track(new UpstreamClient({ name: 'stub', url: stub.url, auth: { mode: 'passthrough' }, limits: { ...FAST_LIMITS, maxResponseBytes: MiB } }, agent));
    expect((await rejection(client.send({ method: 'PROPFIND', path: '/dav/', headers: {} }))).code).toBe('UPSTREAM_BODY_TOO_LARGE');
    await agent.close();
  });

  it('keeps UPSTREAM_BODY_TOO_LARGE for a write: its status was read, its outcome is known', async () => {
    const written = { bytes: 0, closed: false };
    stub = await endlessBody(written, false);
    const error = await rejection(track(clientFor(stub.url, undefined, { maxResponseBytes: MiB })).send({ method: 'PUT', path: '/dav/a', headers: {}, body: 'x' }));
    expect(error.code).toBe('UPSTREAM_BODY_TOO_LARGE');
    expect(error.message).toContain('after the backend answered 200');
  });

  it('does not take the Content-Length of a HEAD answer for its body', async () => {
    stub = await httpStub((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(10 * MiB) });
      res.end();
    });
    const response = await track(clientFor(stub.url, undefined, { maxResponseBytes: MiB })).send({ method: 'HEAD', path: '/dav/big', headers: {} });
    expect([response.status, response.headers['content-length'], response.body.length]).toEqual([200, String(10 * MiB), 0]);
  });

  it('accepts a body of exactly the cap', async () => {
    stub = await httpStub((_req, res) => res.end(Buffer.alloc(1000, 0x62)));
    const response = await track(clientFor(stub.url, undefined, { maxResponseBytes: 1000 })).send({ method: 'GET', path: '/dav/x', headers: {} });
    expect(response.body).toHaveLength(1000);
  });
});

describe('the overall deadline', () => {
  /** Headers at once, then one byte every 20 ms for as long as the connection lasts. */
  const trickle = () =>
    httpStub((_req, res) => {
      res.writeHead(207, { 'Content-Type': 'application/xml' });
      const timer = setInterval(() => res.write('<'), 20);
      res.on('close', () => clearInterval(timer));
    });

  it('fires on a body trickling forever, which bodyTimeout alone never does', async () => {
    stub = await trickle();
    const client = track(clientFor(stub.url, undefined, { requestTimeoutMs: 300, bodyTimeoutMs: 10_000 }));
    const started = Date.now();
    const error = await rejection(client.send({ method: 'PROPFIND', path: '/dav/', headers: { Depth: '1' } }));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('within 300 ms');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stub.requests).toHaveLength(1);
  });

  it('makes a trickling answer to a write UPSTREAM_OUTCOME_UNKNOWN', async () => {
    stub = await trickle();
    const client = track(clientFor(stub.url, undefined, { requestTimeoutMs: 300 }));
    const error = await rejection(client.send({ method: 'PUT', path: '/dav/a', headers: {}, body: 'x' }));
    expect(error.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(error.message).toContain('after the backend answered 207');
  });

  it('headersTimeout fires on a backend that never answers, without a retry', async () => {
    stub = await httpStub(() => undefined);
    const client = track(clientFor(stub.url, undefined, { headersTimeoutMs: 200, requestTimeoutMs: 5_000 }));
    const started = Date.now();
    const error = await rejection(client.send({ method: 'PROPFIND', path: '/dav/', headers: {} }));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('UND_ERR_HEADERS_TIMEOUT');
    // undici runs headersTimeout on its coarse timers (ticks of about 500 ms): 200 ms fire within about 1 s.
    expect(Date.now() - started).toBeLessThan(1600);
    expect(stub.requests).toHaveLength(1);
  });

  it('a caller\'s abort rejects with its reason at once', async () => {
    stub = await trickle();
    const client = track(clientFor(stub.url));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller went away')), 50);
    const error = await rejection(client.send({ method: 'GET', path: '/dav/a', headers: {} }, { signal: controller.signal }));
    expect(error.message).toBe('caller went away');
  });
});
