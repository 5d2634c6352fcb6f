import { dav } from '../model/clark';
import { toResults } from '../model/classify';
import { DavgateError } from '../model/errors';
import { hrefKey } from '../model/href';
import type { DavResponse, MultiStatus, PropStat } from '../model/multistatus';
import type { ErrorResult, Result } from '../model/result';
import { canonicalStatusLine, isSuccessCode, statusOf } from '../model/status';
import { childElements, type XmlElement } from '../model/xml-content';
import type { Operation } from '../operations/operation';
import { bareLockToken } from '../operations/if-header';
import type { UpstreamResponse } from '../upstream/types';
import { parseDavBody, type DavBody } from '../xml/parse-multistatus';

/** How much of an error body that is not DAV XML is kept in the result (QUIRKS.md 22). */
const DETAIL_BYTES = 1024;

/**
 * The results of one operation from the backend's answer. A multistatus body, whatever the
 * status it came with (207; Apache's 424 for a DELETE, COPY or MOVE blocked by a locked member;
 * Radicale's 200 for a DELETE), becomes one result per href it names; when it does not name
 * the operation's own href, the operation did not happen there (RFC 4918 §9.6.1, §9.8.8) and
 * that href gets a 424 result of its own. Any other answer is one result for the href.
 */
export function interpret(op: Operation, path: string, response: UpstreamResponse): Result[] {
  const body = readBody(response);
  // The usual answer of a write, a 2xx with no DAV body (Apache's 201 with its HTML page, a 204),
  // made directly: what toResults and decorate would make of it, without the intermediate response.
  if (body === undefined && isSuccessCode(response.status)) return [plainSuccess(op, path, response)];
  if (body === 'malformed') return [malformed(path, response.status)];
  if (body?.kind === 'multistatus') return fromMultistatus(op, path, response.status, body.multistatus);
  const error = body?.kind === 'element' && body.root.name === dav('error') ? { conditions: childElements(body.root.value) } : undefined;
  const plain: DavResponse = error === undefined ? { kind: 'status', hrefs: [path], status: statusOf(response.status) } : { kind: 'status', hrefs: [path], status: statusOf(response.status), error };
  const [result] = toResults([plain], op.method) as [Result];
  return [decorate(op, result, response, body)];
}

function readBody(response: UpstreamResponse): DavBody | 'malformed' | undefined {
  if (response.body.length === 0 || !looksLikeXml(response)) return undefined;
  try {
    return parseDavBody(response.body);
  } catch (error) {
    if (!(error instanceof DavgateError)) throw error;
    // A 207 must be read; an unreadable error page is only detail.
    return response.status === 207 ? 'malformed' : undefined;
  }
}

const XML_DECLARATION = Buffer.from('<?xml', 'latin1');

function looksLikeXml(response: UpstreamResponse): boolean {
  const type = response.headers['content-type'] ?? '';
  if (/[/+]xml\b/i.test(type)) return true;
  // The usual answer (Apache's HTML page for a 201, say) is decided by its first byte, without decoding:
  // `<` starts XML only as a declaration or when no type was given, and any other ASCII byte that is not
  // white space never does. White space and non-ASCII bytes (a BOM, say) take the decoding way below.
  const first = response.body[0];
  if (first === 0x3c) return type === '' || response.body.subarray(0, XML_DECLARATION.length).equals(XML_DECLARATION);
  if (first !== undefined && first < 0x80 && !isJsWhiteSpace(first)) return false;
  const start = response.body.subarray(0, 64).toString('utf8').trimStart();
  return start.startsWith('<?xml') || (type === '' && start.startsWith('<'));
}

/** The ASCII characters String#trimStart removes: tab, LF, VT, FF, CR and space. */
function isJsWhiteSpace(byte: number): boolean {
  return (byte >= 0x09 && byte <= 0x0d) || byte === 0x20;
}

function fromMultistatus(op: Operation, path: string, status: number, ms: MultiStatus): Result[] {
  const results = toResults(ms.responses, op.method);
  const own = hrefKey(path);
  if (results.some((r) => hrefKey(r.href) === own)) return results;
  const code = status === 207 ? (results.length === 0 ? 207 : 424) : status;
  const [self] = toResults([{ kind: 'status', hrefs: [path], status: statusOf(code) }], op.method) as [Result];
  const note = results.length === 0 ? undefined : `${op.method} was not done here: the backend reported ${results.length} member(s) it could not process`;
  return [note === undefined ? self : { ...self, description: note }, ...results];
}

