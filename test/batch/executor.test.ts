import { parseBatch, runBatch, type BatchBackend } from '../../src/batch/executor';
import { DavgateError } from '../../src/model/errors';
import type { Result } from '../../src/model/result';
import type { UpstreamRequest, UpstreamResponse } from '../../src/upstream/types';

/**
 * The scheduling of a batch (what waits for what, how many run at once, what is not sent)
 * is checked against an in-memory backend whose answers and timing the test controls: no real
 * server makes concurrency observable or deterministic. Everything about real answers is in
 * the integration tests against Apache and Radicale.
 */
class FakeBackend implements BatchBackend {
  readonly origin = 'http://dav.test';
  readonly root = '/dav/';
  readonly sent: UpstreamRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly answer: (r: UpstreamRequest) => UpstreamResponse | Error = () => ({ status: 201, headers: {}, body: Buffer.alloc(0) })) {}

  resolveHref(href: string): string {
    if (href.includes('..')) throw new DavgateError('HREF_OUTSIDE_ROOT', href);
    return href;
  }

  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    this.sent.push(request);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inFlight--;
    const answer = this.answer(request);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

const status = (code: number, headers: Record<string, string> = {}): UpstreamResponse => ({ status: code, headers, body: Buffer.alloc(0) });
const run = (json: unknown, backend: FakeBackend) => runBatch(parseBatch(json), backend);
const summary = (results: Result[][]) => results.map((rs) => rs.map((r) => `${r.operationId}:${r.kind}:${r.status ?? '-'}${r.kind === 'Error' ? `:${r.code}` : ''}`));

