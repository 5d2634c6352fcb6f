import type { ClarkName } from './clark';
import type { Status } from './status';
import type { PropValue, XmlElement } from './xml-content';

/**
 * The model of an RFC 4918 §13 / §14.16 multistatus document. It keeps everything the
 * protocol can say: several hrefs in one response, every propstat with its own status,
 * `error` conditions at both levels, descriptions, `location`, and the RFC 6578 sync-token.
 */
export interface MultiStatus {
  readonly responses: readonly DavResponse[];
  readonly syncToken?: string;
  readonly description?: string;
}

/** RFC 4918 §14.24: a response carries either hrefs with one status, or one href with propstats. */
export type DavResponse = StatusResponse | PropStatResponse;

interface ResponseCommon {
  readonly error?: DavError;
  readonly description?: string;
  readonly location?: string;
}

/** `<response><href/>+<status/>…</response>`: one status for every href listed. */
export interface StatusResponse extends ResponseCommon {
  readonly kind: 'status';
  readonly hrefs: readonly string[];
  readonly status: Status;
}

/** `<response><href/><propstat/>+…</response>`: properties grouped by status. */
export interface PropStatResponse extends ResponseCommon {
  readonly kind: 'propstat';
  readonly href: string;
  readonly propstats: readonly PropStat[];
}

/** Properties that share one status (RFC 4918 §14.22). */
export interface PropStat {
  readonly status: Status;
  readonly props: ReadonlyMap<ClarkName, PropValue>;
  readonly error?: DavError;
  readonly description?: string;
}

/**
 * The content of a `DAV:error` element (RFC 4918 §14.5, §16): the precondition or
 * postcondition elements, in order, each with whatever it contains (for instance the hrefs
 * inside `lock-token-submitted`). An empty `<D:error/>` has no conditions.
 */
export interface DavError {
  readonly conditions: readonly XmlElement[];
}

/** The hrefs of a response, whatever its shape. */
export function hrefsOf(response: DavResponse): readonly string[] {
  return response.kind === 'status' ? response.hrefs : [response.href];
}
