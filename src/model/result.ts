import type { ClarkName } from './clark';
import type { DavError, PropStat } from './multistatus';

/** The four kinds a result can be (DESIGN.md, "Result"). */
export type ResultKind = 'Success' | 'Created' | 'Locked' | 'Error';

interface ResultBase {
  /** The href exactly as the server wrote it. */
  readonly href: string;
  /** The status that decided the kind; null when there was none or it could not be read. */
  readonly status: number | null;
  /** The status line as received (or davgate's canonical one). */
  readonly statusLine: string;
  readonly propstats?: readonly PropStat[];
  readonly error?: DavError;
  readonly description?: string;
  readonly location?: string;
  /** In a batch: the id of the operation that produced this result (its index when it had none). */
  readonly operationId?: string;
  readonly operationIndex?: number;
}

/** Any 2xx other than 201. */
export interface SuccessResult extends ResultBase {
  readonly kind: 'Success';
  readonly etag?: string;
  /** The token of a lock this request took or refreshed. */
  readonly lockToken?: string;
}

/** 201 Created. */
export interface CreatedResult extends ResultBase {
  readonly kind: 'Created';
  readonly etag?: string;
  readonly lockToken?: string;
}

/** 423, or a `lock-token-submitted` / `no-conflicting-lock` condition (RFC 4918 §16). */
export interface LockedResult extends ResultBase {
  readonly kind: 'Locked';
  readonly condition?: ClarkName;
  /** The hrefs of the locks in the way, from inside the condition element. */
  readonly lockHrefs: readonly string[];
}

/** Everything else: 3xx, 4xx, 5xx, an unreadable status, a transport failure. */
export interface ErrorResult extends ResultBase {
  readonly kind: 'Error';
  /** A stable code (RESULT_CODES), decided by the DAV condition before the bare status. */
  readonly code: ResultCode;
  /** The DAV precondition or postcondition element, when the server named one. */
  readonly condition?: ClarkName;
  /** Whether sending the same request again can help. */
  readonly retryable: boolean;
  /** The start of an error body that is not DAV XML (an HTML page, Google's `<errors>`), kept for diagnosis. */
  readonly detail?: string;
}

/** One result per href. */
export type Result = SuccessResult | CreatedResult | LockedResult | ErrorResult;

/** Stable codes of per-href errors. */
export const RESULT_CODES = [
  'STATUS_UNREADABLE',
  'REDIRECT',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'GONE',
  'PRECONDITION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'FAILED_DEPENDENCY',
  'RATE_LIMITED',
  'CLIENT_ERROR',
  'SERVER_ERROR',
  'BAD_GATEWAY',
  'UNAVAILABLE',
  'GATEWAY_TIMEOUT',
  'INSUFFICIENT_STORAGE',
  'PROTECTED_PROPERTY',
  'SYNC_TOKEN_INVALID',
  'UID_CONFLICT',
  'INVALID_CALENDAR_DATA',
  'INVALID_ADDRESS_DATA',
  'TOO_MANY_MATCHES',
  // Transport failures of a single operation (the request never got a readable answer).
  'UPSTREAM_REFUSED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_RESET',
  'UPSTREAM_BODY_TOO_LARGE',
  'UPSTREAM_MALFORMED',
  'UPSTREAM_REDIRECT',
  'UPSTREAM_OUTCOME_UNKNOWN',
  'UPSTREAM_UNAVAILABLE',
  // Not sent because of the gateway's own state: the backend is shed (load shedding), or the gateway shut down.
  'BACKEND_OVERLOADED',
  'BACKEND_FAILING',
  'GATEWAY_SHUTTING_DOWN',
  // The operation was not sent: an operation it depends on failed, or the batch stopped.
  'DEPENDENCY_FAILED',
  'NOT_SENT',
] as const;

/** A stable per-href error code. */
export type ResultCode = (typeof RESULT_CODES)[number];