describe('runBatch scheduling', () => {
  it('runs independent operations concurrently, up to the limit', async () => {
    const backend = new FakeBackend();
    const operations = Array.from({ length: 20 }, (_, i) => ({ method: 'PUT', href: `/dav/f${i}`, body: 'x' }));
    await run({ operations, concurrency: 3 }, backend);
    expect(backend.maxInFlight).toBe(3);
    expect(backend.sent).toHaveLength(20);
  });

  it('runs operations on the same href, an ancestor or a descendant in batch order', async () => {
    const backend = new FakeBackend();
    await run({ operations: [
      { method: 'MKCOL', href: '/dav/c/' },
      { method: 'PUT', href: '/dav/c/a', body: 'x' },
      { method: 'PUT', href: '/dav/other', body: 'x' },
      { method: 'MOVE', href: '/dav/c/a', destination: '/dav/d' },
      { method: 'DELETE', href: '/dav/c/' },
    ], concurrency: 8 }, backend);
    const order = backend.sent.map((r) => `${r.method} ${r.path}`);
    expect(order.indexOf('MKCOL /dav/c/')).toBeLessThan(order.indexOf('PUT /dav/c/a'));
    expect(order.indexOf('PUT /dav/c/a')).toBeLessThan(order.indexOf('MOVE /dav/c/a'));
    expect(order.indexOf('MOVE /dav/c/a')).toBeLessThan(order.indexOf('DELETE /dav/c/'));
  });

  it('does not treat /dav/ab as inside /dav/a', async () => {
    const backend = new FakeBackend((r) => (r.path === '/dav/a' ? status(500) : status(201)));
    const results = await run({ operations: [{ method: 'MKCOL', href: '/dav/a' }, { method: 'PUT', href: '/dav/ab', body: '' }] }, backend);
    expect(summary(results)).toEqual([['0:Error:500:SERVER_ERROR'], ['1:Created:201']]);
  });

  it('does not send what depends on a failed operation (424), but sends the rest', async () => {
    const backend = new FakeBackend((r) => (r.method === 'MKCOL' ? status(409) : status(201)));
    const results = await run({ operations: [
      { id: 'mk', method: 'MKCOL', href: '/dav/c/' },
      { id: 'in', method: 'PUT', href: '/dav/c/a', body: 'x' },
      { id: 'deeper', method: 'PUT', href: '/dav/c/a/b', body: 'x' },
      { id: 'elsewhere', method: 'PUT', href: '/dav/z', body: 'x' },
    ] }, backend);
    expect(summary(results)).toEqual([['mk:Error:409:CONFLICT'], ['in:Error:424:DEPENDENCY_FAILED'], ['deeper:Error:424:DEPENDENCY_FAILED'], ['elsewhere:Created:201']]);
    expect(results[1]?.[0]?.description).toMatch(/operation "mk" \(#0\)/);
    expect(backend.sent.map((r) => r.path)).toEqual(['/dav/c/', '/dav/z']);
  });

  it('with stopOnError sends nothing after the first failure, and accounts for every operation', async () => {
    const backend = new FakeBackend((r) => (r.path === '/dav/f1' ? status(403) : status(201)));
    const operations = Array.from({ length: 6 }, (_, i) => ({ method: 'PUT', href: `/dav/f${i}`, body: 'x' }));
    const results = await run({ operations, concurrency: 1, stopOnError: true }, backend);
    expect(summary(results)).toEqual([['0:Created:201'], ['1:Error:403:FORBIDDEN'], ['2:Error:-:NOT_SENT'], ['3:Error:-:NOT_SENT'], ['4:Error:-:NOT_SENT'], ['5:Error:-:NOT_SENT']]);
    expect(backend.sent).toHaveLength(2);
  });

  it('passes the token of a LOCK to the operations that name it, tagged with the lock root', async () => {
    const backend = new FakeBackend((r) => (r.method === 'LOCK' ? status(200, { 'lock-token': '<opaquelocktoken:abc>' }) : status(204)));
    const results = await run({ operations: [
      { id: 'l', method: 'LOCK', href: '/dav/c/', depth: 'infinity' },
      { method: 'DELETE', href: '/dav/x', lockToken: '$l' },
      { method: 'UNLOCK', href: '/dav/c/', lockToken: '$l' },
    ] }, backend);
    expect(results[0]?.[0]).toMatchObject({ kind: 'Success', lockToken: 'opaquelocktoken:abc' });
    expect(backend.sent[1]?.headers['If']).toBe('<http://dav.test/dav/c/> (<opaquelocktoken:abc>)');
    expect(backend.sent[2]?.headers['Lock-Token']).toBe('<opaquelocktoken:abc>');
  });

  it('an operation using the token of a failed LOCK is not sent', async () => {
    const backend = new FakeBackend((r) => (r.method === 'LOCK' ? status(423) : status(204)));
    const results = await run({ operations: [{ id: 'l', method: 'LOCK', href: '/dav/a' }, { method: 'DELETE', href: '/dav/b', lockToken: '$l' }] }, backend);
    expect(summary(results)).toEqual([['l:Locked:423'], ['1:Error:424:DEPENDENCY_FAILED']]);
  });

  it('stamps each result with its own operation, whatever the backend shares between its answers', async () => {
    const created = { status: 201, headers: { location: 'http://dav.test/dav/f' }, body: Buffer.alloc(0) };
    const results = await run({ operations: [0, 1, 2].map((i) => ({ id: `op${i}`, method: 'PUT', href: `/dav/f${i}`, body: 'x' })) }, new FakeBackend(() => created));
    expect(results.map(([r]) => [r?.operationId, r?.operationIndex, r?.href, r?.location])).toEqual([
      ['op0', 0, '/dav/f0', 'http://dav.test/dav/f'],
      ['op1', 1, '/dav/f1', 'http://dav.test/dav/f'],
      ['op2', 2, '/dav/f2', 'http://dav.test/dav/f'],
    ]);
    expect(created.headers).toEqual({ location: 'http://dav.test/dav/f' });
  });

  it('a transport failure is an Error result with the upstream code; a lost write says its outcome is unknown', async () => {
    const backend = new FakeBackend((r) => (r.path === '/dav/a' ? new DavgateError('UPSTREAM_REFUSED', 'backend test') : new DavgateError('UPSTREAM_OUTCOME_UNKNOWN', 'PUT /dav/b')));
    const results = await run({ operations: [{ method: 'DELETE', href: '/dav/a' }, { method: 'PUT', href: '/dav/b', body: '' }] }, backend);
    expect(summary(results)).toEqual([['0:Error:-:UPSTREAM_REFUSED'], ['1:Error:-:UPSTREAM_OUTCOME_UNKNOWN']]);
    expect(results.map((r) => r[0]?.kind === 'Error' && r[0].retryable)).toEqual([true, false]);
  });

  it('a fault that is not a result (a caller\'s abort, a bug) fails the batch and nothing more is sent', async () => {
    const backend = new FakeBackend((r) => (r.path === '/dav/f1' ? new Error('aborted by the caller') : status(201)));
    const operations = Array.from({ length: 6 }, (_, i) => ({ method: 'PUT', href: `/dav/f${i}`, body: 'x' }));
    await expect(run({ operations, concurrency: 1 }, backend)).rejects.toThrow('aborted by the caller');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(backend.sent.map((r) => r.path)).toEqual(['/dav/f0', '/dav/f1']);
  });

  it('a backend that throws instead of rejecting fails the batch, early-sent operations included, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      const backend = new FakeBackend();
      const send = backend.send.bind(backend);
      // The third operation is sent by the early pump of the first answer (no stopOnError).
      backend.send = (request: UpstreamRequest) => {
        if (request.path === '/dav/f2') throw new Error('a broken backend');
        return send(request);
      };
      const operations = Array.from({ length: 4 }, (_, i) => ({ method: 'PUT', href: `/dav/f${i}`, body: 'x' }));
      await expect(run({ operations, concurrency: 2 }, backend)).rejects.toThrow('a broken backend');
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(unhandled).toEqual([]);
      expect(backend.sent.map((r) => r.path)).toEqual(['/dav/f0', '/dav/f1']);
    } finally {
      process.off('unhandledRejection', note);
    }
  });

  it('an empty batch (runBatch called without parseBatch) has no results', async () => {
    await expect(runBatch({ operations: [], concurrency: 8, stopOnError: false }, new FakeBackend())).resolves.toEqual([]);
  });
});

describe('parseBatch', () => {
  it.each([
    [{}, 'BATCH_INVALID', /"operations" must be a non-empty array/],
    [{ operations: [] }, 'BATCH_INVALID', /non-empty/],
    [{ operations: [{ method: 'DELETE', href: '/a' }], concurrency: 0 }, 'BATCH_INVALID', /concurrency/],
    [{ operations: [{ method: 'DELETE', href: '/a' }], extra: 1 }, 'BATCH_INVALID', /unknown field extra/],
    [{ operations: [{ id: 'x', method: 'DELETE', href: '/a' }, { id: 'x', method: 'DELETE', href: '/b' }] }, 'OPERATION_INVALID', /the id is used twice/],
    [{ operations: [{ method: 'DELETE', href: '/a', lockToken: '$nope' }] }, 'OPERATION_INVALID', /names no LOCK earlier/],
  ])('refuses %j', (json, code, message) => {
    expect(() => parseBatch(json)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  it('refuses a batch whose href escapes the root before sending anything', async () => {
    const backend = new FakeBackend();
    await expect(run({ operations: [{ method: 'PUT', href: '/dav/ok', body: '' }, { method: 'DELETE', href: '/dav/../etc' }] }, backend)).rejects.toMatchObject({ code: 'HREF_OUTSIDE_ROOT' });
    expect(backend.sent).toHaveLength(0);
  });
});