/** Adds what the headers and a LOCK body say: ETag, Location, the lock token and its lockdiscovery. */
function decorate(op: Operation, result: Result, response: UpstreamResponse, body: DavBody | undefined): Result {
  if (result.kind === 'Error') {
    const detail = body === undefined && response.body.length > 0 ? response.body.subarray(0, DETAIL_BYTES).toString('utf8') : undefined;
    return detail === undefined ? result : { ...result, detail };
  }
  if (result.kind === 'Locked') return result;
  // toResults made `result` for this answer alone, so it is extended in place: a spread copy
  // is a generic clone in V8, paid for nearly every result (Apache sends a Location with a 201).
  // runBatch stamps it in place too (executor.ts); a result extended in place and then copied
  // by a spread costs more than the two copies did, so the two go together.
  const extended = result as { etag?: string; location?: string };
  const etag = response.headers['etag'];
  const location = response.headers['location'];
  if (etag !== undefined) extended.etag = etag;
  if (location !== undefined) extended.location = location;
  return op.method === 'LOCK' ? withLock(result, response, body) : result;
}

/** The result of a 2xx answer with no DAV body, made directly and decorated as any other. */
function plainSuccess(op: Operation, path: string, response: UpstreamResponse): Result {
  const status = response.status;
  return decorate(op, { kind: status === 201 ? 'Created' : 'Success', href: path, status, statusLine: canonicalStatusLine(status) }, response, undefined);
}

function withLock(result: Result, response: UpstreamResponse, body: DavBody | undefined): Result {
  if (result.kind !== 'Success' && result.kind !== 'Created') return result;
  const discovery = body?.kind === 'element' ? findLockDiscovery(body.root) : undefined;
  const header = response.headers['lock-token'];
  const token = header !== undefined ? bareLockToken(header) : discovery === undefined ? undefined : tokenIn(discovery);
  const propstats: PropStat[] | undefined = discovery === undefined ? undefined : [{ status: statusOf(200), props: new Map([[discovery.name, { value: discovery.value }]]) }];
  return { ...result, ...(token === undefined ? {} : { lockToken: token }), ...(propstats === undefined ? {} : { propstats }) };
}

/** RFC 4918 §9.10.1: the LOCK answer is `<prop><lockdiscovery>…</lockdiscovery></prop>`. */
function findLockDiscovery(root: XmlElement): XmlElement | undefined {
  if (root.name === dav('lockdiscovery')) return root;
  return childElements(root.value).find((e) => e.name === dav('lockdiscovery'));
}

/** The token of the (first) active lock, when the Lock-Token header is missing. */
function tokenIn(discovery: XmlElement): string | undefined {
  for (const active of childElements(discovery.value)) {
    const locktoken = childElements(active.value).find((e) => e.name === dav('locktoken'));
    const href = locktoken === undefined ? undefined : childElements(locktoken.value).find((e) => e.name === dav('href'));
    if (href !== undefined && typeof href.value === 'string') return bareLockToken(href.value);
  }
  return undefined;
}

function malformed(path: string, status: number): ErrorResult {
  return {
    kind: 'Error', href: path, status, statusLine: statusOf(status).line, code: 'UPSTREAM_MALFORMED', retryable: false,
    description: 'the backend answered 207 with a body that is not a readable multistatus',
  };
}

/** Codes of a send refused by the gateway itself: nothing was sent, so a retry is safe. */
const REFUSED_BY_GATEWAY: ReadonlySet<string> = new Set(['BACKEND_OVERLOADED', 'BACKEND_FAILING', 'GATEWAY_SHUTTING_DOWN']);

/**
 * An error result for an operation whose request failed in transport (a DavgateError with an
 * UPSTREAM_* code), or that the gateway refused to send (load shedding, shutdown).
 */
export function transportFailure(path: string, error: DavgateError): ErrorResult {
  const code = (error.code.startsWith('UPSTREAM_') || REFUSED_BY_GATEWAY.has(error.code) ? error.code : 'UPSTREAM_MALFORMED') as ErrorResult['code'];
  const retryable = code === 'UPSTREAM_REFUSED' || code === 'UPSTREAM_TIMEOUT' || code === 'UPSTREAM_RESET' || REFUSED_BY_GATEWAY.has(code);
  return { kind: 'Error', href: path, status: null, statusLine: '', code, retryable, description: error.message };
}

/** A result for an operation that was not sent. */
export function notSent(path: string, code: 'DEPENDENCY_FAILED' | 'NOT_SENT', description: string): ErrorResult {
  const status = code === 'DEPENDENCY_FAILED' ? 424 : null;
  return { kind: 'Error', href: path, status, statusLine: status === null ? '' : statusOf(status).line, code, retryable: code === 'NOT_SENT', description };
}
