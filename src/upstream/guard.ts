import { DavgateError } from '../model/errors';
import type { BackendLimits } from './backend';

/** Why a backend refuses work right now. */
export type Refusal = 'overloaded' | 'failing';

/** What the guard reports as it goes (metrics.ts implements it). */
export interface GuardObserver {
  refused(reason: Refusal): void;
  circuit(open: boolean): void;
}

/** Codes of a send that count as the backend failing: it could not be reached or did not answer. */
const FAILURES: ReadonlySet<string> = new Set(['UPSTREAM_REFUSED', 'UPSTREAM_TIMEOUT', 'UPSTREAM_RESET', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_OUTCOME_UNKNOWN']);
/** Answers that count as the backend failing: it is there, but says it cannot serve. */
const FAILING_STATUS: ReadonlySet<number> = new Set([502, 503, 504]);

/** The rolling window is kept in this many buckets, each a tenth of it (opossum's layout, which davgate used before). */
const BUCKETS = 10;

type State = 'closed' | 'open' | 'probing';

/**
 * Load shedding for one backend (issue 5): rather than queueing without bound or waiting on a
 * backend that is down, a request is refused at once with a 503-class DavgateError carrying
 * `retryAfterSeconds`.
 *
 * - Saturated: more than `connections + maxQueued` requests of this backend in flight (the
 *   ones past `connections` wait in undici's queue) → BACKEND_OVERLOADED, retry after 1 s.
 * - Failing: a circuit breaker over every send. Transport failures and 502/503/504 answers
 *   count; when more than `failurePercent` of the last `failureWindowMs` failed (with at least
 *   `failureVolume` requests in it), it opens: BACKEND_FAILING until `recoveryMs` have passed,
 *   then one probe goes through. Its success closes the breaker; its failure opens it for
 *   another `recoveryMs`. Nothing else is needed for the gateway to recover by itself.
 *
 * Refusals happen before anything is sent, so a refused write was certainly not applied.
 *
 * The breaker is davgate's own rather than opossum's (which it was until issue 3's last
 * round, with the same settings and window layout; opossum counted a request when it started,
 * this one counts it when it ends): opossum runs every call through
 * `fire`, a promise of its own with `then` and `catch`, two events and an argument copy per
 * request, about 1 KB of garbage and 7% of davgate's CPU per operation in the batch
 * bench, and offers no way to only record an outcome. Here a request is one counter on
 * admission and one bucket increment when it ends, with no timer: the window's buckets are
 * reset as time reaches them, and the open state ends when a request first asks after
 * `recoveryMs`.
 */
export class BackendGuard {
  readonly #name: string;
  readonly #observer: GuardObserver | undefined;
  readonly #capacity: number;
  readonly #recoveryMs: number;
  readonly #volume: number;
  readonly #percent: number;
  readonly #bucketMs: number;
  /** Per bucket: requests ended, and how many of them failed; `#slot` is the time slot each bucket counts. */
  readonly #ended = new Float64Array(BUCKETS);
  readonly #failed = new Float64Array(BUCKETS);
  readonly #slot = new Float64Array(BUCKETS).fill(-1);
  #state: State = 'closed';
  #openedAt = 0;
  #active = 0;

  constructor(name: string, limits: BackendLimits, observer?: GuardObserver) {
    this.#name = name;
    this.#observer = observer;
    this.#capacity = limits.connections + limits.maxQueued;
    this.#recoveryMs = limits.recoveryMs;
    this.#volume = limits.failureVolume;
    this.#percent = limits.failurePercent;
    this.#bucketMs = Math.max(1, limits.failureWindowMs / BUCKETS);
  }

  /** Requests of this backend in flight (sent or waiting for a connection). */
  get active(): number {
    return this.#active;
  }

  /** Whether the breaker is refusing requests now (open, or its one probe in flight). */
  get failing(): boolean {
    return this.#failingAt(Date.now());
  }

  /** Why a new request would be refused now, as the error it would get; undefined when it would be admitted. */
  refusal(): DavgateError | undefined {
    if (this.#active >= this.#capacity) return this.#refuse('overloaded', 1, `${this.#active} requests are in flight or queued`);
    // Closed, or open and past its recovery time: then the next request is the probe (admit() makes it one).
    const now = Date.now();
    if (!this.#failingAt(now)) return undefined;
    const left = this.#openedAt + this.#recoveryMs - now;
    return this.#refuse('failing', Math.max(1, Math.ceil(left / 1000)), 'too many of its recent requests failed');
  }

  /**
   * Admits one request or refuses it: the refusal (BACKEND_OVERLOADED or BACKEND_FAILING, with
   * `retryAfterSeconds`) when the backend is saturated or failing, else undefined, and the
   * request counts as in flight until `settle`. Every admitted request must be settled once.
   */
  admit(): DavgateError | undefined {
    const refused = this.refusal();
    if (refused !== undefined) {
      this.#observer?.refused(refused.code === 'BACKEND_OVERLOADED' ? 'overloaded' : 'failing');
      return refused;
    }
    if (this.#state === 'open') this.#state = 'probing';
    this.#active++;
    return undefined;
  }

  /**
   * An admitted request ended: with its answer (`status`), or with an error. Transport
   * failures and 502/503/504 count against the backend; anything else (a refused href, a
   * caller's abort, any other answer) is a request that went fine as far as the backend goes.
   */
  settle(status: number | undefined, error?: unknown): void {
    this.#active--;
    const failed = status === undefined ? error instanceof DavgateError && FAILURES.has(error.code) : FAILING_STATUS.has(status);
    const now = Date.now();
    const slot = Math.floor(now / this.#bucketMs);
    const bucket = slot % BUCKETS;
    if (this.#slot[bucket] !== slot) {
      this.#slot[bucket] = slot;
      this.#ended[bucket] = 0;
      this.#failed[bucket] = 0;
    }
    (this.#ended[bucket] as number)++;
    if (failed) (this.#failed[bucket] as number)++;
    if (this.#state === 'probing') {
      if (failed) this.#open(now);
      else this.#close();
    } else if (failed && this.#state === 'closed') {
      this.#check(now);
    }
  }

  #failingAt(now: number): boolean {
    return this.#state === 'probing' || (this.#state === 'open' && now < this.#openedAt + this.#recoveryMs);
  }

  /** Opens the breaker when the window holds enough requests and more than the threshold of them failed. */
  #check(now: number): void {
    const oldest = Math.floor(now / this.#bucketMs) - BUCKETS + 1;
    let ended = 0;
    let failed = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if ((this.#slot[i] as number) < oldest) continue;
      ended += this.#ended[i] as number;
      failed += this.#failed[i] as number;
    }
    if (ended >= this.#volume && (failed / ended) * 100 > this.#percent) this.#open(now);
  }

  #open(now: number): void {
    const was = this.#state;
    this.#state = 'open';
    this.#openedAt = now;
    if (was === 'closed') this.#observer?.circuit(true);
  }

  #close(): void {
    this.#state = 'closed';
    // The failures that opened it are history: a fresh window, as if the breaker had just started.
    this.#slot.fill(-1);
    this.#observer?.circuit(false);
  }

  #refuse(reason: Refusal, retryAfterSeconds: number, why: string): DavgateError {
    const error = new DavgateError(reason === 'overloaded' ? 'BACKEND_OVERLOADED' : 'BACKEND_FAILING', `backend '${this.#name}': ${why}`);
    error.retryAfterSeconds = retryAfterSeconds;
    return error;
  }
}
