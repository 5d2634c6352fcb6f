import type { Dispatcher } from 'undici';
import { DavgateError, type ErrorCode } from '../model/errors';
import type { BackendCredentials } from './auth';
import type { BackendLimits } from './backend';
import type { UpstreamObserver } from './types';
import type { InFlight } from './in-flight';
import { exchange, type Attempt, type AttemptFailure, type AttemptResult, type RawResponse } from './exchange';
import { backoffMs, mayRetryFailure, mayRetryStatus, outcomeUnknown, retryAfterMs, type MethodClass } from './policy';
import { classifyTransportError, type TransportFailure } from './transport-errors';

/** One request as `send` prepared it: checked, normalised, without credentials. */
export interface PreparedRequest {
  readonly method: string;
  readonly path: string;
  /**
   * The request's own headers, made for it by `send` (client.ts) and shared with no one: each
   * attempt sets its Authorization here rather than copying them (a spread per attempt was a
   * measurable part of davgate's CPU per operation, issue 3).
   */
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  readonly cls: MethodClass;
  /** The caller's Authorization header, used in pass-through mode only. */
  readonly passthrough: string | undefined;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
}

/** What the loop needs of the client. */
export interface BackendContext {
  readonly name: string;
  readonly origin: string;
  readonly limits: BackendLimits;
  readonly dispatcher: Dispatcher;
  readonly credentials: BackendCredentials;
  readonly observer: UpstreamObserver | undefined;
  /** The deadlines and abort signals of the client's exchanges in flight. */
  readonly inFlight: InFlight;
}

/** How a send ended: the final response, or the error to reject with. */
export type SendDone = (error: unknown, response: RawResponse | undefined) => void;

/**
 * Sends a request, makes it again where the policy allows and the deadline leaves room, and
 * calls `done` once with the final response, or with a DavgateError with an UPSTREAM_* code.
 * A caller's abort ends it with the signal's reason, as `fetch` rejects (UPSTREAM_OUTCOME_UNKNOWN
 * when the signal is the gateway's shutdown and a write may already have been applied).
 *
 * Retries and the Digest round trip are davgate's own code around `exchange` rather than undici
 * interceptors: both re-send a buffered body, share one deadline across attempts, and decide
 * from where the previous attempt failed (never sent, sent, answer begun), which undici's
 * retry interceptor neither exposes nor follows (it replays PUT and DELETE by default).
 *
 * Callbacks rather than an async loop: on the path of every request, the client reports the
 * whole send once, to its caller's callback or promise (client.ts).
 */
export function sendWithRetries(backend: BackendContext, request: PreparedRequest, done: SendDone): void {
  new Sending(backend, request, done).attempt();
}

/** One send's attempts: the state the async loop used to keep in its locals. */
class Sending {
  readonly #backend: BackendContext;
  readonly #request: PreparedRequest;
  readonly #report: SendDone;
  #finished = false;
  #attempt = 0;
  #started = 0;
  #mayHaveApplied = false;
  /** Whether this attempt already answered a Digest challenge (at most one more exchange per attempt). */
  #answered = false;

  constructor(backend: BackendContext, request: PreparedRequest, done: SendDone) {
    this.#backend = backend;
    this.#request = request;
    this.#report = done;
  }

