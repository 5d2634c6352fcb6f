/**
 * Every whole-request failure davgate reports: one table, one stable code each, with the
 * HTTP status a face answers with. Per-href failures are never errors: they are `Error`
 * results (see result.ts).
 */
export const ERROR_CODES = {
  BODY_TOO_LARGE: { status: 413, message: 'the body is larger than the configured limit' },
  INVALID_ENCODING: { status: 400, message: 'the body is not valid in its character encoding' },
  UNSUPPORTED_ENCODING: { status: 415, message: 'the body declares a character encoding davgate cannot read' },
  XML_DOCTYPE_FORBIDDEN: { status: 400, message: 'DOCTYPE and ENTITY declarations are not accepted' },
  XML_INVALID_CHAR: { status: 400, message: 'the XML contains a character XML 1.0 does not allow' },
  XML_MALFORMED: { status: 400, message: 'the XML is not well-formed' },
  XML_TRUNCATED: { status: 400, message: 'the XML ends before its root element is closed' },
  XML_TOO_DEEP: { status: 400, message: 'the XML nests elements deeper than the configured limit' },
  XML_UNDEFINED_ENTITY: { status: 400, message: 'the XML references an entity that is not defined' },
  XML_UNBOUND_PREFIX: { status: 400, message: 'the XML uses a namespace prefix that is not declared' },
  NOT_MULTISTATUS: { status: 400, message: 'the root element is not {DAV:}multistatus' },
  XML_UNREPRESENTABLE: { status: 422, message: 'a value contains a character XML cannot carry' },
  JSON_MALFORMED: { status: 400, message: 'the body is not valid JSON' },
  JSON_INVALID: { status: 400, message: 'the JSON does not match the canonical multistatus shape' },
  OPERATION_INVALID: { status: 400, message: 'an operation of the batch is invalid' },
  BATCH_INVALID: { status: 400, message: 'the batch request is invalid' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'the body has a content type this endpoint does not take' },
  HREF_INVALID: { status: 400, message: 'an href or destination is not a valid URL path' },
  HREF_OUTSIDE_ROOT: { status: 400, message: 'an href or destination leaves the backend root' },
  HEADER_INJECTION: { status: 400, message: 'a value that goes into a header contains CR or LF' },
  CONFIG_INVALID: { status: 500, message: 'the configuration is invalid' },
  UPSTREAM_REFUSED: { status: 502, message: 'the backend refused the connection' },
  UPSTREAM_TIMEOUT: { status: 504, message: 'the backend did not answer in time' },
  UPSTREAM_RESET: { status: 502, message: 'the connection to the backend was reset' },
  UPSTREAM_BODY_TOO_LARGE: { status: 502, message: 'the backend answered with a body over the size limit' },
  UPSTREAM_MALFORMED: { status: 502, message: 'the backend answered with a body davgate cannot read' },
  UPSTREAM_REDIRECT: { status: 502, message: 'the backend answered with a redirect, which davgate does not follow' },
  UPSTREAM_OUTCOME_UNKNOWN: { status: 502, message: 'the request was sent but its outcome is unknown' },
  UPSTREAM_UNAVAILABLE: { status: 503, message: 'the backend is not reachable' },
  // Reads (GraphQL queries): the backend's answer for the whole request.
  UNAUTHENTICATED: { status: 401, message: 'the backend asks for credentials' },
  FORBIDDEN: { status: 403, message: 'the backend refused access' },
  NOT_FOUND: { status: 404, message: 'the backend has no such resource' },
  SYNC_TOKEN_INVALID: { status: 409, message: 'the sync token is invalid or expired: sync again without a token' },
  UPSTREAM_STATUS: { status: 502, message: 'the backend answered with a status davgate cannot use for this request' },
  DISCOVERY_FAILED: { status: 404, message: 'no principal could be found' },
  INPUT_INVALID: { status: 400, message: 'an argument is invalid' },
  // Several backends (config file): the request names one that is not configured, or spans two.
  BACKEND_UNKNOWN: { status: 400, message: 'no backend of that name is configured' },
  BACKEND_AMBIGUOUS: { status: 400, message: 'the request names resources of more than one backend' },
  // Load shedding: answered at once, with Retry-After, instead of queueing without bound.
  BACKEND_OVERLOADED: { status: 503, message: 'the backend has too many requests waiting: retry later' },
  BACKEND_FAILING: { status: 503, message: 'the backend is failing and is given time to recover: retry later' },
  GATEWAY_SHUTTING_DOWN: { status: 503, message: 'the gateway is shutting down' },
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in the input a problem was found; lines and columns count from 1. */
export interface InputPosition {
  readonly line?: number;
  readonly column?: number;
  /** A JSON path (`responses[2].propstats[0].status`) for JSON input. */
  readonly path?: string;
}

/** The one error base class: a stable code, its HTTP status and where it happened. */
export class DavgateError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly position: InputPosition | undefined;
  /** What the message adds to the code's standard text. */
  readonly detail: string | undefined;
  /** Seconds after which a retry may succeed (sent as `Retry-After`), for the 503s of load shedding. */
  retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, detail?: string, position?: InputPosition) {
    super(detail === undefined ? ERROR_CODES[code].message : `${ERROR_CODES[code].message}: ${detail}`);
    this.name = 'DavgateError';
    this.code = code;
    this.detail = detail;
    this.httpStatus = ERROR_CODES[code].status;
    this.position = position;
  }

  /** `CODE at line L, column C: message` — the one-line form the CLI prints. */
  describe(): string {
    return `${this.code}${formatPosition(this.position)}: ${this.message.replace(/\s+/g, ' ')}`;
  }
}

function formatPosition(position: InputPosition | undefined): string {
  if (position === undefined) return '';
  if (position.path !== undefined) return ` at ${position.path}`;
  if (position.line === undefined) return '';
  return position.column === undefined ? ` at line ${position.line}` : ` at line ${position.line}, column ${position.column}`;
}

/** Line and column (from 1) of a character offset in a text. */
export function positionAt(text: string, offset: number): InputPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
