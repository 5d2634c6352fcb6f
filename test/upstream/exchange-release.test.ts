import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Dispatcher } from 'undici';
import { exchange, type Attempt, type AttemptResult } from '../../src/upstream/exchange';
import { testAttempt } from './stub';
import { InFlight } from '../../src/upstream/in-flight';

// A full collection on demand, without running jest with --expose-gc.
setFlagsFromString('--expose_gc');
const collect = runInNewContext('gc') as () => void;

/** A dispatcher that keeps every handler it was given, as an undici request object or an old backing store may. */
function keepingDispatcher(): { dispatcher: Dispatcher; handlers: Dispatcher.DispatchHandler[] } {
  const handlers: Dispatcher.DispatchHandler[] = [];
  const dispatcher = { dispatch: (_options: unknown, handler: Dispatcher.DispatchHandler) => (handlers.push(handler), true) } as unknown as Dispatcher;
  return { dispatcher, handlers };
}

/** An undici controller that records what it was aborted with. */
function controller(): Dispatcher.DispatchController & { reasons: unknown[] } {
  const reasons: unknown[] = [];
  return { aborted: false, paused: false, reason: null, reasons, abort: (reason: Error) => void reasons.push(reason), pause: () => undefined, resume: () => undefined };
}

/**
 * Starts an exchange whose callback closes over a large object standing for the caller's
 * batch, and hands back only a WeakRef to that object (and the result, once there).
 */
function start(dispatcher: Dispatcher, inFlight: InFlight, over: Partial<Attempt> = {}): { batch: WeakRef<object>; results: AttemptResult[] } {
  const results: AttemptResult[] = [];
  const batch = { operations: Array.from({ length: 1000 }, (_, i) => ({ href: `/dav/${i}` })) };
  exchange(dispatcher, testAttempt(over), inFlight, (result) => {
    if (batch.operations.length > 0) results.push(result);
  });
  return { batch: new WeakRef(batch), results };
}

/**
 * Whether the target goes in a full collection. A WeakRef's target survives at least until the
 * current job ends, so each try collects from a later turn of the event loop.
 */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

describe('a finished exchange lets go of its caller', () => {
  it('after a complete response, the handler undici still holds no longer keeps the callback (and its batch) alive', async () => {
    const { dispatcher, handlers } = keepingDispatcher();
    const inFlight = new InFlight(60_000);
    const { batch, results } = start(dispatcher, inFlight);
    const handler = handlers[0] as Dispatcher.DispatchHandler;
    const c = controller();
    handler.onRequestStart?.(c, {});
    handler.onResponseStart?.(c, 201, { 'content-length': '2' }, 'Created');
    handler.onResponseData?.(c, Buffer.from('ok'));
    handler.onResponseEnd?.(c, {});
    expect(results).toEqual([{ ok: true, response: { status: 201, headers: { 'content-length': '2' }, body: Buffer.from('ok') } }]);
    expect(inFlight.size).toBe(0);
    expect(await collected(batch)).toBe(true);
    expect(handlers).toHaveLength(1); // still held, as undici may
  });

  it('a running exchange keeps its callback: the release comes with the end, not before', async () => {
    const { dispatcher, handlers } = keepingDispatcher();
    const { batch, results } = start(dispatcher, new InFlight(60_000));
    (handlers[0] as Dispatcher.DispatchHandler).onRequestStart?.(controller(), {});
    expect(await collected(batch)).toBe(false);
    expect(results).toEqual([]);
  });

  it('stopped by its signal after it was sent: the connection is still dropped, once, and the callback let go', async () => {
    const { dispatcher, handlers } = keepingDispatcher();
    const abort = new AbortController();
    const { batch, results } = start(dispatcher, new InFlight(60_000), { signal: abort.signal });
    const handler = handlers[0] as Dispatcher.DispatchHandler;
    const c = controller();
    handler.onRequestStart?.(c, {});
    abort.abort('shutting down');
    expect(results).toEqual([{ ok: false, kind: 'aborted', reason: 'shutting down', phase: 'sent' }]);
    expect(c.reasons).toHaveLength(1);
    // undici's late callbacks change nothing.
    handler.onResponseError?.(c, new Error('aborted'));
    expect(results).toHaveLength(1);
    expect(await collected(batch)).toBe(true);
  });

  it('stopped before undici handed it a connection: the connection it gets later is dropped at once, and not kept', () => {
    const { dispatcher, handlers } = keepingDispatcher();
    const abort = new AbortController();
    const { results } = start(dispatcher, new InFlight(60_000), { signal: abort.signal });
    abort.abort('shutting down');
    expect(results).toEqual([{ ok: false, kind: 'aborted', reason: 'shutting down', phase: 'unsent' }]);
    const handler = handlers[0] as Dispatcher.DispatchHandler;
    const c = controller();
    handler.onRequestStart?.(c, {});
    expect(c.reasons).toEqual([new Error('davgate stopped the request before it was sent')]);
    // A stop now is a no-op: the controller it was handed was not kept, so it is not aborted twice.
    (handler as unknown as { stop(reason: { kind: 'deadline' }): void }).stop({ kind: 'deadline' });
    expect(c.reasons).toHaveLength(1);
    expect(results).toHaveLength(1);
  });
});
