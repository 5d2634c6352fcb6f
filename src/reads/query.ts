import type { ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import { hrefKey } from '../model/href';
import { objectEntries, type MissingObject, type ObjectText } from './objects';
import { readMultiStatus, reportRequest, type ReadContext } from './read';

/**
 * Sends a query REPORT (RFC 4791 §7.8 calendar-query, RFC 6352 §8.6 addressbook-query) with
 * Depth 1 to a collection and returns every matching object's text and ETag, in document
 * order. The answer is complete or the call throws: a collection answered 507 means the
 * server cut the matches short (RFC 4918 §11.4, `number-of-matches-within-limits`), and a
 * member answered with an error status or without its data cannot be presented as a matching
 * object; both throw UPSTREAM_STATUS naming the hrefs, rather than return part of the list as
 * all of it (DESIGN.md invariant 4). Whole-request failures throw as readMultiStatus says.
 */
export async function queryObjects(ctx: ReadContext, collectionHref: string, body: string, dataName: ClarkName): Promise<ObjectText[]> {
  const path = ctx.backend.resolveHref(collectionHref);
  const request = reportRequest(path, '1', body);
  const { multistatus } = await readMultiStatus(ctx, request);
  const self = hrefKey(path);
  const objects: ObjectText[] = [];
  const failures: MissingObject[] = [];
  for (const entry of objectEntries(multistatus, dataName)) {
    if (entry.kind === 'object') objects.push(entry.object);
    else if (entry.kind === 'failed') failures.push(entry.missing);
    // Some servers list the collection itself, without data; any other member must carry its data.
    else if (entry.key !== self) failures.push({ href: entry.href, status: entry.status, code: 'UPSTREAM_MALFORMED' });
  }
  if (failures.length > 0) throw incomplete(request, failures, self);
  return objects;
}

function incomplete(request: { method: string; path: string }, failures: readonly MissingObject[], self: string): DavgateError {
  const cut = failures.find((f) => f.status === 507 && hrefKey(f.href) === self);
  if (cut !== undefined) {
    return new DavgateError('UPSTREAM_STATUS', `${request.method} ${request.path}: the server returned only part of the matches (507 ${cut.code}); narrow the query`);
  }
  const listed = failures.slice(0, 5).map((f) => `${f.href} (${f.status ?? 'no status'} ${f.code})`).join(', ');
  const more = failures.length > 5 ? ` and ${failures.length - 5} more` : '';
  return new DavgateError('UPSTREAM_STATUS', `${request.method} ${request.path}: ${failures.length} member(s) came back without their data: ${listed}${more}`);
}
