import CircuitBreaker from 'opossum';
import { DavgateError } from '../model/errors';
import type { BackendLimits } from './backend';
import type { UpstreamResponse } from './types';

/** Why a backend refuses work right now. */
export type Refusal = 'overloaded' | 'failing';

/** What the guard reports as it goes (metrics.ts implements it). */
export interface GuardObserver {
  refused(reason: Refusal): void;
  circuit(open: boolean): void;
}

/** Codes of a send that count as the backend failing: it could not be reached or did not answer. */
const FAILURES = new Set(['UPSTREAM_REFUSED', 'UPSTREAM_TIMEOUT', 'UPSTREAM_RESET', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_OUTCOME_UNKNOWN']);
/** Answers that count as the backend failing: it is there, but says it cannot serve. */
const FAILING_STATUS = new Set([502, 503, 504]);

/** A 502/503/504 answer carried through the breaker as a failure, handed back as the answer it is. */
class FailingAnswer {
  constructor(readonly response: UpstreamResponse) {}
}

/** A 502/503/504 answer goes through the breaker as a failure (run() hands it back as the answer). */
function failingAsError(response: UpstreamResponse): UpstreamResponse {
  if (FAILING_STATUS.has(response.status)) throw new FailingAnswer(response);
  return response;
}

/**
 * Load shedding for one backend (issue 5): rather than queueing without bound or waiting on a
 * backend that is down, a request is refused at once with a 503-class DavgateError carrying
 * `retryAfterSeconds`.
 *
 * - Saturated: more than `connections + maxQueued` requests of this backend in flight (the
 *   ones past `connections` wait in undici's queue) → BACKEND_OVERLOADED, retry after 1 s.
 * - Failing: an opossum circuit breaker over every send. Transport failures and 502/503/504
 *   answers count; when `failurePercent` of the last `failureWindowMs` failed (with at least
 *   `failureVolume` requests), it opens: BACKEND_FAILING until `recoveryMs` have passed, then
 *   one probe goes through, and its success closes the breaker again. Nothing else is needed
 *   for the gateway to recover by itself.
 *
 * Refusals happen before anything is sent, so a refused write was certainly not applied.
 */
export class BackendGuard {
  readonly #capacity: number;
  readonly #recoveryMs: number;
  readonly #breaker: CircuitBreaker<[() => Promise<UpstreamResponse>], UpstreamResponse>;
  readonly #name: string;
  readonly #observer: GuardObserver | undefined;
  #active = 0;
  #openedAt = 0;

  constructor(name: string, limits: BackendLimits, observer?: GuardObserver) {
    this.#name = name;
    this.#observer = observer;
    this.#capacity = limits.connections + limits.maxQueued;
    this.#recoveryMs = limits.recoveryMs;
    this.#breaker = new CircuitBreaker((send: () => Promise<UpstreamResponse>) => send().then(failingAsError), {
      name,
      timeout: false, // deadlines are the upstream client's own (BackendLimits)
      errorThresholdPercentage: limits.failurePercent,
      volumeThreshold: limits.failureVolume,
      rollingCountTimeout: limits.failureWindowMs,
      resetTimeout: limits.recoveryMs,
      // Neither is read here. With percentiles on, opossum's stats join and sort the latencies of every
      // call in the window, on each snapshot (a tenth of the window) and on each failure: in a failure storm at
      // thousands of requests a second, tens of thousands of numbers per failed request.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // Only the backend's failures count; a refused href or a caller's abort is not the backend's doing.
      errorFilter: (error: unknown) => !(error instanceof FailingAnswer) && !(error instanceof DavgateError && FAILURES.has(error.code)),
    });
    this.#breaker.on('open', () => {
      this.#openedAt = Date.now();
      this.#observer?.circuit(true);
    });
    this.#breaker.on('close', () => this.#observer?.circuit(false));
  }

  /** Requests of this backend in flight (sent or waiting for a connection). */
  get active(): number {
    return this.#active;
  }

  /** Whether the breaker is refusing requests. */
  get failing(): boolean {
    return this.#breaker.opened;
  }

  /** Why a new request would be refused now, as the error it would get; undefined when it would be admitted. */
  refusal(): DavgateError | undefined {
    if (this.#active >= this.#capacity) return this.#refuse('overloaded', 1, `${this.#active} requests are in flight or queued`);
    // While half-open, the one probe decides; the others are refused as while open.
    if (!this.#breaker.closed && !(this.#breaker.halfOpen && this.#breaker.pendingClose)) {
      const left = Math.max(0, this.#openedAt + this.#recoveryMs - Date.now());
      return this.#refuse('failing', Math.max(1, Math.ceil(left / 1000)), 'too many of its recent requests failed');
    }
    return undefined;
  }

  /**
   * Runs one send under the guard: refused at once (rejects with the refusal) when the backend
   * is saturated or failing, else counted in flight and in the breaker's statistics. Plain
   * promise callbacks rather than async wrappers: this is on the path of every request.
   */
  run(send: () => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    const refused = this.refusal();
    if (refused !== undefined) {
      this.#observer?.refused(refused.code === 'BACKEND_OVERLOADED' ? 'overloaded' : 'failing');
      return Promise.reject(refused);
    }
    this.#active++;
    return this.#breaker.fire(send).then(this.#passed, this.#failed);
  }

  readonly #passed = (response: UpstreamResponse): UpstreamResponse => {
    this.#active--;
    return response;
  };

  readonly #failed = (error: unknown): UpstreamResponse => {
    this.#active--;
    if (error instanceof FailingAnswer) return error.response;
    // Another request's failure opened the breaker between refusal() and fire().
    if ((error as { code?: unknown }).code === 'EOPENBREAKER') throw this.refusal() ?? this.#refuse('failing', 1, 'too many of its recent requests failed');
    throw error;
  };

  /** Stops the breaker's timers. */
  close(): void {
    this.#breaker.shutdown();
  }

  #refuse(reason: Refusal, retryAfterSeconds: number, why: string): DavgateError {
    const error = new DavgateError(reason === 'overloaded' ? 'BACKEND_OVERLOADED' : 'BACKEND_FAILING', `backend '${this.#name}': ${why}`);
    error.retryAfterSeconds = retryAfterSeconds;
    return error;
  }
}
