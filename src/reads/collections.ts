import { dav, NS, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import { hrefKey } from '../model/href';
import { childElements } from '../model/xml-content';
import { propfindRequest, readMultiStatus, type ReadContext } from './read';
import { found, foundText, resourcesOf, type ReadProperty, type ReadResource } from './resources';

/*
 * Calendar and address-book collections are found the same way: PROPFIND on a home (Depth 1)
 * or on the collection (Depth 0), asking by name for the properties that allprop does not
 * return (RFC 4918 §9.1), and keeping the resources whose DAV:resourcetype names the type.
 */

/** The collection tag calendar and address-book clients poll for changes (Apple's calendarserver extension). */
export const CTAG = `{${NS.CALENDARSERVER}}getctag`;

/** What calendars and address books share: the href, their text properties, and every property with its status. */
export interface CollectionInfo {
  readonly href: string;
  readonly displayName?: string;
  /** calendar-description or addressbook-description, exactly as stored. */
  readonly description?: string;
  /** {http://calendarserver.org/ns/}getctag. */
  readonly ctag?: string;
  /** {DAV:}sync-token (RFC 6578 §4). */
  readonly syncToken?: string;
  readonly properties: readonly ReadProperty[];
}

/** The shared fields of a collection read with CTAG and sync-token asked for; `description` names its description property. */
export function collectionInfo(resource: ReadResource, description: ClarkName): CollectionInfo {
  const displayName = foundText(resource, dav('displayname'));
  const text = foundText(resource, description);
  const ctag = foundText(resource, CTAG);
  const syncToken = foundText(resource, dav('sync-token'), true);
  return {
    href: resource.href,
    ...(displayName === undefined ? {} : { displayName }),
    ...(text === undefined ? {} : { description: text }),
    ...(ctag === undefined ? {} : { ctag }),
    ...(syncToken === undefined ? {} : { syncToken }),
    properties: resource.properties,
  };
}

/** True when the resource's {DAV:}resourcetype (returned with a 2xx) holds an element named `type`. */
export function hasResourceType(resource: ReadResource, type: ClarkName): boolean {
  return childElements(found(resource, dav('resourcetype'))?.value ?? null).some((e) => e.name === type);
}

/**
 * The members of `home` whose resourcetype holds `type` (RFC 4791 §4.2 calendar, RFC 6352
 * §5.2 addressbook), in document order, with the properties `names` asked for. The home
 * itself is left out even when it has that type. Throws as readMultiStatus does.
 */
export async function listCollections(ctx: ReadContext, home: string, names: readonly ClarkName[], type: ClarkName): Promise<ReadResource[]> {
  const path = ctx.backend.resolveHref(home);
  const resources = await propfind(ctx, path, '1', names);
  const self = hrefKey(path);
  return resources.filter((r) => hrefKey(r.href) !== self && hasResourceType(r, type));
}

/**
 * The collection at `href` when its resourcetype holds `type`; null when it is another kind
 * of resource or does not exist (a 404 or 410 answer, or a 207 whose only propstat is 404,
 * QUIRKS.md 4). Other failures throw as readMultiStatus does.
 */
export async function getCollection(ctx: ReadContext, href: string, names: readonly ClarkName[], type: ClarkName): Promise<ReadResource | null> {
  const path = ctx.backend.resolveHref(href);
  let resources: ReadResource[];
  try {
    resources = await propfind(ctx, path, '0', names);
  } catch (error) {
    if (error instanceof DavgateError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
  const self = hrefKey(path);
  // Depth 0 answers for the resource itself, though not always under the same spelling.
  const resource = resources.find((r) => hrefKey(r.href) === self) ?? resources[0];
  return resource !== undefined && hasResourceType(resource, type) ? resource : null;
}

async function propfind(ctx: ReadContext, path: string, depth: '0' | '1', names: readonly ClarkName[]): Promise<ReadResource[]> {
  const withType = names.includes(dav('resourcetype')) ? names : [dav('resourcetype'), ...names];
  const { multistatus } = await readMultiStatus(ctx, propfindRequest(path, depth, withType));
  return resourcesOf(multistatus);
}
