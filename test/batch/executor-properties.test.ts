import fc from 'fast-check';
import { parseBatch, runBatch, type BatchBackend } from '../../src/batch/executor';
import type { UpstreamRequest, UpstreamResponse } from '../../src/upstream/types';

/**
 * The scheduler's promises on random batches, against an in-memory backend whose answers
 * take a random number of event-loop turns (no real server makes the interleaving random and
 * repeatable). Each operation carries its index upstream (a PUT as its body, a DELETE in its
 * If-Match), so every request is traced back to its operation.
 */

const related = (a: string, b: string) => {
  const x = a.endsWith('/') ? a : `${a}/`;
  const y = b.endsWith('/') ? b : `${b}/`;
  return x.startsWith(y) || y.startsWith(x);
};

const segment = fc.constantFrom('a', 'b', 'ab');
const href = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => `/dav/${segments.join('/')}`);
const operation = fc.record({ method: fc.constantFrom('PUT', 'DELETE'), href, fails: fc.boolean(), turns: fc.nat(4) });
const batch = fc.record({ ops: fc.array(operation, { minLength: 1, maxLength: 12 }), concurrency: fc.integer({ min: 1, max: 4 }), stopOnError: fc.boolean() });

/** What the backend saw, in order: each request going out and each answer coming back. */
type Event = { readonly kind: 'send' | 'answer'; readonly index: number };

/** `send` backs both ways in: the promise, and `dispatch` (the upstream client's callback way, which runBatch prefers). */
type Way = 'send' | 'dispatch';

function backendFor(ops: readonly { fails: boolean; turns: number }[], events: Event[], way: Way): BatchBackend & { maxInFlight: number } {
  let inFlight = 0;
  const backend: BatchBackend & { maxInFlight: number } = {
    origin: 'http://dav.test',
    root: '/dav/',
    maxInFlight: 0,
    resolveHref: (h) => h,
    async send(request: UpstreamRequest): Promise<UpstreamResponse> {
      const index = Number(request.method === 'PUT' ? request.body : /\d+/.exec(request.headers['If-Match'] ?? '')?.[0]);
      const op = ops[index];
      if (op === undefined) throw new Error(`request ${request.method} ${request.path} names no operation`);
      events.push({ kind: 'send', index });
      this.maxInFlight = Math.max(this.maxInFlight, ++inFlight);
      for (let t = 0; t < op.turns; t++) await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      events.push({ kind: 'answer', index });
      return { status: op.fails ? 409 : request.method === 'PUT' ? 201 : 204, headers: {}, body: Buffer.alloc(0) };
    },
  };
  if (way === 'dispatch') {
    backend.dispatch = (request, _options, done) => {
      backend.send(request).then((response) => done(undefined, response), (error: unknown) => done(error, undefined));
    };
  }
  return backend;
}

describe('runBatch on random batches', () => {
  it.each<Way>(['send', 'dispatch'])('accounts for every operation, keeps related ones in order, holds the limit, and sends exactly what it may (through %s)', async (way) => {
    await fc.assert(fc.asyncProperty(batch, async ({ ops, concurrency, stopOnError }) => {
      const events: Event[] = [];
      const backend = backendFor(ops, events, way);
      const operations = ops.map((o, i) => (o.method === 'PUT' ? { method: 'PUT', href: o.href, body: String(i) } : { method: 'DELETE', href: o.href, ifMatch: `"${i}"` }));
      const results = await runBatch(parseBatch({ operations, concurrency, stopOnError }), backend);

      // Every operation has exactly one result here (a plain status each), stamped with its own index.
      expect(results.map((rs) => rs.map((r) => r.operationIndex))).toEqual(ops.map((_, i) => [i]));
      expect(backend.maxInFlight).toBeLessThanOrEqual(concurrency);
      const sentAt = new Map<number, number>();
      const answeredAt = new Map<number, number>();
      events.forEach((e, at) => {
        const seen = e.kind === 'send' ? sentAt : answeredAt;
        expect(seen.has(e.index)).toBe(false); // sent at most once
        seen.set(e.index, at);
      });
      const succeeded = (i: number) => sentAt.has(i) && !(ops[i] as { fails: boolean }).fails;
      const depsOf = (j: number) => ops.flatMap((earlier, i) => (i < j && related(earlier.href, (ops[j] as { href: string }).href) ? [i] : []));

      ops.forEach((op, j) => {
        const deps = depsOf(j);
        const result = results[j]?.[0];
        const sent = sentAt.get(j);
        if (sent !== undefined) {
          // Sent only after every operation it depends on was answered, and only when they all succeeded.
          for (const i of deps) {
            expect(answeredAt.get(i) ?? Infinity).toBeLessThan(sent);
            expect(succeeded(i)).toBe(true);
          }
          expect(result?.status).toBe(op.fails ? 409 : op.method === 'PUT' ? 201 : 204);
        } else if (deps.some((i) => !succeeded(i))) {
          expect(result).toMatchObject({ kind: 'Error', status: 424, code: 'DEPENDENCY_FAILED' });
        } else {
          // Not sent with every dependency met: only stopOnError after a failure does that.
          expect(stopOnError).toBe(true);
          expect(ops.some((o, i) => o.fails && sentAt.has(i))).toBe(true);
          expect(result).toMatchObject({ kind: 'Error', code: 'NOT_SENT' });
        }
      });
      const firstFailure = events.findIndex((e) => e.kind === 'answer' && (ops[e.index] as { fails: boolean }).fails);
      if (!stopOnError) {
        // Without stopOnError, exactly the operations whose dependencies all succeeded are sent.
        ops.forEach((_, j) => expect(sentAt.has(j)).toBe(depsOf(j).every(succeeded)));
      } else if (firstFailure >= 0) {
        // With it, the failed operation holds its slot until the executor has seen its answer: only the
        // others' slots can start anything in between, and nothing starts after.
        expect(events.slice(firstFailure).filter((e) => e.kind === 'send').length).toBeLessThan(concurrency);
      }
    }), { numRuns: 400 });
  });
});