  /** Reports the end once: a later call (a throw in the caller's own callback, say) changes nothing. */
  #done(error: unknown, response: RawResponse | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#report(error, response);
  }

  attempt(): void {
    this.#attempt++;
    this.#answered = false;
    this.#started = performance.now();
    const request = this.#request;
    let authorization: string | undefined;
    try {
      authorization = this.#backend.credentials.initial(request, request.passthrough);
    } catch (error) {
      // A pass-through header that cannot be sent (HEADER_INJECTION): nothing left davgate.
      this.#done(error, undefined);
      return;
    }
    this.#exchange(authorization);
  }

  /** One exchange of this send, with this Authorization (the first one, or a Digest answer). */
  #exchange(authorization: string | undefined): void {
    exchange(this.#backend.dispatcher, attemptOf(this.#backend, this.#request, authorization), this.#backend.inFlight, this.#ended);
  }

  /** One exchange ended (called by the Collector, inside undici's callbacks: nothing here may throw into them). */
  readonly #ended = (result: AttemptResult): void => {
    try {
      if (result.ok && result.response.status === 401 && !this.#answered) {
        const answer = this.#backend.credentials.answer401(result.response.headers, this.#request);
        if (answer !== undefined) {
          this.#answered = true;
          // Sent from a fresh turn rather than from inside the ending exchange's callbacks.
          queueMicrotask(() => {
            try {
              this.#exchange(answer);
            } catch (error) {
              this.#done(error, undefined);
            }
          });
          return;
        }
      }
      this.#decide(result);
    } catch (error) {
      this.#done(error, undefined);
    }
  };

  #decide(result: AttemptResult): void {
    const backend = this.#backend;
    const request = this.#request;
    // Classified once, for the metrics and for the decisions below.
    const transport = !result.ok && result.kind === 'transport' ? classifyTransportError(result.error) : undefined;
    backend.observer?.attempt(request.method, outcomeLabel(result, transport), (performance.now() - this.#started) / 1000);
    const canRetry = this.#attempt <= backend.limits.retries;
    if (result.ok) {
      const { response } = result;
      // A replayed conditional PUT answers 412 when the lost first attempt did apply.
      if (this.#mayHaveApplied && response.status === 412) {
        this.#done(failureError(backend, request, 'UPSTREAM_OUTCOME_UNKNOWN', 'a replay after a lost connection answered 412'), undefined);
        return;
      }
      const retryAfter = response.status < 400 ? undefined : retryAfterMs(headerText(response, 'retry-after'), Date.now());
      if (!canRetry || !mayRetryStatus(request.cls, response.status, retryAfter !== undefined)) {
        this.#done(undefined, response);
        return;
      }
      this.#again(Math.max(backoffMs(this.#attempt), retryAfter ?? 0), () => this.#done(undefined, response));
      return;
    }
    if (result.kind === 'aborted') {
      this.#done(abortError(backend, request, result.reason, this.#mayHaveApplied || outcomeUnknown(request.cls, result.phase)), undefined);
      return;
    }
    if (result.kind === 'transport' && transport === undefined) {
      this.#done(result.error, undefined);
      return;
    }
    // Over the size limit, the status line was read: the answer is known, only too long to keep.
    const tooLarge = result.kind === 'too-large' || transport?.code === 'UPSTREAM_BODY_TOO_LARGE';
    if (!tooLarge && outcomeUnknown(request.cls, result.phase)) this.#mayHaveApplied = true;
    const fail = () => this.#done(finalError(backend, request, result, transport?.code, transport?.cause, this.#mayHaveApplied), undefined);
    const lost = transport?.lostConnection === true;
    if (result.kind === 'transport' && canRetry && mayRetryFailure(request.cls, result.phase, lost)) this.#again(backoffMs(this.#attempt), fail);
    else fail();
  }

  /** Makes the next attempt after `ms`, or calls `instead` when the wait would not end before the deadline. */
  #again(ms: number, instead: () => void): void {
    const request = this.#request;
    if (Date.now() + ms >= request.deadline) {
      instead();
      return;
    }
    pause(ms, request.signal, () => {
      try {
        this.#backend.observer?.retry(request.method);
        this.attempt();
      } catch (error) {
        this.#done(error, undefined);
      }
    }, (reason) => this.#done(abortError(this.#backend, request, reason, this.#mayHaveApplied), undefined));
  }
}

/** Waits `ms`, then `resume`; a caller's abort during the wait calls `abort` with its reason instead. */
function pause(ms: number, signal: AbortSignal | undefined, resume: () => void, abort: (reason: unknown) => void): void {
  if (signal?.aborted === true) {
    abort(signal.reason);
    return;
  }
  const onAbort = () => {
    clearTimeout(timer);
    abort(signal?.reason);
  };
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', onAbort);
    resume();
  }, ms);
  signal?.addEventListener('abort', onAbort, { once: true });
}

