import { DavgateError } from '../model/errors';
import type { DavError, MultiStatus } from '../model/multistatus';
import { childElements } from '../model/xml-content';
import type { SendOptions, UpstreamRequest, UpstreamResponse } from '../upstream/types';
import { parseDavBody } from '../xml/parse-multistatus';

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

/** The multistatus of a read, with the status it came with. */
export interface ReadAnswer {
  readonly status: number;
  readonly multistatus: MultiStatus;
}

/**
 * Sends a PROPFIND or REPORT and reads its multistatus (a 207, or a 200 carrying one: QUIRKS.md
 * 12). Any other answer throws a DavgateError for the whole request: UNAUTHENTICATED,
 * FORBIDDEN, NOT_FOUND, UPSTREAM_REDIRECT or UPSTREAM_STATUS, with the DAV condition when the
 * server named one; a 207 davgate cannot read throws UPSTREAM_MALFORMED.
 */
export async function readMultiStatus(ctx: ReadContext, request: UpstreamRequest): Promise<ReadAnswer> {
  const response = await ctx.backend.send(request, ctx.options);
  const body = readBody(response);
  if (body.kind === 'multistatus' && response.status >= 200 && response.status < 300) return { status: response.status, multistatus: body.multistatus };
  if (response.status === 207) throw new DavgateError('UPSTREAM_MALFORMED', `the 207 for ${request.method} ${request.path} is not a multistatus`);
  throw statusError(request, response.status, body.kind === 'error' ? body.error : undefined);
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
