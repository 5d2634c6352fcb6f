import { dav } from '../model/clark';
import { DavgateError } from '../model/errors';
import { hrefKey } from '../model/href';
import type { MultiStatus } from '../model/multistatus';
import type { UpstreamRequest } from '../upstream/types';
import { syncCollectionBody } from '../xml/sync-collection-body';
import { readAnswer, reportRequest, type ReadContext, type ReadOutcome } from './read';
import { foundText, resourcesOf } from './resources';

/** A member created or changed since the token, with its new ETag when the server gave one. */
export interface ChangedMember {
  readonly href: string;
  readonly etag?: string | undefined;
}

/** The answer of a sync-collection REPORT (RFC 6578 §3.2). */
export interface SyncChanges {
  /** The token to send next time, byte for byte as the server wrote it (less surrounding XML white space). */
  readonly syncToken: string;
  readonly changed: readonly ChangedMember[];
  /** Hrefs the server reported with 404: removed since the token (§3.5.1). */
  readonly removed: readonly string[];
  /** The server answered only part of the changes (507 for the collection, §3.6): ask again with `syncToken`. */
  readonly truncated: boolean;
}

const VALID_SYNC_TOKEN = dav('valid-sync-token');

/**
 * Statuses that say nothing about the token: the server does not do REPORT at all (405, 501:
 * nginx, Apache mod_dav_fs), or is busy, or a proxy failed (408, 429, 502-504: QUIRKS.md 23).
 * They keep their own error instead of sending the caller into a full resync that would fail
 * the same way.
 */
const NOT_THE_TOKEN = new Set([405, 408, 429, 501, 502, 503, 504]);

/**
 * Changes in `collection` since `syncToken`, or every member when it is absent or empty (the
 * initial sync, RFC 6578 §3.4), by a sync-collection REPORT: Depth 0 (§3.2: the report is
 * only defined for Depth 0), sync-level 1 (§3.3: members only), asking for {DAV:}getetag.
 * Members answered with 404 are removed, any other member is changed; a 507 for the
 * collection itself means the answer is truncated (§3.6).
 *
 * A token the server refuses throws SYNC_TOKEN_INVALID, whatever status it used (QUIRKS.md
 * 21: 403 with or without {DAV:}valid-sync-token, 409, 412, 415, 418, 500), so the caller
 * knows to sync again from scratch; a {DAV:}valid-sync-token condition (§3.2) means it even
 * without a token. 401 and 404 stay UNAUTHENTICATED and NOT_FOUND; statuses that say
 * nothing about the token (405 and 501 for a server without REPORT, 408, 429, 502-504) stay
 * UPSTREAM_STATUS; transport failures keep their UPSTREAM_* code.
 */
export async function syncCollection(ctx: ReadContext, collection: string, syncToken?: string): Promise<SyncChanges> {
  const path = ctx.backend.resolveHref(collection);
  // RFC 6578 §3.2: sync-collection is defined for Depth 0 only; sync-level in the body says how deep.
  const request = reportRequest(path, '0', syncCollectionBody(syncToken));
  const multistatus = await readSync(ctx, request, syncToken !== undefined && syncToken !== '');
  return changesOf(multistatus, path);
}

async function readSync(ctx: ReadContext, request: UpstreamRequest, tokenSent: boolean): Promise<MultiStatus> {
  const outcome = await readAnswer(ctx, request);
  if (outcome.kind === 'multistatus') return outcome.multistatus;
  throw syncError(outcome, tokenSent, request.path);
}

/** The error for a refused REPORT: SYNC_TOKEN_INVALID when the token is to blame, else readAnswer's own. */
function syncError({ error, response, davError }: Extract<ReadOutcome, { kind: 'refused' }>, tokenSent: boolean, path: string): DavgateError {
  const status = response.status;
  const invalid = (why: string) => new DavgateError('SYNC_TOKEN_INVALID', `REPORT sync-collection ${path} answered ${status}${why}`);
  if (status < 300) return error;
  if (davError?.conditions.some((element) => element.name === VALID_SYNC_TOKEN) === true) return invalid(` (${VALID_SYNC_TOKEN})`);
  if (!tokenSent || status < 400 || NOT_THE_TOKEN.has(status)) return error;
  if (error.code === 'UNAUTHENTICATED' || error.code === 'NOT_FOUND') return error;
  return invalid('');
}

function changesOf(multistatus: MultiStatus, path: string): SyncChanges {
  const syncToken = multistatus.syncToken;
  if (syncToken === undefined || syncToken === '') {
    throw new DavgateError('UPSTREAM_MALFORMED', `the sync-collection answer for ${path} has no sync-token (RFC 6578 §3.2)`);
  }
  const key = hrefKey(path);
  const changed: ChangedMember[] = [];
  const removed: string[] = [];
  let truncated = false;
  for (const resource of resourcesOf(multistatus)) {
    // The collection itself is no member: it appears for a 507 (§3.6), and some servers list it among the changes (iCloud).
    if (hrefKey(resource.href) === key) truncated ||= resource.status === 507;
    else if (resource.status === 404) removed.push(resource.href);
    else changed.push({ href: resource.href, etag: foundText(resource, dav('getetag'), true) });
  }
  return { syncToken, changed, removed, truncated };
}
