import { dav, NS, type ClarkName } from './clark';
import type { DavError, DavResponse, PropStat, PropStatResponse, StatusResponse } from './multistatus';
import type { ErrorResult, Result, ResultCode } from './result';
import { isSuccessCode, type Status } from './status';
import { childElements, textOf } from './xml-content';

/** Methods whose propstats describe what was read: a 404 propstat is a missing property, not a failure. */
const READ_METHODS = new Set(['PROPFIND', 'REPORT', 'SEARCH']);

/** Conditions that mean a lock is in the way (RFC 4918 §16). */
const LOCK_CONDITIONS = new Set([dav('lock-token-submitted'), dav('no-conflicting-lock')]);

/** Conditions that decide the error code whatever status the server chose (QUIRKS.md 20, 21). */
const CONDITION_CODES = new Map<ClarkName, ResultCode>([
  [dav('valid-sync-token'), 'SYNC_TOKEN_INVALID'],
  [dav('cannot-modify-protected-property'), 'PROTECTED_PROPERTY'],
  [dav('number-of-matches-within-limits'), 'TOO_MANY_MATCHES'],
  [`{${NS.CALDAV}}no-uid-conflict`, 'UID_CONFLICT'],
  [`{${NS.CARDDAV}}no-uid-conflict`, 'UID_CONFLICT'],
  [`{${NS.CALDAV}}valid-calendar-data`, 'INVALID_CALENDAR_DATA'],
  [`{${NS.CALDAV}}valid-calendar-object-resource`, 'INVALID_CALENDAR_DATA'],
  [`{${NS.CARDDAV}}valid-address-data`, 'INVALID_ADDRESS_DATA'],
]);

const STATUS_CODES = new Map<number, ResultCode>([
  [400, 'BAD_REQUEST'],
  [401, 'UNAUTHORIZED'],
  [403, 'FORBIDDEN'],
  [404, 'NOT_FOUND'],
  [405, 'METHOD_NOT_ALLOWED'],
  [409, 'CONFLICT'],
  [410, 'GONE'],
  [412, 'PRECONDITION_FAILED'],
  [413, 'PAYLOAD_TOO_LARGE'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'],
  [424, 'FAILED_DEPENDENCY'],
  [429, 'RATE_LIMITED'],
  [502, 'BAD_GATEWAY'],
  [503, 'UNAVAILABLE'],
  [504, 'GATEWAY_TIMEOUT'],
  [507, 'INSUFFICIENT_STORAGE'],
]);

/** Statuses after which the same request may succeed: timeouts, rate limits, overload. */
const RETRYABLE = new Set([408, 425, 429, 502, 503, 504]);

/**
 * One result per href of a multistatus, in document order (DESIGN.md invariant 1).
 * `method` is the request that produced the document; it decides how propstats classify.
 */
export function toResults(responses: readonly DavResponse[], method: string): Result[] {
  const results: Result[] = [];
  const read = READ_METHODS.has(method.toUpperCase());
  for (const response of responses) {
    if (response.kind === 'status') {
      for (const href of response.hrefs) results.push(classifyStatus(response, href));
    } else {
      results.push(classifyPropStats(response, read));
    }
  }
  return results;
}

function classifyStatus(response: StatusResponse, href: string): Result {
  const base = {
    href,
    status: response.status.code,
    statusLine: response.status.line,
    ...common(response),
  };
  const lock = lockCondition(response.error);
  if (lock !== undefined || response.status.code === 423) return { kind: 'Locked', ...base, ...lockDetails(lock) };
  if (response.status.code === 201) return { kind: 'Created', ...base };
  if (isSuccessCode(response.status.code)) return { kind: 'Success', ...base };
  return errorResult(base, response.status, response.error);
}

/**
 * RFC 4918 §9.1 / §9.2: for reads, one 2xx propstat makes the response a Success (a 404
 * propstat is a property the resource does not have). For writes (PROPPATCH, extended
 * MKCOL) the properties succeed or fail together: a 423 or lock condition makes it Locked,
 * all 2xx a Success, anything else an Error decided by the first real failure (a 424 only
 * says another property failed).
 */
function classifyPropStats(response: PropStatResponse, read: boolean): Result {
  const { propstats } = response;
  const base = { href: response.href, propstats, ...common(response) };
  const ok = propstats.find((p) => isSuccessCode(p.status.code));
  if (read && ok !== undefined) return success(base, ok);

  const lock = lockCondition(response.error) ?? firstDefined(propstats, (p) => lockCondition(p.error));
  const locked = propstats.find((p) => p.status.code === 423);
  if (lock !== undefined || locked !== undefined) {
    const status = locked?.status ?? propstats.find((p) => !isSuccessCode(p.status.code))?.status;
    return { kind: 'Locked', ...base, status: status?.code ?? 423, statusLine: status?.line ?? '', ...lockDetails(lock) };
  }
  const failed = propstats.filter((p) => !isSuccessCode(p.status.code));
  if (ok !== undefined && failed.length === 0) return success(base, ok);

  const decisive = failed.find((p) => p.status.code !== 424) ?? failed[0];
  const status = decisive?.status ?? { code: null, line: '' };
  const error = decisive?.error ?? response.error;
  return errorResult({ ...base, status: status.code, statusLine: status.line }, status, error);
}

function success(base: { href: string; propstats: readonly PropStat[] }, decisive: PropStat): Result {
  const etag = firstDefined(base.propstats, (p) => (isSuccessCode(p.status.code) ? textOf(p.props.get(dav('getetag'))) : undefined));
  const kind = decisive.status.code === 201 ? 'Created' : 'Success';
  return { kind, ...base, status: decisive.status.code, statusLine: decisive.status.line, ...(etag === undefined ? {} : { etag }) };
}

function errorResult<B extends { status: number | null }>(base: B, status: Status, error: DavError | undefined): B & ErrorResult {
  const condition = error?.conditions[0]?.name;
  const code = (condition === undefined ? undefined : CONDITION_CODES.get(condition)) ?? statusCode(status.code);
  const retryable = status.code !== null && RETRYABLE.has(status.code);
  return { ...base, kind: 'Error', code, retryable, ...(condition === undefined ? {} : { condition }) } as B & ErrorResult;
}

function statusCode(code: number | null): ResultCode {
  if (code === null) return 'STATUS_UNREADABLE';
  const known = STATUS_CODES.get(code);
  if (known !== undefined) return known;
  if (code < 400) return 'REDIRECT';
  return code < 500 ? 'CLIENT_ERROR' : 'SERVER_ERROR';
}

function lockCondition(error: DavError | undefined): DavError['conditions'][number] | undefined {
  return error?.conditions.find((c) => LOCK_CONDITIONS.has(c.name));
}

function lockDetails(condition: DavError['conditions'][number] | undefined): { condition?: ClarkName; lockHrefs: string[] } {
  if (condition === undefined) return { lockHrefs: [] };
  const lockHrefs = childElements(condition.value)
    .filter((e) => e.name === dav('href') && typeof e.value === 'string')
    .map((e) => e.value as string);
  return { condition: condition.name, lockHrefs };
}

function common(response: DavResponse): { error?: DavError; description?: string; location?: string } {
  const out: { error?: DavError; description?: string; location?: string } = {};
  if (response.error !== undefined) out.error = response.error;
  if (response.description !== undefined) out.description = response.description;
  if (response.location !== undefined) out.location = response.location;
  return out;
}

function firstDefined<T, U>(items: readonly T[], pick: (item: T) => U | undefined): U | undefined {
  for (const item of items) {
    const value = pick(item);
    if (value !== undefined) return value;
  }
  return undefined;
}