/** The label of each status class, made once rather than per exchange. */
const STATUS_CLASSES: readonly (string | undefined)[] = [undefined, '1xx', '2xx', '3xx', '4xx', '5xx'];

/** The metrics label of an exchange's end: the status class, or how it failed. */
function outcomeLabel(result: AttemptResult, transport: TransportFailure | undefined): string {
  if (result.ok) return STATUS_CLASSES[Math.floor(result.response.status / 100)] ?? 'error';
  switch (result.kind) {
    case 'deadline':
      return 'timeout';
    case 'too-large':
      return 'too_large';
    case 'aborted':
      return 'aborted';
    default:
      return transport?.code === 'UPSTREAM_TIMEOUT' ? 'timeout' : transport?.code === 'UPSTREAM_BODY_TOO_LARGE' ? 'too_large' : 'error';
  }
}

/**
 * A caller's abort rejects with the signal's reason, as `fetch` does. When the reason is the
 * gateway shutting down (its grace period over) and the request may already have been applied,
 * the operation's result must say that its outcome is unknown rather than "not done".
 */
function abortError(backend: BackendContext, request: PreparedRequest, reason: unknown, mayHaveApplied: boolean): unknown {
  if (mayHaveApplied && reason instanceof DavgateError && reason.code === 'GATEWAY_SHUTTING_DOWN') {
    return failureError(backend, request, 'UPSTREAM_OUTCOME_UNKNOWN', 'the gateway shut down after the request was sent');
  }
  return reason;
}

function attemptOf(backend: BackendContext, request: PreparedRequest, authorization: string | undefined): Attempt {
  return {
    origin: backend.origin,
    path: request.path,
    method: request.method,
    headers: withAuthorization(request.headers, authorization),
    body: request.body,
    headersTimeoutMs: backend.limits.headersTimeoutMs,
    bodyTimeoutMs: backend.limits.bodyTimeoutMs,
    maxResponseBytes: backend.limits.maxResponseBytes,
    deadline: request.deadline,
    signal: request.signal,
  };
}

/** Sets (or clears) the attempt's Authorization on the request's own headers; attempts never overlap. */
function withAuthorization(headers: Record<string, string>, authorization: string | undefined): Record<string, string> {
  if (authorization === undefined) delete headers['Authorization'];
  else headers['Authorization'] = authorization;
  return headers;
}

function finalError(
  backend: BackendContext,
  request: PreparedRequest,
  failure: AttemptFailure,
  transportCode: ErrorCode | undefined,
  cause: string | undefined,
  mayHaveApplied: boolean,
): DavgateError {
  const answered = failure.status === undefined ? '' : `, after the backend answered ${failure.status}`;
  const why = failure.kind === 'deadline' ? `no complete answer within ${backend.limits.requestTimeoutMs} ms` : failure.kind === 'too-large' ? `more than ${backend.limits.maxResponseBytes} bytes` : (cause ?? 'unknown');
  if (mayHaveApplied) return failureError(backend, request, 'UPSTREAM_OUTCOME_UNKNOWN', `the connection failed after the request was sent (${why}${answered})`);
  const code: ErrorCode = failure.kind === 'deadline' ? 'UPSTREAM_TIMEOUT' : failure.kind === 'too-large' ? 'UPSTREAM_BODY_TOO_LARGE' : (transportCode ?? 'UPSTREAM_UNAVAILABLE');
  return failureError(backend, request, code, `${why}${answered}`);
}

/** Messages name the backend, the method and the path: never a URL, a header value or a credential. */
function failureError(backend: BackendContext, request: PreparedRequest, code: ErrorCode, detail: string): DavgateError {
  return new DavgateError(code, `${request.method} ${request.path} on backend '${backend.name}': ${detail}`);
}

function headerText(response: RawResponse, name: string): string | undefined {
  const value = Object.hasOwn(response.headers, name) ? response.headers[name] : undefined;
  return Array.isArray(value) ? value[0] : value;
}
