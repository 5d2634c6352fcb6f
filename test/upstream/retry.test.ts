/**
 * Retry policy and unknown outcomes, counted at local node:http stubs that fail on purpose
 * (503 with Retry-After, a connection dropped after the request arrived): faults no real
 * server produces on demand.
 */
import { DavgateError } from '../../src/model/errors';
import type { UpstreamClient } from '../../src/upstream/client';
import { backoffMs, mayRetryFailure, mayRetryStatus, methodClass, outcomeUnknown, retryAfterMs } from '../../src/upstream/policy';
import { clientFor, httpStub, rejection, type Stub, type StubHandler } from './stub';

let stub: Stub;
let client: UpstreamClient;
const start = async (handler: StubHandler, limits = {}) => {
  stub = await httpStub(handler);
  client = clientFor(stub.url, undefined, limits);
};

afterEach(async () => {
  await client.close();
  await stub.close();
});

/** Drops the connection once the whole request is in: it was received, no answer went out. */
const drop: StubHandler = (req) => req.socket.destroy();
const answer = (status: number, headers: Record<string, string> = {}): StubHandler => (_req, res) => {
  res.writeHead(status, headers);
  res.end(status === 207 ? '<multistatus xmlns="DAV:"/>' : '');
};
/** `first` for the first `times` requests, then `then`. */
const sequence = (times: number, first: StubHandler, then: StubHandler): StubHandler => (req, res, seen, index) =>
  (index < times ? first : then)(req, res, seen, index);

