import { DavgateError } from '../model/errors';

/**
 * Explicit limits for one backend. undici's own defaults are unbounded or very long
 * (HARDENING.md, "undici"): every one is set here.
 */
export interface BackendLimits {
  /** Time to open a TCP (and TLS) connection. */
  connectTimeoutMs: number;
  /** Time from sending the request to the end of the response headers. */
  headersTimeoutMs: number;
  /** Longest gap between two chunks of the response body (undici's `bodyTimeout`). */
  bodyTimeoutMs: number;
  /**
   * Overall deadline of one `send`, from its start to the last byte of the body, retries and
   * a Digest round trip included. `bodyTimeoutMs` alone never fires for a body that trickles
   * one byte at a time; this does.
   */
  requestTimeoutMs: number;
  /** Largest response body read, in bytes; the connection is dropped as soon as it is exceeded. */
  maxResponseBytes: number;
  /** Connections kept open to the backend's origin at most. */
  connections: number;
  /** Further attempts after the first, for the requests the retry policy allows (policy.ts). */
  retries: number;
  /**
   * Load shedding: requests waiting for a connection (beyond the `connections` in flight)
   * above which new ones are refused at once with BACKEND_OVERLOADED and Retry-After.
   */
  maxQueued: number;
  /** Circuit breaker (guard.ts): the share of failed requests, in percent, within the window that opens it. */
  failurePercent: number;
  /** Requests the window must hold before the breaker may open (a single early failure never does). */
  failureVolume: number;
  /** The breaker's rolling window. */
  failureWindowMs: number;
  /** How long an open breaker refuses requests (BACKEND_FAILING) before one probe is let through. */
  recoveryMs: number;
}

/**
 * The defaults: 5 s to connect, 30 s for the headers, 30 s between body chunks, 60 s for the
 * whole request, 64 MiB of body (the multistatus parser's own limit), 16 connections,
 * 2 retries; at most 256 requests queued; the breaker opens when half the requests of the
 * last 10 s failed (10 at least) and probes again after 5 s.
 */
export const DEFAULT_LIMITS: BackendLimits = Object.freeze({
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  requestTimeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
  connections: 16,
  retries: 2,
  maxQueued: 256,
  failurePercent: 50,
  failureVolume: 10,
  failureWindowMs: 10_000,
  recoveryMs: 5_000,
});

/**
 * How davgate authenticates to the backend. `passthrough` forwards the caller's own
 * `Authorization` header (the sidecar case, and the default when no credentials are
 * configured); `basic` also answers a Digest challenge with the same username and password.
 */
export type BackendAuth =
  | { mode: 'passthrough' }
  | { mode: 'basic'; username: string; password: string }
  | { mode: 'bearer'; token: string };

/** One backend: its name (for messages), base URL, credentials and limits. */
export interface BackendConfig {
  name: string;
  /** Base URL including its root path, e.g. `http://127.0.0.1:8080/dav/`: nothing outside that root is ever requested. */
  url: string;
  auth: BackendAuth;
  limits: BackendLimits;
}

/**
 * Checks a backend configuration; throws CONFIG_INVALID. Messages name the backend and the
 * field, never the URL or a credential (a URL may carry a password by mistake).
 */
export function checkBackendConfig(config: BackendConfig): void {
  if (typeof config.name !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(config.name)) {
    throw new DavgateError('CONFIG_INVALID', 'a backend name is 1 to 100 visible ASCII characters');
  }
  const invalid = (detail: string) => new DavgateError('CONFIG_INVALID', `backend '${config.name}': ${detail}`);
  checkLimits(config.limits, invalid);
  checkAuth(config.auth, invalid);
}

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof BackendLimits)[];

function checkLimits(limits: BackendLimits, invalid: (detail: string) => DavgateError): void {
  for (const name of LIMIT_NAMES) {
    const value: unknown = limits[name];
    const least = name === 'retries' || name === 'maxQueued' ? 0 : 1;
    const most = name === 'failurePercent' ? 100 : Number.MAX_SAFE_INTEGER;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least || value > most) {
      throw invalid(`limits.${name} must be an integer ${most === Number.MAX_SAFE_INTEGER ? `of at least ${least}` : `from ${least} to ${most}`}`);
    }
  }
}

// RFC 9110 §5.5: a header value may not hold control characters; these values become one.
const HEADER_SAFE = /^[\x20-\x7e\x80-\uffff]*$/;

function checkAuth(auth: BackendAuth, invalid: (detail: string) => DavgateError): void {
  switch (auth.mode) {
    case 'passthrough':
      return;
    case 'basic':
      // RFC 7617 §2: the user-id cannot contain a colon.
      if (typeof auth.username !== 'string' || auth.username === '' || auth.username.includes(':') || !HEADER_SAFE.test(auth.username)) {
        throw invalid('auth.username must be non-empty, without a colon or control characters');
      }
      if (typeof auth.password !== 'string' || !HEADER_SAFE.test(auth.password)) {
        throw invalid('auth.password must be a string without control characters');
      }
      return;
    case 'bearer':
      // RFC 6750 §2.1: b64token.
      if (typeof auth.token !== 'string' || !/^[A-Za-z0-9\-._~+/]+=*$/.test(auth.token)) {
        throw invalid('auth.token must be a non-empty RFC 6750 token');
      }
      return;
    default:
      throw invalid("auth.mode must be 'passthrough', 'basic' or 'bearer'");
  }
}
