import { dav, isClarkName, NS, splitClark, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import { hrefKey } from '../model/href';
import { childElements } from '../model/xml-content';
import { propfindRequest, readMultiStatus, type ReadContext } from './read';
import { found, foundText, resourcesOf, type ReadProperty, type ReadResource } from './resources';

/** What {DAV:}resourcetype says a resource is; FILE for a non-collection. */
export type ResourceKind = 'COLLECTION' | 'CALENDAR' | 'ADDRESS_BOOK' | 'PRINCIPAL' | 'FILE';

/**
 * A resource read by PROPFIND: every property with its status (ReadResource), plus the
 * common live properties of RFC 4918 §15 read from a 2xx propstat. ETags, content types and
 * dates lose only the XML white space around them (none of them can contain any); the
 * display name is kept exactly.
 */
export interface ResourceInfo extends ReadResource {
  readonly type: ResourceKind;
  /** Every Clark name inside {DAV:}resourcetype (RFC 4918 §15.9), in document order. */
  readonly resourceTypes: readonly ClarkName[];
  readonly displayName?: string | undefined;
  readonly etag?: string | undefined;
  readonly contentType?: string | undefined;
  /** {DAV:}getcontentlength when it is a plain decimal number. */
  readonly contentLength?: number | undefined;
  readonly lastModified?: string | undefined;
  /** Properties that came back with a non-2xx status, or that were asked for and left out (status null). */
  readonly missing: readonly ClarkName[];
}

/** A collection and its members, as one PROPFIND answered them. */
export interface Listing {
  /** The path that was asked for (normalised under the backend root). */
  readonly href: string;
  /** The response for the requested href itself; undefined when the server left it out. */
  readonly self: ResourceInfo | undefined;
  /** Every other response, in document order. */
  readonly members: readonly ResourceInfo[];
}

const RESOURCETYPE = dav('resourcetype');

/**
 * Properties of one resource: PROPFIND with Depth 0 (RFC 4918 §9.1), for the named properties
 * or allprop when `names` is absent. {DAV:}resourcetype is always asked for, since `type`
 * depends on it. Throws NOT_FOUND when the server says the resource does not exist (a 404 for
 * the request, a 404 response for the href, or a 404 for resourcetype, which §15.9 requires
 * on every resource: QUIRKS.md 4), and the errors of readMultiStatus.
 */
export async function getResource(ctx: ReadContext, href: string, names?: readonly ClarkName[]): Promise<ResourceInfo> {
  const listing = await getListing(ctx, href, 0, names);
  if (listing.self !== undefined) return listing.self;
  // A server that spells the href beyond what hrefKey reconciles still answers Depth 0 with one response.
  const [only, ...others] = listing.members;
  if (only === undefined || others.length > 0) {
    throw new DavgateError('UPSTREAM_MALFORMED', `PROPFIND Depth 0 of ${listing.href} answered no response for it (${listing.members.length} for other hrefs)`);
  }
  if (isAbsent(only)) throw notFound(listing.href);
  return only;
}

/**
 * A PROPFIND listing with Depth 0 or 1 (RFC 4918 §9.1): `self` is the response whose href
 * matches the requested one (by hrefKey: QUIRKS.md 16), every other response is a member, in
 * document order. `names` as for getResource. Throws NOT_FOUND when `self` says the resource
 * does not exist, as getResource does.
 */
export async function getListing(ctx: ReadContext, href: string, depth: 0 | 1, names?: readonly ClarkName[]): Promise<Listing> {
  const asked = names === undefined ? undefined : namesToAsk(names);
  const path = ctx.backend.resolveHref(href);
  const { multistatus } = await readMultiStatus(ctx, propfindRequest(path, depth === 0 ? '0' : '1', asked ?? 'allprop'));
  const key = hrefKey(path);
  let self: ResourceInfo | undefined;
  const members: ResourceInfo[] = [];
  for (const resource of resourcesOf(multistatus)) {
    const info = resourceInfo(resource, asked);
    if (self === undefined && hrefKey(resource.href) === key) self = info;
    else members.push(info);
  }
  if (self !== undefined && isAbsent(self)) throw notFound(path);
  return { href: path, self, members };
}

/** Reads the typed fields of a ReadResource; `asked` names what a silent server left out (QUIRKS.md 14). */
export function resourceInfo(resource: ReadResource, asked?: readonly ClarkName[]): ResourceInfo {
  const properties = withOmitted(resource.properties, asked);
  const full: ReadResource = { ...resource, properties };
  const resourceTypes = childElements(found(full, RESOURCETYPE)?.value ?? null).map((element) => element.name);
  const length = foundText(full, dav('getcontentlength'), true);
  return {
    ...full,
    type: kindOf(resourceTypes),
    resourceTypes,
    displayName: foundText(full, dav('displayname')),
    etag: foundText(full, dav('getetag'), true),
    contentType: foundText(full, dav('getcontenttype'), true),
    contentLength: length !== undefined && /^[0-9]{1,15}$/.test(length) ? Number(length) : undefined,
    lastModified: foundText(full, dav('getlastmodified'), true),
    missing: properties.filter((p) => p.missing).map((p) => p.name),
  };
}

/** The asked names, checked, without repeats, with {DAV:}resourcetype added when absent. */
function namesToAsk(names: readonly ClarkName[]): ClarkName[] {
  for (const name of names) {
    if (typeof name !== 'string' || !isClarkName(name)) throw new DavgateError('INPUT_INVALID', `${JSON.stringify(name)} is not a Clark name such as {DAV:}displayname`);
  }
  return [...new Set([...names, RESOURCETYPE])];
}

/** The properties, plus a missing entry with status null for each asked name the server did not mention. */
function withOmitted(properties: readonly ReadProperty[], asked: readonly ClarkName[] | undefined): readonly ReadProperty[] {
  if (asked === undefined) return properties;
  const mentioned = new Set(properties.map((p) => p.name));
  const omitted = asked.filter((name) => !mentioned.has(name));
  if (omitted.length === 0) return properties;
  return [
    ...properties,
    ...omitted.map((name): ReadProperty => {
      const { namespace, local } = splitClark(name);
      return { name, namespace, localName: local, status: null, missing: true, value: { value: null } };
    }),
  ];
}

// A calendar or address book is also a collection; the more specific kind wins (RFC 4791 §4.2, RFC 6352 §5.2).
const KINDS: readonly [ClarkName, ResourceKind][] = [
  [`{${NS.CALDAV}}calendar`, 'CALENDAR'],
  [`{${NS.CARDDAV}}addressbook`, 'ADDRESS_BOOK'],
  [dav('principal'), 'PRINCIPAL'],
  [dav('collection'), 'COLLECTION'],
];

function kindOf(resourceTypes: readonly ClarkName[]): ResourceKind {
  return KINDS.find(([name]) => resourceTypes.includes(name))?.[1] ?? 'FILE';
}

/** Whether the server said the resource itself does not exist. */
function isAbsent(info: ResourceInfo): boolean {
  if (info.status === 404 || info.status === 410) return true;
  const gone = (p: ReadProperty) => p.status === 404 || p.status === 410;
  if (info.properties.some((p) => p.name === RESOURCETYPE && gone(p))) return true;
  return info.properties.length > 0 && info.properties.every((p) => gone(p));
}


function notFound(path: string): DavgateError {
  return new DavgateError('NOT_FOUND', `PROPFIND ${path}: the server reports no such resource`);
}
