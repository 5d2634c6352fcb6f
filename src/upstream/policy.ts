/**
 * What davgate may do again, per method (HARDENING.md: undici's retry handler would replay PUT
 * and DELETE; WebDAV needs a policy per method). Four classes:
 *
 * | class        | methods                                                   | retried when never sent | retried after a reset before any response byte | retried on 502/503/504 (and 429 with Retry-After) | connection lost after sending |
 * |--------------|-----------------------------------------------------------|-----|-----|-----|-------------------------|
 * | `safe`       | GET HEAD OPTIONS PROPFIND REPORT SEARCH                   | yes | yes | yes | the transport code      |
 * | `replayable` | PUT with If-Match or If-None-Match                        | yes | yes | no  | UPSTREAM_OUTCOME_UNKNOWN |
 * | `idempotent` | DELETE PROPPATCH UNLOCK ACL                               | yes | no  | no  | UPSTREAM_OUTCOME_UNKNOWN |
 * | `once`       | MOVE COPY LOCK POST MKCOL MKCALENDAR PATCH, PUT without a condition, any other method | no | no | no | UPSTREAM_OUTCOME_UNKNOWN |
 *
 * "Never sent" means the request was not handed to a connection (refused, connect timeout,
 * name resolution). A conditional PUT replayed after a lost connection is answered 412 if
 * the first attempt did apply, so a 412 after such a replay is reported as
 * UPSTREAM_OUTCOME_UNKNOWN too. DELETE, PROPPATCH and UNLOCK are idempotent in effect, but a
 * replay after the first one applied answers 404 or 409, a wrong report; they are replayed
 * only when the first attempt provably never left davgate.
 */
export type MethodClass = 'safe' | 'replayable' | 'idempotent' | 'once';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'REPORT', 'SEARCH']);
const IDEMPOTENT = new Set(['DELETE', 'PROPPATCH', 'UNLOCK', 'ACL']);

/** The class of a request, from its method and, for PUT, its conditional headers. */
export function methodClass(method: string, headers: Readonly<Record<string, string>>): MethodClass {
  const upper = method.toUpperCase();
  if (SAFE.has(upper)) return 'safe';
  if (IDEMPOTENT.has(upper)) return 'idempotent';
  if (upper === 'PUT' && hasCondition(headers)) return 'replayable';
  return 'once';
}

/** Whether the headers carry If-Match or If-None-Match, in any case. */
function hasCondition(headers: Readonly<Record<string, string>>): boolean {
  for (const name in headers) if ((name.length === 8 || name.length === 13) && CONDITIONS.test(name)) return true;
  return false;
}

const CONDITIONS = /^if-(?:none-)?match$/i;

/** Where an attempt was when it failed. */
export type Phase = 'unsent' | 'sent' | 'receiving';

/** Whether a failed attempt may be made again, by class, phase and whether the connection was lost. */
export function mayRetryFailure(cls: MethodClass, phase: Phase, lostConnection: boolean): boolean {
  if (cls === 'once') return false;
  if (phase === 'unsent') return true;
  return phase === 'sent' && lostConnection && (cls === 'safe' || cls === 'replayable');
}

const RETRY_STATUSES = new Set([502, 503, 504]);

/** Whether a response status may be retried: only for safe methods; a 429 only when it says when. */
export function mayRetryStatus(cls: MethodClass, status: number, hasRetryAfter: boolean): boolean {
  if (cls !== 'safe') return false;
  return RETRY_STATUSES.has(status) || (status === 429 && hasRetryAfter);
}

/** Whether a failure after the request left davgate leaves its effect unknown: any method that is not safe. */
export function outcomeUnknown(cls: MethodClass, phase: Phase): boolean {
  return cls !== 'safe' && phase !== 'unsent';
}

/** Backoff before retry `attempt` (1, 2, …): 100 ms doubling to at most 1 s, with jitter of up to half. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000, 100 * 2 ** (attempt - 1));
  return Math.round(base / 2 + (base / 2) * random());
}

/**
 * A Retry-After value (RFC 9110 §10.2.3) in milliseconds from `now`: delay-seconds or an
 * HTTP-date; undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
