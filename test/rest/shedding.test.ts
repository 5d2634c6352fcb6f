import { startEmbeddedStore, type EmbeddedStore } from '../../src/embedded/store';
import { holdingBackend, until, type HoldingBackend } from '../helpers/holding-backend';
import { graphql } from '../graphql/client';
import { freePort } from '../upstream/stub';
import { testGateway, type TestGateway } from './gateway';

/**
 * Load shedding (issue 5): a saturated backend (more requests in flight than connections +
 * maxQueued) or a failing one (the circuit breaker open) gets the whole request refused at
 * once with 503 and Retry-After instead of a queue without bound, and the gateway recovers
 * by itself when the backend does. The saturated backend is a stub that holds requests
 * (test/helpers/holding-backend.ts); the failing one is a real refused port, then the real
 * embedded WebDAV store on it.
 */

describe('a saturated backend', () => {
  let backend: HoldingBackend;
  let gw: TestGateway;

  beforeAll(async () => {
    backend = await holdingBackend();
    // One connection and one request waiting for it: a third request in flight is one too many.
    gw = testGateway(backend.url, { mode: 'passthrough' }, { connections: 1, maxQueued: 1, retries: 0 });
  });
  afterAll(async () => {
    backend.release();
    await gw.close();
    await backend.close();
  });

  it('answers 503 with Retry-After at once, sheds what a running batch cannot queue, and recovers', async () => {
    const running = gw.batch([1, 2, 3].map((i) => ({ id: `p${i}`, method: 'PUT', href: `/dav/held-${i}.txt`, body: 'x' })), { concurrency: 3 });
    await until(() => backend.held() === 1, 'the first PUT to reach the backend');

    const started = Date.now();
    const refused = await fetch(`${await gw.url()}/v1/batch`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operations: [{ method: 'PUT', href: '/dav/late.txt', body: 'x' }] }),
    });
    expect(Date.now() - started).toBeLessThan(1000); // at once, not after the held requests
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ error: { code: 'BACKEND_OVERLOADED', message: expect.stringMatching(/backend 'test': 2 requests are in flight or queued/) } });

    const viaGraphql = await graphql(gw, 'mutation { batch(operations: [{ method: PUT, href: "/dav/late.txt", body: "x" }]) { results { __typename } } }');
    expect(viaGraphql.status).toBe(503);
    expect(viaGraphql.headers.get('retry-after')).toBe('1');
    expect(viaGraphql.errors?.[0]?.extensions).toEqual({ code: 'BACKEND_OVERLOADED', retryAfterSeconds: 1 });

    backend.release();
    const answer = await running;
    // Every operation accounted for: two done, the third shed before it was sent (retryable).
    expect(answer.responses.map((r) => `${r.operationId} ${r.kind} ${r.code ?? r.status}`)).toEqual(['p1 Created 201', 'p2 Created 201', 'p3 Error BACKEND_OVERLOADED']);
    expect(answer.responses[2]?.retryable).toBe(true);

    const after = await gw.batch([{ id: 'again', method: 'PUT', href: '/dav/late.txt', body: 'x' }]);
    expect(after.status).toBe(207);
    expect(after.responses.map((r) => `${r.operationId} ${r.kind}`)).toEqual(['again Created']);

    const metrics = await (await fetch(`${await gw.url()}/metrics`)).text();
    expect(metrics).toMatch(/davgate_upstream_rejected_total\{backend="test",reason="overloaded"\} 1\n/);
    expect(metrics).toMatch(/davgate_requests_rejected_total\{face="rest",code="BACKEND_OVERLOADED"\} 1\n/);
    expect(metrics).toMatch(/davgate_requests_rejected_total\{face="graphql",code="BACKEND_OVERLOADED"\} 1\n/);
  });
});

describe('a failing backend', () => {
  let port: number;
  let gw: TestGateway;
  let store: EmbeddedStore | undefined;

  beforeAll(async () => {
    // A port nobody listens on: connections are refused for real.
    port = await freePort();
    gw = testGateway(`http://127.0.0.1:${port}/`, { mode: 'passthrough' }, { retries: 0, failureVolume: 3, failurePercent: 50, recoveryMs: 1000 });
  });
  afterAll(async () => {
    await gw.close();
    await store?.stop();
  });

  it('opens the breaker after repeated failures, answers 503 until the recovery time, then probes and closes again', async () => {
    const failing = await gw.batch([1, 2, 3, 4].map((i) => ({ id: `p${i}`, method: 'PUT', href: `/f${i}.txt`, body: 'x' })), { concurrency: 1 });
    expect(failing.responses.map((r) => `${r.operationId} ${r.code}`)).toEqual(['p1 UPSTREAM_REFUSED', 'p2 UPSTREAM_REFUSED', 'p3 UPSTREAM_REFUSED', 'p4 BACKEND_FAILING']);

    const refused = await fetch(`${await gw.url()}/v1/batch`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operations: [{ method: 'PUT', href: '/g.txt', body: 'x' }] }),
    });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('BACKEND_FAILING');
    const ready = await fetch(`${await gw.url()}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', backends: { default: { status: 'unavailable', code: 'BACKEND_FAILING' } } });
    expect(await (await fetch(`${await gw.url()}/metrics`)).text()).toMatch(/davgate_upstream_circuit_open\{backend="test"\} 1\n/);

    // The backend comes back (a real WebDAV server on the same port); after the recovery time one probe closes the breaker.
    store = await startEmbeddedStore({ port });
    await new Promise((r) => setTimeout(r, 1100));
    const recovered = await gw.batch([1, 2].map((i) => ({ id: `r${i}`, method: 'PUT', href: `/notes/r${i}.txt`, body: 'back' })), { concurrency: 1 });
    expect(recovered.responses.map((r) => `${r.operationId} ${r.kind}`)).toEqual(['r1 Created', 'r2 Created']);
    expect(await (await fetch(`${await gw.url()}/metrics`)).text()).toMatch(/davgate_upstream_circuit_open\{backend="test"\} 0\n/);
  });
});
