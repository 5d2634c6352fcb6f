import { dav, type ClarkName } from '../model/clark';
import { toResults } from '../model/classify';
import { hrefKey } from '../model/href';
import type { DavError, DavResponse, MultiStatus, PropStatResponse } from '../model/multistatus';
import type { ResultCode } from '../model/result';
import { isSuccessCode, type Status } from '../model/status';
import { textOf } from '../model/xml-content';

/*
 * The objects of a calendar or address-book REPORT (RFC 4791 §7.8, §7.9; RFC 6352 §8.6,
 * §8.7): per href, its data and ETag, or the status the server gave it instead.
 */

/** An object's text and ETag, both exactly as the server sent them. */
export interface ObjectText {
  /** The href as the server wrote it (trimmed of XML white space by the parser). */
  readonly href: string;
  readonly etag?: string;
  readonly text: string;
}

/**
 * A stable code for an href that did not come back: a result code (README, "Result codes"),
 * or NOT_RETURNED when the server did not mention the href at all.
 */
export type MissingCode = ResultCode | 'NOT_RETURNED';

/** An href the server answered with an error status, without its data, or not at all (status null). */
export interface MissingObject {
  readonly href: string;
  readonly status: number | null;
  readonly code: MissingCode;
}

/**
 * What one href of the multistatus says: its object; a failure (an error status, or data the
 * server could not give); or `empty`, a success without the data property (the collection
 * itself in some servers' query answers).
 */
export type ObjectEntry =
  | { readonly kind: 'object'; readonly key: string; readonly object: ObjectText }
  | { readonly kind: 'failed'; readonly key: string; readonly missing: MissingObject }
  | { readonly kind: 'empty'; readonly key: string; readonly href: string; readonly status: number | null };

/** One entry per href of the multistatus, in document order; `dataName` is calendar-data or address-data. */
export function objectEntries(ms: MultiStatus, dataName: ClarkName): ObjectEntry[] {
  const entries: ObjectEntry[] = [];
  for (const response of ms.responses) {
    if (response.kind === 'propstat') entries.push(propStatEntry(response, dataName));
    else for (const href of response.hrefs) entries.push(statusEntry(href, response.status, response.error));
  }
  return entries;
}

function statusEntry(href: string, status: Status, error: DavError | undefined): ObjectEntry {
  const key = hrefKey(href);
  if (isSuccessCode(status.code)) return { kind: 'empty', key, href, status: status.code };
  return { kind: 'failed', key, missing: { href, status: status.code, code: failureCode(href, status, error) } };
}

function propStatEntry(response: PropStatResponse, dataName: ClarkName): ObjectEntry {
  const { href } = response;
  const key = hrefKey(href);
  const holder = response.propstats.find((p) => p.props.has(dataName));
  if (holder === undefined) {
    const status = response.propstats.find((p) => isSuccessCode(p.status.code))?.status ?? response.propstats[0]?.status;
    return { kind: 'empty', key, href, status: status?.code ?? null };
  }
  if (!isSuccessCode(holder.status.code)) return statusEntry(href, holder.status, holder.error ?? response.error);
  const value = holder.props.get(dataName)?.value;
  // Text stays text (no trimming: RFC 4791 §9.6 data is byte-exact); an empty element is empty text.
  if (typeof value !== 'string' && value !== null) {
    return { kind: 'failed', key, missing: { href, status: holder.status.code, code: 'UPSTREAM_MALFORMED' } };
  }
  const etag = etagOf(response);
  return { kind: 'object', key, object: { href, text: value ?? '', ...(etag === undefined ? {} : { etag }) } };
}

/** The ETag from a 2xx propstat, byte for byte (QUIRKS.md 17: quoted or not, weak or not). */
function etagOf(response: PropStatResponse): string | undefined {
  for (const propstat of response.propstats) {
    if (!isSuccessCode(propstat.status.code)) continue;
    const etag = textOf(propstat.props.get(dav('getetag')));
    if (etag !== undefined) return etag;
  }
  return undefined;
}

/** The code the result classification gives the status, decided by the DAV condition first (DESIGN.md, "Result"). */
export function failureCode(href: string, status: Status, error: DavError | undefined): MissingCode {
  const response: DavResponse = { kind: 'status', hrefs: [href], status, ...(error === undefined ? {} : { error }) };
  const [result] = toResults([response], 'REPORT');
  // A 423 classifies as Locked, which has no code of its own: for a read it is just a refusal.
  return result?.kind === 'Error' ? result.code : 'CLIENT_ERROR';
}
