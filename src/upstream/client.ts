import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, type Dispatcher } from 'undici';
import { DavgateError } from '../model/errors';
import { BackendCredentials } from './auth';
import { checkBackendConfig, type BackendConfig, type BackendLimits } from './backend';
import { createBackendDispatcher } from './dispatcher';
import { InFlight } from './in-flight';
import { BackendGuard } from './guard';
import { checkHeaderValue, flattenHeaders, forwardedHeaders } from './headers';
import { isUnderRoot, parseBackendUrl, resolveHref, type BackendLocation } from './paths';
import { methodClass } from './policy';
import type { RawResponse } from './exchange';
import { sendWithRetries, type BackendContext, type PreparedRequest } from './retry';
import type { SendOptions, UpstreamDone, UpstreamObserver, UpstreamRequest, UpstreamResponse } from './types';

/** A backend's state right now, for metrics and /readyz. */
export interface BackendStats {
  /** Open connections (undici Pool), when the client made its own dispatcher. */
  readonly connections: number | undefined;
  /** Requests waiting for a connection (undici Pool). */
  readonly queued: number | undefined;
  /** Requests in flight, sent or waiting (the guard's count). */
  readonly active: number;
  /** The circuit breaker is open: requests are refused with BACKEND_FAILING. */
  readonly failing: boolean;
}

/**
 * The one way davgate talks to a backend. Every request stays on the configured origin and
 * under its root path; only allow-listed headers go out, with credentials per the auth mode;
 * every limit of BackendLimits holds; retries follow policy.ts; transport failures throw a
 * DavgateError with a stable UPSTREAM_* code, and UPSTREAM_OUTCOME_UNKNOWN when a write may
 * or may not have happened.
 */
export class UpstreamClient {
  /** The backend's origin, `http://host:port`. */
  readonly origin: string;
  /** The normalised root path, ending in `/`. */
  readonly root: string;
  /** The backend's configured name, used in messages. */
  readonly name: string;
  readonly #location: BackendLocation;
  readonly #limits: BackendLimits;
  readonly #credentials: BackendCredentials;
  readonly #dispatcher: Dispatcher;
  /** What the retry loop needs of this client: made once, the same for every request. */
  readonly #backend: BackendContext;
  readonly #ownsDispatcher: boolean;
  readonly #guard: BackendGuard;
  readonly #userAgent = `davgate/${packageVersion()}`;
  #closed = false;

  /**
   * Checks the configuration (CONFIG_INVALID). Without `dispatcher`, one undici Pool is made
   * for the backend with the configured limits; an injected dispatcher (tests) brings its own
   * connection limits, and is not closed by `close`. `observer` hears of every exchange,
   * retry and refusal (metrics).
   */
  constructor(config: BackendConfig, dispatcher?: Dispatcher, observer?: UpstreamObserver) {
    checkBackendConfig(config);
    this.#location = parseBackendUrl(config.name, config.url);
    this.origin = this.#location.origin;
    this.root = this.#location.root;
    this.name = config.name;
    this.#limits = { ...config.limits };
    this.#credentials = new BackendCredentials(config.auth);
    this.#ownsDispatcher = dispatcher === undefined;
    this.#dispatcher = dispatcher ?? createBackendDispatcher(this.origin, this.#limits);
    this.#backend = { name: this.name, origin: this.origin, limits: this.#limits, dispatcher: this.#dispatcher, credentials: this.#credentials, observer, inFlight: new InFlight(this.#limits.requestTimeoutMs) };
    this.#guard = new BackendGuard(this.name, this.#limits, observer);
  }

