import type { ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { DavError, MultiStatus } from '../model/multistatus';
import { childElements } from '../model/xml-content';
import type { SendOptions, UpstreamRequest, UpstreamResponse } from '../upstream/types';
import { XML_CONTENT_TYPE } from '../operations/context';
import { parseDavBody } from '../xml/parse-multistatus';
import { propfindBody } from '../xml/propfind-body';

/** What a read needs of a backend: the upstream client's resolver and sender (the batch executor's BatchBackend fits). */
export interface ReadBackend {
  readonly origin: string;
  /** The backend's root path, ending in `/`. */
  readonly root: string;
  resolveHref(href: string): string;
  send(request: UpstreamRequest, options?: SendOptions): Promise<UpstreamResponse>;
}

/** One read's backend and per-request context (the caller's credentials, request id, cancellation). */
export interface ReadContext {
  readonly backend: ReadBackend;
  readonly options: SendOptions;
}

/** A PROPFIND of `path` (RFC 4918 §9.1) for the named properties, or allprop. */
export function propfindRequest(path: string, depth: '0' | '1', names: readonly ClarkName[] | 'allprop'): UpstreamRequest {
  return { method: 'PROPFIND', path, headers: { Depth: depth, 'Content-Type': XML_CONTENT_TYPE }, body: propfindBody(names) };
}

/** A REPORT of `path` with an XML body; `depth` undefined sends no Depth header (RFC 4791 §7.9: a multiget SHOULD NOT). */
export function reportRequest(path: string, depth: '0' | '1' | undefined, body: string): UpstreamRequest {
  return { method: 'REPORT', path, headers: depth === undefined ? { 'Content-Type': XML_CONTENT_TYPE } : { Depth: depth, 'Content-Type': XML_CONTENT_TYPE }, body };
}

/** The multistatus of a read, with the status it came with. */
export interface ReadAnswer {
  readonly status: number;
  readonly multistatus: MultiStatus;
}

/**
 * How the backend answered a read: its multistatus, or a refusal with the answer itself (for
 * the reads whose policy needs more than an error code: a redirect's Location, the status and
 * DAV:error of a refused sync) and the whole-request error readMultiStatus throws for it.
 */
export type ReadOutcome =
  | { readonly kind: 'multistatus'; readonly status: number; readonly multistatus: MultiStatus }
  | { readonly kind: 'refused'; readonly response: UpstreamResponse; readonly davError: DavError | undefined; readonly error: DavgateError };

/**
 * Sends a PROPFIND or REPORT and reads its answer once: a multistatus (a 207, or a 200
 * carrying one: QUIRKS.md 12), or a refusal (see statusError). A 207 davgate cannot read
 * throws UPSTREAM_MALFORMED; transport failures throw as the upstream client does.
 */
export async function readAnswer(ctx: ReadContext, request: UpstreamRequest): Promise<ReadOutcome> {
  const response = await ctx.backend.send(request, ctx.options);
  const body = readBody(response);
  if (body.kind === 'multistatus' && response.status >= 200 && response.status < 300) return { kind: 'multistatus', status: response.status, multistatus: body.multistatus };
  if (response.status === 207) throw new DavgateError('UPSTREAM_MALFORMED', `the 207 for ${request.method} ${request.path} is not a multistatus`);
  const davError = body.kind === 'error' ? body.error : undefined;
  return { kind: 'refused', response, davError, error: statusError(request, response.status, davError) };
}

/**
 * readAnswer for reads that need only the multistatus: any other answer throws a DavgateError
 * for the whole request: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, UPSTREAM_REDIRECT or
 * UPSTREAM_STATUS, with the DAV condition when the server named one.
 */
export async function readMultiStatus(ctx: ReadContext, request: UpstreamRequest): Promise<ReadAnswer> {
  const outcome = await readAnswer(ctx, request);
  if (outcome.kind === 'refused') throw outcome.error;
  return { status: outcome.status, multistatus: outcome.multistatus };
}

/** The whole-request error for a read answered with `status` (not a 2xx multistatus). */
export function statusError(request: Pick<UpstreamRequest, 'method' | 'path'>, status: number, error?: DavError): DavgateError {
  const condition = error?.conditions[0]?.name;
  const detail = `${request.method} ${request.path} answered ${status}${condition === undefined ? '' : ` (${condition})`}`;
  if (status === 401) return new DavgateError('UNAUTHENTICATED', detail);
  if (status === 403) return new DavgateError('FORBIDDEN', detail);
  if (status === 404 || status === 410) return new DavgateError('NOT_FOUND', detail);
  if (status >= 300 && status < 400) return new DavgateError('UPSTREAM_REDIRECT', detail);
  return new DavgateError('UPSTREAM_STATUS', detail);
}

type ReadBody = { kind: 'multistatus'; multistatus: MultiStatus } | { kind: 'error'; error: DavError } | { kind: 'other' };

function readBody(response: UpstreamResponse): ReadBody {
  if (response.body.length === 0) return { kind: 'other' };
  try {
    const body = parseDavBody(response.body);
    if (body.kind === 'multistatus') return body;
    if (body.root.name === '{DAV:}error') return { kind: 'error', error: { conditions: childElements(body.root.value) } };
    return { kind: 'other' };
  } catch (error) {
    if (!(error instanceof DavgateError)) throw error;
    if (response.status === 207) throw new DavgateError('UPSTREAM_MALFORMED', `the 207 cannot be read: ${error.code}: ${error.detail ?? error.message}`);
    return { kind: 'other' };
  }
}
