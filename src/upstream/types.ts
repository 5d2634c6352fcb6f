/**
 * What crosses the boundary between davgate and a backend. Planners (src/operations) build
 * UpstreamRequests; the upstream client (this folder, the only undici code) sends them.
 */

import type { GuardObserver } from './guard';

/** A request for the backend, before credentials and the backend origin are added. */
export interface UpstreamRequest {
  readonly method: string;
  /** An absolute, normalised, percent-encoded path under the backend root (see paths.ts). */
  readonly path: string;
  /**
   * Protocol headers chosen by the planner (Depth, Overwrite, If, Lock-Token, Timeout, Content-Type, If-Match, If-None-Match,
   * Brief, Prefer). Any other header is dropped (headers.ts); a value with CR, LF or another control character is refused.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** A normalised path like `path`; the client builds the absolute Destination header from the backend origin. */
  readonly destination?: string;
  readonly body?: string | Uint8Array;
}

/** A whole answer of the backend, its body read within the size limit. */
export interface UpstreamResponse {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** How a send without a promise ended (`UpstreamClient.dispatch`): the response, or the error `send` would reject with. */
export type UpstreamDone = (error: unknown, response: UpstreamResponse | undefined) => void;

/** Per-call context: the caller's credentials (pass-through mode), a request id, cancellation. */
export interface SendOptions {
  /** The caller's Authorization header, forwarded only in pass-through mode. */
  readonly authorization?: string;
  /** Sent as `x-request-id`. */
  readonly requestId?: string;
  /**
   * Cancels the request; `send` then rejects with the signal's reason (UPSTREAM_OUTCOME_UNKNOWN
   * when the signal is the gateway's shutdown and a write may already have been applied).
   */
  readonly signal?: AbortSignal;
}

/**
 * What the upstream client reports as it goes, for metrics (src/metrics implements it), the
 * guard's refusals and circuit changes included. One observer per backend: the backend's name
 * is bound when it is made.
 */
export interface UpstreamObserver extends GuardObserver {
  /**
   * One exchange with the backend ended (a Digest round trip is one): `outcome` is the status
   * class (`2xx` … `5xx`) or `timeout`, `too_large`, `aborted`, `error`.
   */
  attempt(method: string, outcome: string, seconds: number): void;
  /** A request is about to be sent again (policy.ts allowed it). */
  retry(method: string): void;
}