  /**
   * An href or destination as a normalised absolute path under the root (see paths.ts).
   * Throws HREF_INVALID, HREF_OUTSIDE_ROOT or HEADER_INJECTION.
   */
  resolveHref(href: string): string {
    return resolveHref(href, this.#location);
  }

  /**
   * Sends a request and reads the whole response within the limits. A 3xx is returned like
   * any other status, never followed. Throws DavgateError: HREF_* or HEADER_INJECTION before
   * anything is sent, UPSTREAM_* on transport failure, BACKEND_OVERLOADED or BACKEND_FAILING
   * (with `retryAfterSeconds`, nothing sent) when load shedding refuses it (guard.ts). A
   * caller's abort rejects with the signal's reason (UPSTREAM_OUTCOME_UNKNOWN when the signal is
   * the gateway's shutdown and a write may already have been applied).
   */
  send(request: UpstreamRequest, options: SendOptions = {}): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      this.dispatch(request, options, (error, response) => {
        if (response === undefined) reject(error);
        else resolve(response);
      });
    });
  }

  /**
   * `send` without its promise, for a caller with many requests in flight (the batch
   * executor): `done` hears the response, or the error `send` would reject with, exactly once
   * and never before `dispatch` has returned. It is called from inside undici's callbacks, so
   * it must not throw; if it does, the error is thrown again from a microtask (an uncaught
   * exception, as from an event listener) rather than into undici.
   */
  dispatch(request: UpstreamRequest, options: SendOptions, done: UpstreamDone): void {
    let prepared: PreparedRequest;
    try {
      if (this.#closed) throw new DavgateError('UPSTREAM_UNAVAILABLE', `backend '${this.name}': the client is closed`);
      prepared = this.#prepare(request, options);
    } catch (error) {
      later(done, error);
      return;
    }
    const refused = this.#guard.admit();
    if (refused !== undefined) {
      later(done, refused);
      return;
    }
    // The retry loop, the exchange and the guard's accounting are callbacks under this one.
    let returned = false;
    const ended = (error: unknown, response: RawResponse | undefined): void => {
      let answer: UpstreamResponse | undefined;
      if (response !== undefined) {
        try {
          answer = upstreamResponse(response);
        } catch (failure) {
          error = failure;
        }
      }
      this.#guard.settle(answer?.status, answer === undefined ? error : undefined);
      if (!returned) later(done, error, answer); // ended before dispatch returned (an abort seen at once, say)
      else report(done, error, answer);
    };
    try {
      sendWithRetries(this.#backend, prepared, ended);
    } catch (error) {
      ended(error, undefined); // a bug below: the request still leaves the guard's count
    }
    returned = true;
  }

  /** Why load shedding would refuse a request now (BACKEND_OVERLOADED or BACKEND_FAILING), or undefined. */
  refusal(): DavgateError | undefined {
    return this.#guard.refusal();
  }

  stats(): BackendStats {
    const pool = this.#dispatcher instanceof Pool ? this.#dispatcher.stats : undefined;
    return { connections: pool?.connected, queued: pool?.queued, active: this.#guard.active, failing: this.#guard.failing };
  }

  /** Waits for requests in flight and closes the connections (only those of a dispatcher the client made). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  toJSON(): { name: string; origin: string; root: string; auth: string } {
    return { name: this.name, origin: this.origin, root: this.root, auth: this.#credentials.mode };
  }

  #prepare(request: UpstreamRequest, options: SendOptions): PreparedRequest {
    const method = request.method;
    if (typeof method !== 'string' || !/^[A-Z][A-Z-]{0,31}$/.test(method)) {
      throw new DavgateError('OPERATION_INVALID', `backend '${this.name}': ${JSON.stringify(method)} is not an upper-case HTTP method`);
    }
    const path = this.resolveHref(request.path);
    // resolveHref already refuses anything outside the root; this states the invariant where the URL is made.
    if (!isUnderRoot(path, this.root)) throw new DavgateError('HREF_OUTSIDE_ROOT', `${path} leaves the root ${this.root}`);
    const headers = forwardedHeaders(request.headers);
    headers['User-Agent'] = this.#userAgent;
    if (request.destination !== undefined) headers['Destination'] = `${this.origin}${this.resolveHref(request.destination)}`;
    if (options.requestId !== undefined) {
      checkHeaderValue('x-request-id', options.requestId);
      headers['x-request-id'] = options.requestId;
    }
    if (options.authorization !== undefined) checkHeaderValue('Authorization', options.authorization);
    return {
      method,
      path,
      headers,
      body: toBuffer(request.body),
      cls: methodClass(method, headers),
      passthrough: options.authorization,
      deadline: Date.now() + this.#limits.requestTimeoutMs,
      signal: options.signal,
    };
  }
}

function report(done: UpstreamDone, error: unknown, response: UpstreamResponse | undefined): void {
  try {
    done(error, response);
  } catch (thrown) {
    queueMicrotask(() => {
      throw thrown;
    });
  }
}

/** Reports from a microtask: `done` never runs before `dispatch` has returned. */
function later(done: UpstreamDone, error: unknown, response?: UpstreamResponse): void {
  queueMicrotask(() => report(done, error, response));
}

function upstreamResponse(response: RawResponse): UpstreamResponse {
  return { status: response.status, headers: flattenHeaders(response.headers), body: response.body };
}

function toBuffer(body: string | Uint8Array | undefined): Buffer | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** davgate's version from its package.json (two folders up from both src/upstream and dist/upstream). */
function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'davgate' && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // Fall through: a User-Agent without a version is still davgate's.
  }
  return '0';
}
