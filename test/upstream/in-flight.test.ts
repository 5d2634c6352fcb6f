import { getEventListeners } from 'node:events';
import type { Dispatcher } from 'undici';
import { exchange } from '../../src/upstream/exchange';
import { InFlight, type Watched } from '../../src/upstream/in-flight';
import { testAttempt } from './stub';

/** A watched exchange that notes how it was stopped. */
function watched(deadline: number, signal?: AbortSignal): Watched & { stopped: string[] } {
  const stopped: string[] = [];
  return { deadline, signal, stopped, expire: () => stopped.push('deadline'), abort: (reason) => stopped.push(`aborted: ${String(reason)}`) };
}

describe('InFlight', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ticks at a tenth of the timeout, between 10 and 500 ms', () => {
    expect([50, 300, 60_000].map((t) => new InFlight(t).tickMs)).toEqual([10, 30, 500]);
  });

  it('expires an exchange within one tick of its deadline, and not before', () => {
    const inFlight = new InFlight(1000); // 100 ms ticks
    const late = watched(Date.now() + 250);
    const early = watched(Date.now() + 90);
    inFlight.add(late);
    inFlight.add(early);
    jest.advanceTimersByTime(100);
    expect([early.stopped, late.stopped]).toEqual([['deadline'], []]);
    inFlight.delete(early);
    jest.advanceTimersByTime(100);
    expect(late.stopped).toEqual([]);
    jest.advanceTimersByTime(100);
    expect(late.stopped).toEqual(['deadline']);
  });

  it('stops its timer one tick after the last exchange ends, and starts it again with the next', () => {
    const inFlight = new InFlight(1000);
    const a = watched(Date.now() + 60_000);
    inFlight.add(a);
    expect(inFlight.sweeping).toBe(true);
    inFlight.delete(a);
    expect(inFlight.sweeping).toBe(true);
    jest.advanceTimersByTime(100);
    expect(inFlight.sweeping).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
    inFlight.add(watched(Date.now() + 60_000));
    expect(inFlight.sweeping).toBe(true);
  });

  it('adds one listener per signal however many exchanges use it, and aborts exactly those in flight', () => {
    const inFlight = new InFlight(60_000);
    const shutdown = new AbortController();
    const other = new AbortController();
    const exchanges = Array.from({ length: 50 }, () => watched(Date.now() + 60_000, shutdown.signal));
    for (const e of exchanges) inFlight.add(e);
    const bystander = watched(Date.now() + 60_000, other.signal);
    inFlight.add(bystander);
    const ended = exchanges.slice(0, 10);
    for (const e of ended) inFlight.delete(e);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    shutdown.abort('closing');
    expect(exchanges.map((e) => e.stopped.length)).toEqual(exchanges.map((e) => (ended.includes(e) ? 0 : 1)));
    expect(exchanges[20]?.stopped).toEqual(['aborted: closing']);
    expect(bystander.stopped).toEqual([]);
  });

  it('keeps the listener of a long-lived signal between exchanges instead of adding one per exchange', () => {
    const inFlight = new InFlight(60_000);
    const shutdown = new AbortController();
    for (let i = 0; i < 20; i++) {
      const e = watched(Date.now() + 60_000, shutdown.signal);
      inFlight.add(e);
      inFlight.delete(e);
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    expect(inFlight.size).toBe(0);
  });
});

describe('exchange before anything is sent', () => {
  // A dispatcher that must not be used: these attempts end before one would be.
  const untouched = { dispatch: () => { throw new Error('dispatched'); } } as unknown as Dispatcher;

  it('an aborted signal ends the attempt unsent, with the signal\'s reason, and leaves nothing watched', async () => {
    const inFlight = new InFlight(60_000);
    const controller = new AbortController();
    controller.abort('shutting down');
    await expect(new Promise((resolve) => exchange(untouched, testAttempt({ signal: controller.signal }), inFlight, resolve))).resolves.toEqual({ ok: false, kind: 'aborted', reason: 'shutting down', phase: 'unsent' });
    expect(inFlight.size).toBe(0);
  });

  it('a deadline already passed ends the attempt unsent', async () => {
    const inFlight = new InFlight(60_000);
    await expect(new Promise((resolve) => exchange(untouched, testAttempt({ deadline: Date.now() - 1 }), inFlight, resolve))).resolves.toEqual({ ok: false, kind: 'deadline', phase: 'unsent' });
    expect(inFlight.size).toBe(0);
  });
});
