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

/**
 * Sends a request, makes it again where the policy allows and the deadline leaves room, and
 * returns the final response or throws a DavgateError with an UPSTREAM_* code. A caller's
 * abort rejects with the signal's reason, as `fetch` does.
 *
 * Retries and the Digest round trip are plain functions around `exchange` rather than undici
 * interceptors: both re-send a buffered body, share one deadline across attempts, and decide
 * from where the previous attempt failed (never sent, sent, answer begun), which undici's
 * retry interceptor neither exposes nor follows (it replays PUT and DELETE by default).
 */
export async function sendWithRetries(backend: BackendContext, request: PreparedRequest): Promise<RawResponse> {
  let mayHaveApplied = false;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const result = await authenticatedExchange(backend, request);
    // Classified once, for the metrics and for the decisions below.
    const transport = !result.ok && result.kind === 'transport' ? classifyTransportError(result.error) : undefined;
    backend.observer?.attempt(request.method, outcomeLabel(result, transport), (performance.now() - started) / 1000);
    const canRetry = attempt <= backend.limits.retries;
    if (result.ok) {
      const { response } = result;
      // A replayed conditional PUT answers 412 when the lost first attempt did apply.
      if (mayHaveApplied && response.status === 412) throw failureError(backend, request, 'UPSTREAM_OUTCOME_UNKNOWN', 'a replay after a lost connection answered 412');
      const retryAfter = retryAfterMs(headerText(response, 'retry-after'), Date.now());
      if (!canRetry || !mayRetryStatus(request.cls, response.status, retryAfter !== undefined)) return response;
      if (!(await pause(Math.max(backoffMs(attempt), retryAfter ?? 0), request))) return response;
      backend.observer?.retry(request.method);
      continue;
    }
    if (result.kind === 'aborted') throw abortError(backend, request, result.reason, mayHaveApplied || outcomeUnknown(request.cls, result.phase));
    if (result.kind === 'transport' && transport === undefined) throw result.error;
    // Over the size limit, the status line was read: the answer is known, only too long to keep.
    const tooLarge = result.kind === 'too-large' || transport?.code === 'UPSTREAM_BODY_TOO_LARGE';
    if (!tooLarge && outcomeUnknown(request.cls, result.phase)) mayHaveApplied = true;
    const lost = transport?.lostConnection === true;
    if (result.kind === 'transport' && canRetry && mayRetryFailure(request.cls, result.phase, lost) && (await pause(backoffMs(attempt), request))) {
      backend.observer?.retry(request.method);
      continue;
    }
    throw finalError(backend, request, result, transport?.code, transport?.cause, mayHaveApplied);
  }
}

/** The metrics label of an exchange's end: the status class, or how it failed. */
function outcomeLabel(result: AttemptResult, transport: TransportFailure | undefined): string {
  if (result.ok) return `${Math.floor(result.response.status / 100)}xx`;
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

/** One exchange, and at most one more that answers a Digest challenge (RFC 7616) with the same body. */
async function authenticatedExchange(backend: BackendContext, request: PreparedRequest): Promise<AttemptResult> {
  const target = { method: request.method, uri: request.path, body: request.body };
  const first = await exchange(backend.dispatcher, attemptOf(backend, request, backend.credentials.initial(target, request.passthrough)), backend.inFlight);
  if (!first.ok || first.response.status !== 401) return first;
  const answer = backend.credentials.answer401(first.response.headers, target);
  return answer === undefined ? first : exchange(backend.dispatcher, attemptOf(backend, request, answer), backend.inFlight);
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

/** Waits before another attempt; false when the wait would not end before the deadline. */
async function pause(ms: number, request: PreparedRequest): Promise<boolean> {
  if (Date.now() + ms >= request.deadline) return false;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(request.signal?.reason);
    };
    const timer = setTimeout(() => {
      request.signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (request.signal?.aborted === true) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
  });
  return true;
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
