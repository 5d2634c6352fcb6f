import { DavgateError } from '../../src/model/errors';
import { DEFAULT_LIMITS, type BackendLimits } from '../../src/upstream/backend';
import { BackendGuard, type GuardObserver } from '../../src/upstream/guard';

const refused = () => new DavgateError('UPSTREAM_REFUSED', 'connection refused');

/** A guard with its observer's calls noted; limits over DEFAULT_LIMITS. */
function guardWith(limits: Partial<BackendLimits>): { guard: BackendGuard; events: string[] } {
  const events: string[] = [];
  const observer: GuardObserver = { refused: (reason) => events.push(`refused ${reason}`), circuit: (open) => events.push(open ? 'open' : 'close') };
  return { guard: new BackendGuard('b', { ...DEFAULT_LIMITS, ...limits }, observer), events };
}

/** Admits a request (it must be) and ends it with an answer's status, or an error. */
function request(guard: BackendGuard, status: number | undefined, error?: unknown): void {
  expect(guard.admit()).toBeUndefined();
  guard.settle(status, error);
}

describe('BackendGuard', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-22T10:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('opens when more than the threshold of a full enough window failed, and refuses with BACKEND_FAILING and a Retry-After', () => {
    const { guard, events } = guardWith({ failureVolume: 4, failurePercent: 50, recoveryMs: 3_000 });
    for (let i = 0; i < 3; i++) request(guard, undefined, refused());
    // Three of three failed, but the window holds fewer than failureVolume requests.
    expect(guard.failing).toBe(false);
    request(guard, undefined, refused());
    expect(guard.failing).toBe(true);
    expect(events).toEqual(['open']);
    expect(guard.admit()).toMatchObject({ code: 'BACKEND_FAILING', retryAfterSeconds: 3 });
    expect(events).toEqual(['open', 'refused failing']);
  });

  it('opens only above the threshold: half of the window failing is not more than 50%', () => {
    const { guard } = guardWith({ failureVolume: 4, failurePercent: 50 });
    request(guard, 204);
    request(guard, 201);
    request(guard, undefined, refused());
    request(guard, undefined, refused());
    expect(guard.failing).toBe(false);
    request(guard, undefined, refused());
    expect(guard.failing).toBe(true);
  });

  it('counts 502, 503 and 504 answers and transport failures, not other answers, refused hrefs or a caller\'s abort', () => {
    const { guard } = guardWith({ failureVolume: 3, failurePercent: 50 });
    for (let i = 0; i < 10; i++) {
      request(guard, 404);
      request(guard, 500);
      request(guard, undefined, new DavgateError('HREF_OUTSIDE_ROOT', 'no'));
      request(guard, undefined, new Error('aborted by the caller'));
    }
    expect(guard.failing).toBe(false);
    const { guard: other } = guardWith({ failureVolume: 3, failurePercent: 50 });
    request(other, 502);
    request(other, 503);
    request(other, 504);
    expect(other.failing).toBe(true);
  });

  it('forgets failures older than the window', () => {
    const { guard } = guardWith({ failureVolume: 4, failurePercent: 50, failureWindowMs: 10_000 });
    for (let i = 0; i < 3; i++) request(guard, undefined, refused());
    jest.advanceTimersByTime(10_000);
    request(guard, 204);
    request(guard, 204);
    request(guard, 204);
    // Within one window these would be 4 of 7 failed; the first three have left it.
    request(guard, undefined, refused());
    expect(guard.failing).toBe(false);
  });

  it('lets one probe through after recoveryMs, refuses the others while it runs, and closes on its success', () => {
    const { guard, events } = guardWith({ failureVolume: 2, failurePercent: 50, recoveryMs: 5_000 });
    request(guard, undefined, refused());
    request(guard, undefined, refused());
    jest.advanceTimersByTime(4_000);
    expect(guard.admit()).toMatchObject({ code: 'BACKEND_FAILING', retryAfterSeconds: 1 });
    jest.advanceTimersByTime(1_000);
    expect(guard.failing).toBe(false);
    expect(guard.refusal()).toBeUndefined();
    expect(guard.admit()).toBeUndefined(); // the probe
    expect(guard.failing).toBe(true);
    expect(guard.admit()).toMatchObject({ code: 'BACKEND_FAILING' });
    guard.settle(207);
    expect(guard.failing).toBe(false);
    expect(events).toEqual(['open', 'refused failing', 'refused failing', 'close']);
    // A fresh window: one more failure alone does not open it again.
    request(guard, undefined, refused());
    expect(guard.failing).toBe(false);
  });

  it('opens again for another recoveryMs when the probe fails', () => {
    const { guard, events } = guardWith({ failureVolume: 2, failurePercent: 50, recoveryMs: 5_000 });
    request(guard, undefined, refused());
    request(guard, 503);
    jest.advanceTimersByTime(5_000);
    request(guard, undefined, new DavgateError('UPSTREAM_TIMEOUT', 'no answer'));
    expect(guard.failing).toBe(true);
    expect(guard.admit()).toMatchObject({ code: 'BACKEND_FAILING', retryAfterSeconds: 5 });
    expect(events).toEqual(['open', 'refused failing']);
  });

  it('refuses with BACKEND_OVERLOADED past connections + maxQueued in flight, and admits again as requests end', () => {
    const { guard, events } = guardWith({ connections: 2, maxQueued: 1 });
    for (let i = 0; i < 3; i++) expect(guard.admit()).toBeUndefined();
    expect(guard.active).toBe(3);
    expect(guard.admit()).toMatchObject({ code: 'BACKEND_OVERLOADED', retryAfterSeconds: 1 });
    guard.settle(201);
    expect(guard.active).toBe(2);
    expect(guard.admit()).toBeUndefined();
    expect(events).toEqual(['refused overloaded']);
  });

  it('keeps its accounting exact over many requests: nothing in flight once all have ended', () => {
    const { guard } = guardWith({ connections: 16, maxQueued: 256 });
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 50; i++) expect(guard.admit()).toBeUndefined();
      for (let i = 0; i < 50; i++) guard.settle(i % 7 === 0 ? 404 : 204);
    }
    expect(guard.active).toBe(0);
    expect(guard.failing).toBe(false);
  });
});
