import { setMaxListeners } from 'node:events';
import { DavgateError } from './model/errors';

/**
 * The gateway's shutdown state, shared by every request of an app. On SIGTERM the gateway
 * stops accepting, says it is not ready, and lets batches in flight run for the grace period;
 * then `signal` aborts, and every operation not finished by then becomes an Error result:
 * GATEWAY_SHUTTING_DOWN when it was not sent, UPSTREAM_OUTCOME_UNKNOWN when it was sent and
 * may have been applied. The batch's 207 still goes out with every operation accounted for.
 */
export class Shutdown {
  readonly #controller = new AbortController();
  #draining = false;

  constructor() {
    // Every upstream request in flight listens on this one signal.
    setMaxListeners(0, this.#controller.signal);
  }

  /** Aborts when the grace period is over; passed to every upstream request. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True from the start of a shutdown: /readyz answers 503 so that load balancers stop sending. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Starts draining; after `graceMs` the requests still in flight are cut short. Returns a cancel for the timer. */
  begin(graceMs: number): () => void {
    this.#draining = true;
    const timer = setTimeout(() => this.abort(`the grace period of ${graceMs} ms is over`), graceMs);
    return () => clearTimeout(timer);
  }

  /** Cuts short whatever is in flight now. */
  abort(why: string): void {
    this.#draining = true;
    if (!this.#controller.signal.aborted) this.#controller.abort(new DavgateError('GATEWAY_SHUTTING_DOWN', why));
  }
}
