/** An exchange as the registry sees it: when it must end, what may abort it, and how to stop it. */
export interface Watched {
  /** Epoch milliseconds by which the whole response must be in. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** The deadline has passed. */
  expire(): void;
  /** The signal fired, with this reason. */
  abort(reason: unknown): void;
}

/**
 * The deadlines and abort signals of one client's exchanges in flight.
 *
 * Each exchange used to set a timer of its own and add a listener to the caller's signal, and
 * undo both when it ended: with the signal the gateway's shutdown signal, shared by every
 * request, those two pairs were about a tenth of davgate's own CPU per request (issue 3,
 * bench/batch-micro.js). Here one repeating timer, running only while exchanges are in flight,
 * sweeps the deadlines, and each signal gets a single listener for all of its exchanges; an
 * exchange costs two Set insertions and two deletions.
 *
 * A deadline is therefore noticed up to one tick late: a tenth of the client's overall
 * timeout, between 10 ms and 500 ms (undici's own timers for its headers and body timeouts
 * work at 500 ms).
 */
export class InFlight {
  readonly #watched = new Set<Watched>();
  readonly #bySignal = new WeakMap<AbortSignal, Set<Watched>>();
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(requestTimeoutMs: number) {
    this.#tickMs = Math.min(500, Math.max(10, Math.floor(requestTimeoutMs / 10)));
  }

  /** How late a deadline may be noticed, in milliseconds. */
  get tickMs(): number {
    return this.#tickMs;
  }

  /** Exchanges being watched. */
  get size(): number {
    return this.#watched.size;
  }

  /** Whether the sweep timer is running (it stops one tick after the last exchange ended). */
  get sweeping(): boolean {
    return this.#timer !== undefined;
  }

  /** Watches an exchange until `delete`. Its signal must not have fired yet (the caller checks). */
  add(exchange: Watched): void {
    this.#watched.add(exchange);
    if (exchange.signal !== undefined) this.#membersOf(exchange.signal).add(exchange);
    if (this.#timer === undefined) {
      this.#timer = setInterval(this.#sweep, this.#tickMs);
      this.#timer.unref();
    }
  }

  delete(exchange: Watched): void {
    this.#watched.delete(exchange);
    if (exchange.signal !== undefined) this.#bySignal.get(exchange.signal)?.delete(exchange);
  }

  readonly #sweep = (): void => {
    // Stopped lazily, on the first tick with nothing in flight: under load the timer is not made again per request.
    if (this.#watched.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = Date.now();
    for (const exchange of this.#watched) if (exchange.deadline <= now) exchange.expire();
  };

  /**
   * The exchanges of a signal, with the signal's one listener added the first time. The
   * listener holds only the set, and the map holds the set only while the signal lives, so a
   * per-request signal and its set go away together.
   */
  #membersOf(signal: AbortSignal): Set<Watched> {
    let members = this.#bySignal.get(signal);
    if (members === undefined) {
      const set = new Set<Watched>();
      signal.addEventListener('abort', () => {
        for (const exchange of [...set]) exchange.abort(signal.reason);
      }, { once: true });
      this.#bySignal.set(signal, set);
      members = set;
    }
    return members;
  }
}