describe('retries', () => {
  it('retries a PROPFIND on 503, waiting as Retry-After says', async () => {
    await start(sequence(1, answer(503, { 'Retry-After': '1' }), answer(207)), { requestTimeoutMs: 1_900 });
    const started = Date.now();
    const response = await client.send({ method: 'PROPFIND', path: '/dav/', headers: { Depth: '1' }, body: '<propfind xmlns="DAV:"><allprop/></propfind>' });
    expect(response.status).toBe(207);
    expect(stub.requests.map((r) => r.body.toString())).toEqual(Array(2).fill('<propfind xmlns="DAV:"><allprop/></propfind>'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('returns the 503 at once when Retry-After goes past the deadline', async () => {
    await start(answer(503, { 'Retry-After': '120' }));
    const started = Date.now();
    expect((await client.send({ method: 'PROPFIND', path: '/dav/', headers: {} })).status).toBe(503);
    expect(stub.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('gives up after the configured retries and returns the last answer', async () => {
    await start(answer(502), { retries: 2 });
    expect((await client.send({ method: 'GET', path: '/dav/a', headers: {} })).status).toBe(502);
    expect(stub.requests).toHaveLength(3);
  });

  it('retries a read whose connection dropped before any response byte', async () => {
    await start(sequence(1, drop, answer(207)));
    expect((await client.send({ method: 'PROPFIND', path: '/dav/', headers: {} })).status).toBe(207);
    expect(stub.requests).toHaveLength(2);
  });

  it('replays a conditional PUT whose connection dropped, with the same body', async () => {
    await start(sequence(1, drop, answer(201)));
    const response = await client.send({ method: 'PUT', path: '/dav/a', headers: { 'If-None-Match': '*' }, body: 'data' });
    expect(response.status).toBe(201);
    expect(stub.requests.map((r) => r.body.toString())).toEqual(['data', 'data']);
  });

  it.each(['MOVE', 'LOCK', 'PUT', 'MKCOL', 'COPY', 'POST', 'DELETE', 'PROPPATCH'])('never retries %s on 503', async (method) => {
    await start(answer(503, { 'Retry-After': '0' }));
    expect((await client.send({ method, path: '/dav/a', headers: {}, body: 'x' })).status).toBe(503);
    expect(stub.requests).toHaveLength(1);
  });
});

describe('outcome unknown', () => {
  it.each([
    ['PUT', {}],
    ['MOVE', {}],
    ['LOCK', { Timeout: 'Second-60' }],
    ['COPY', {}],
    ['MKCOL', {}],
    ['MKCALENDAR', {}],
    ['DELETE', {}],
    ['PROPPATCH', {}],
    ['UNLOCK', { 'Lock-Token': '<urn:uuid:1>' }],
  ])('a %s whose connection died after the request arrived is UPSTREAM_OUTCOME_UNKNOWN, sent once', async (method, headers) => {
    await start(drop);
    const error = await rejection(client.send({ method, path: '/dav/a', destination: '/dav/b', headers, body: '<x/>' }));
    expect(error.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(error.message).toContain(`${method} /dav/a on backend 'stub'`);
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]?.body.toString()).toBe('<x/>');
  });

  it('a PUT whose answer was cut in the middle of its body is UPSTREAM_OUTCOME_UNKNOWN, naming the status', async () => {
    await start((req, res) => {
      res.writeHead(201, { 'Content-Length': '100' });
      res.write('partial', () => req.socket.destroy());
    });
    const error = await rejection(client.send({ method: 'PUT', path: '/dav/a', headers: {}, body: 'x' }));
    expect(error.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(error.message).toContain('after the backend answered 201');
  });

  it('a conditional PUT replayed after a lost connection and answered 412 is UPSTREAM_OUTCOME_UNKNOWN', async () => {
    await start(sequence(1, drop, answer(412)));
    const error = await rejection(client.send({ method: 'PUT', path: '/dav/a', headers: { 'If-Match': '"1"' }, body: 'x' }));
    expect(error.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(stub.requests).toHaveLength(2);
  });

  it('a conditional PUT that keeps losing its connection is UPSTREAM_OUTCOME_UNKNOWN after the retries', async () => {
    await start(drop, { retries: 1 });
    expect((await rejection(client.send({ method: 'PUT', path: '/dav/a', headers: { 'If-Match': '"1"' }, body: 'x' }))).code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(stub.requests).toHaveLength(2);
  });

  it('a conditional PUT whose retry wait is cut by the gateway shutting down is UPSTREAM_OUTCOME_UNKNOWN, not "not sent"', async () => {
    const shutdown = new AbortController();
    // The first attempt reaches the stub and loses its connection (it may have been applied);
    // the gateway shuts down during the backoff (at least 50 ms) before the replay.
    await start((req, res, seen, index) => {
      drop(req, res, seen, index);
      setTimeout(() => shutdown.abort(new DavgateError('GATEWAY_SHUTTING_DOWN', 'the gateway is shutting down')), 20);
    });
    const error = await rejection(client.send({ method: 'PUT', path: '/dav/a', headers: { 'If-Match': '"1"' }, body: 'x' }, { signal: shutdown.signal }));
    expect(error.code).toBe('UPSTREAM_OUTCOME_UNKNOWN');
    expect(error.message).toContain('shut down after the request was sent');
    expect(stub.requests).toHaveLength(1);
  });

  it('a read that keeps losing its connection is UPSTREAM_RESET', async () => {
    await start(drop, { retries: 1 });
    expect((await rejection(client.send({ method: 'PROPFIND', path: '/dav/', headers: {} }))).code).toBe('UPSTREAM_RESET');
    expect(stub.requests).toHaveLength(2);
  });
});

describe('policy', () => {
  it.each([
    ['GET', {}, 'safe'],
    ['propfind', {}, 'safe'],
    ['REPORT', {}, 'safe'],
    ['OPTIONS', {}, 'safe'],
    ['PUT', { 'If-Match': '"1"' }, 'replayable'],
    ['PUT', { 'if-none-match': '*' }, 'replayable'],
    ['PUT', {}, 'once'],
    ['PUT', { If: '(["1"])' }, 'once'],
    ['DELETE', {}, 'idempotent'],
    ['PROPPATCH', {}, 'idempotent'],
    ['UNLOCK', {}, 'idempotent'],
    ['MOVE', {}, 'once'],
    ['COPY', {}, 'once'],
    ['LOCK', {}, 'once'],
    ['MKCOL', {}, 'once'],
    ['MKCALENDAR', {}, 'once'],
    ['POST', {}, 'once'],
    ['BIND', {}, 'once'],
  ])('%s %j is %s', (method, headers, cls) => {
    expect(methodClass(method, headers)).toBe(cls);
  });

  it('retries failures by class and phase', () => {
    expect(mayRetryFailure('once', 'unsent', false)).toBe(false);
    expect(mayRetryFailure('idempotent', 'unsent', false)).toBe(true);
    expect(mayRetryFailure('idempotent', 'sent', true)).toBe(false);
    expect(mayRetryFailure('replayable', 'sent', true)).toBe(true);
    expect(mayRetryFailure('safe', 'sent', true)).toBe(true);
    expect(mayRetryFailure('safe', 'sent', false)).toBe(false);
    expect(mayRetryFailure('safe', 'receiving', true)).toBe(false);
  });

  it('retries statuses for safe methods only; 429 only with Retry-After', () => {
    expect([502, 503, 504].map((s) => mayRetryStatus('safe', s, false))).toEqual([true, true, true]);
    expect(mayRetryStatus('safe', 500, true)).toBe(false);
    expect(mayRetryStatus('safe', 429, false)).toBe(false);
    expect(mayRetryStatus('safe', 429, true)).toBe(true);
    expect(mayRetryStatus('replayable', 503, true)).toBe(false);
  });

  it('says the outcome is unknown for any method that is not safe, once sent', () => {
    expect(outcomeUnknown('safe', 'sent')).toBe(false);
    expect(outcomeUnknown('idempotent', 'unsent')).toBe(false);
    expect(outcomeUnknown('idempotent', 'sent')).toBe(true);
    expect(outcomeUnknown('once', 'receiving')).toBe(true);
  });

  it('reads Retry-After as seconds or an HTTP date; backs off between 50 ms and 1 s', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect([backoffMs(1, () => 0), backoffMs(1, () => 1), backoffMs(2, () => 1), backoffMs(10, () => 1)]).toEqual([50, 100, 200, 1000]);
  });
});
