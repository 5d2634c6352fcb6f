import type { Dispatcher } from 'undici';
import type { RawHeaders } from './headers';
import type { InFlight, Watched } from './in-flight';
import type { Phase } from './policy';

/** One HTTP request, ready for the wire. */
export interface Attempt {
  readonly origin: string;
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly maxResponseBytes: number;
  /** Epoch milliseconds by which the whole response must be in. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
}

/** A complete response, its body within the size limit. */
export interface RawResponse {
  readonly status: number;
  readonly headers: RawHeaders;
  readonly body: Buffer;
}

/** Why an attempt ended without a complete response, and how far it got. */
export type AttemptFailure = { readonly phase: Phase; readonly status?: number } & (
  | { readonly kind: 'deadline' }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'aborted'; readonly reason: unknown }
  | { readonly kind: 'transport'; readonly error: unknown }
);

export type AttemptResult = { readonly ok: true; readonly response: RawResponse } | ({ readonly ok: false } & AttemptFailure);

/**
 * Sends one request on the dispatcher and reads the whole response; `settle` hears how it
 * ended, exactly once, and nothing throws. The body is read with a hard cap (the connection is
 * dropped as soon as it is passed, and a Content-Length over it is refused before any byte)
 * and under an overall deadline that a body trickling one byte at a time cannot escape,
 * watched with the caller's signal by the client's `inFlight` registry. The handler sees when
 * the request was handed to a connection (`onRequestStart`), which is what tells a lost write
 * from one that never left.
 *
 * A callback rather than a promise: this is the innermost step of every request, and the
 * retry loop and the client above it are callbacks too, up to the client's one report per send
 * (a callback from `dispatch`, or the promise of `send`).
 */
export function exchange(dispatcher: Dispatcher, attempt: Attempt, inFlight: InFlight, settle: (result: AttemptResult) => void): void {
  if (attempt.signal?.aborted === true) {
    settle({ ok: false, kind: 'aborted', reason: attempt.signal.reason, phase: 'unsent' });
    return;
  }
  if (attempt.deadline <= Date.now()) {
    settle({ ok: false, kind: 'deadline', phase: 'unsent' });
    return;
  }
  const collector = new Collector(attempt, inFlight, settle);
  inFlight.add(collector);
  try {
    dispatcher.dispatch(
      {
        origin: attempt.origin,
        path: attempt.path,
        method: attempt.method,
        headers: attempt.headers,
        body: attempt.body ?? null,
        headersTimeout: attempt.headersTimeoutMs,
        bodyTimeout: attempt.bodyTimeoutMs,
      },
      collector,
    );
  } catch (error) {
    collector.onResponseError(undefined, error as Error);
  }
}

type Stop = { kind: 'deadline' } | { kind: 'too-large' } | { kind: 'aborted'; reason: unknown };

/** What a finished Collector keeps instead of its caller's callback. */
const SETTLED = (): void => undefined;

/**
 * An undici dispatch handler (the v7 controller API) that buffers a bounded body; watched for
 * its deadline and signal while it runs.
 *
 * Once settled it lets go of everything it was holding for the request (the caller's callback,
 * undici's controller, the response), because a finished handler can stay reachable for a
 * while in ways no one chose: undici's request objects, a Set's or an array's old backing
 * store, any of which the scavenger counts as live until the next full GC. Through the
 * callback's closures such a handler held its whole batch (every operation, body and result):
 * in the batch bench about 0.9 MB of the 1.5 MB a run promoted to the old generation came that
 * way, and the full GCs it brought cost the gateway 10–20 ms each (issue 3).
 */
class Collector implements Dispatcher.DispatchHandler, Watched {
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  readonly #maxBytes: number;
  readonly #maxDeclared: number;
  readonly #inFlight: InFlight;
  #settle: (result: AttemptResult) => void;
  #settled = false;
  #controller: Dispatcher.DispatchController | undefined;
  #phase: Phase = 'unsent';
  #status: number | undefined;
  #headers: RawHeaders | undefined;
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(attempt: Attempt, inFlight: InFlight, settle: (result: AttemptResult) => void) {
    this.deadline = attempt.deadline;
    this.signal = attempt.signal;
    this.#maxBytes = attempt.maxResponseBytes;
    // A HEAD answer's Content-Length describes the body a GET would get.
    this.#maxDeclared = attempt.method === 'HEAD' ? Infinity : attempt.maxResponseBytes;
    this.#inFlight = inFlight;
    this.#settle = settle;
  }

  expire(): void {
    this.stop({ kind: 'deadline' });
  }

  abort(reason: unknown): void {
    this.stop({ kind: 'aborted', reason });
  }

  /** Ends the attempt from davgate's side and drops the connection (at once, or as soon as undici hands it one). */
  stop(reason: Stop): void {
    if (this.#settled) return;
    const controller = this.#controller; // #finish lets go of it
    this.#finish({ ok: false, ...reason, phase: this.#phase, ...this.#statusPart() });
    controller?.abort(new Error(`davgate stopped the request: ${reason.kind}`));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#settled) {
      controller.abort(new Error('davgate stopped the request before it was sent'));
      return;
    }
    this.#controller = controller;
    this.#phase = 'sent';
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: RawHeaders): void {
    // 1xx (102 Processing, 103 Early Hints) come before the final response.
    if (this.#settled || statusCode < 200) return;
    this.#phase = 'receiving';
    this.#status = statusCode;
    this.#headers = headers;
    const length = headers['content-length'];
    if (typeof length === 'string' && /^\d+$/.test(length) && Number(length) > this.#maxDeclared) this.stop({ kind: 'too-large' });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) {
      this.#chunks = [];
      this.stop({ kind: 'too-large' });
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#status === undefined) {
      this.onResponseError(undefined, Object.assign(new Error('the response ended without a final status'), { code: 'HPE_INVALID_STATUS' }));
      return;
    }
    this.#finish({ ok: true, response: { status: this.#status, headers: this.#headers ?? {}, body: Buffer.concat(this.#chunks, this.#bytes) } });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#finish({ ok: false, kind: 'transport', phase: this.#phase, error, ...this.#statusPart() });
  }

  #statusPart(): { status?: number } {
    return this.#status === undefined ? {} : { status: this.#status };
  }

  #finish(result: AttemptResult): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.#headers = undefined;
    this.#controller = undefined;
    this.#inFlight.delete(this);
    const settle = this.#settle;
    this.#settle = SETTLED;
    settle(result);
  }
}
