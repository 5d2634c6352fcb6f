import type { ErrorCode } from '../model/errors';

/** A transport failure read into davgate's terms. */
export interface TransportFailure {
  readonly code: ErrorCode;
  /** The connection broke (reset, closed early): a replay may succeed. */
  readonly lostConnection: boolean;
  /** undici's or the system's code, for the message; never a URL or a header value. */
  readonly cause: string;
}

const REFUSED = new Set(['ECONNREFUSED']);
const TIMEOUT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_INFO']);
// The dispatcher was destroyed under the request (davgate closing).
const ABORTED = new Set(['UND_ERR_ABORTED', 'UND_ERR_ABORT']);
const TOO_LARGE = new Set(['UND_ERR_RES_EXCEEDED_MAX_SIZE']);
const MALFORMED = new Set(['UND_ERR_HEADERS_OVERFLOW']);
// Name resolution, routing, TLS: nothing reached an HTTP server.
const UNAVAILABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);

/**
 * Reads an error from undici or the socket. ECONNREFUSED is UPSTREAM_REFUSED; connect,
 * header and body timeouts UPSTREAM_TIMEOUT; resets, early closes and a body shorter than its
 * Content-Length UPSTREAM_RESET; undici's response size limit UPSTREAM_BODY_TOO_LARGE;
 * parser errors (`HPE_*`) and a bad status line UPSTREAM_MALFORMED; anything else with a code
 * (DNS, routing, TLS) UPSTREAM_UNAVAILABLE. Returns undefined for an error that is not a
 * transport failure (a bug, to be rethrown).
 */
export function classifyTransportError(error: unknown): TransportFailure | undefined {
  const code = errorCode(error);
  if (code === undefined) return undefined;
  const failure = (davgateCode: ErrorCode, lostConnection = false): TransportFailure => ({ code: davgateCode, lostConnection, cause: code });
  if (REFUSED.has(code)) return failure('UPSTREAM_REFUSED');
  if (TIMEOUT.has(code)) return failure('UPSTREAM_TIMEOUT');
  if (code === 'UND_ERR_SOCKET' && /^bad (?:response|upgrade)/.test(messageOf(error))) return failure('UPSTREAM_MALFORMED');
  if (RESET.has(code)) return failure('UPSTREAM_RESET', true);
  if (ABORTED.has(code)) return failure('UPSTREAM_RESET');
  if (TOO_LARGE.has(code)) return failure('UPSTREAM_BODY_TOO_LARGE');
  if (code.startsWith('HPE_') || MALFORMED.has(code)) return failure('UPSTREAM_MALFORMED');
  if (UNAVAILABLE.has(code) || /^(?:E[A-Z]+|ERR_(?:TLS|SSL)_\w+|[A-Z_]*CERT[A-Z_]*)$/.test(code)) return failure('UPSTREAM_UNAVAILABLE');
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if ('code' in error && typeof error.code === 'string') return error.code;
  // undici 7's HTTPParserError loses its llhttp code for some errors (an invalid status line).
  if (error instanceof Error && error.name === 'HTTPParserError') return 'HPE_INVALID';
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : '';
}
