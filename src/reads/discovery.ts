import { dav, NS, type ClarkName } from '../model/clark';
import { DavgateError, type ErrorCode } from '../model/errors';
import { hrefKey } from '../model/href';
import type { MultiStatus } from '../model/multistatus';
import { childElements, trimXml, type PropValue } from '../model/xml-content';
import { getResource } from './properties';
import { propfindRequest, readAnswer, type ReadContext, type ReadOutcome } from './read';
import { found, resourcesOf, type ReadResource } from './resources';

/** The current user's principal and home sets. */
export interface Principal {
  /** The principal's href as the server wrote it in {DAV:}current-user-principal. */
  readonly href: string;
  readonly displayName?: string | undefined;
  /** RFC 4791 §6.2.1: every href of {urn:ietf:params:xml:ns:caldav}calendar-home-set, as the server wrote them. */
  readonly calendarHomeSet: readonly string[];
  /** RFC 6352 §7.1.1: every href of {urn:ietf:params:xml:ns:carddav}addressbook-home-set. */
  readonly addressBookHomeSet: readonly string[];
  /**
   * How the principal was found: `.well-known`, `url` or `root`, then the path asked and
   * every redirect followed, such as `.well-known /.well-known/caldav -> /`.
   */
  readonly foundVia: string;
}

const CURRENT_USER_PRINCIPAL = dav('current-user-principal');
const CALENDAR_HOME_SET = `{${NS.CALDAV}}calendar-home-set`;
const ADDRESSBOOK_HOME_SET = `{${NS.CARDDAV}}addressbook-home-set`;
/** Redirects followed from one starting path at most. */
const MAX_HOPS = 3;
/** Answers that mean "no principal here": discovery moves on to the next candidate (RFC 6764 §6). */
const MOVE_ON: ReadonlySet<ErrorCode> = new Set(['NOT_FOUND', 'FORBIDDEN', 'UPSTREAM_STATUS', 'UPSTREAM_MALFORMED', 'UPSTREAM_REDIRECT', 'UNAUTHENTICATED']);

type Candidate = { readonly how: '.well-known' | 'url' | 'root'; readonly href: string };
type Outcome = { readonly kind: 'found'; readonly href: string; readonly chain: readonly string[] } | { readonly kind: 'none'; readonly why: string; readonly code?: ErrorCode };

/**
 * Finds the current user's principal the way RFC 6764 §6 bootstraps a client: a PROPFIND
 * (Depth 0) for {DAV:}current-user-principal (RFC 5397 §3) at `/.well-known/caldav` and
 * `/.well-known/carddav` (§5), then at `url`, then at the backend root (§6 allows retrying at
 * the root). A redirect is followed (at most three hops) only when its Location stays on the
 * backend's origin and under its root (DESIGN.md invariant 3); one that leaves the backend,
 * and a candidate outside the root, are skipped. The principal is then read (Depth 0) for
 * its display name and home sets.
 *
 * Throws DISCOVERY_FAILED naming every candidate and why it gave nothing; UNAUTHENTICATED
 * when a candidate asked for credentials and none gave a principal; transport errors as they
 * come; and getResource's errors when the principal the server named cannot be read.
 */
export async function discoverPrincipal(ctx: ReadContext, url?: string): Promise<Principal> {
  const candidates: Candidate[] = [
    { how: '.well-known', href: '/.well-known/caldav' },
    { how: '.well-known', href: '/.well-known/carddav' },
    ...(url === undefined ? [] : [{ how: 'url' as const, href: url }]),
    { how: 'root', href: ctx.backend.root },
  ];
  const asked = new Set<string>();
  const failures: string[] = [];
  let unauthenticated = false;
  for (const candidate of candidates) {
    const outcome = await askCandidate(ctx, candidate.href, asked);
    if (outcome.kind === 'found') return readPrincipal(ctx, outcome.href, `${candidate.how} ${outcome.chain.join(' -> ')}`);
    unauthenticated ||= outcome.code === 'UNAUTHENTICATED';
    failures.push(`${candidate.how} ${candidate.href}: ${outcome.why}`);
  }
  const tried = failures.join('; ');
  throw new DavgateError(unauthenticated ? 'UNAUTHENTICATED' : 'DISCOVERY_FAILED', `tried ${tried}`);
}

/** Asks one starting href for current-user-principal, following redirects that stay on the backend. */
async function askCandidate(ctx: ReadContext, href: string, asked: Set<string>): Promise<Outcome> {
  let path = onBackend(ctx, href);
  if (path === undefined) return { kind: 'none', why: `outside the backend root ${ctx.backend.root}` };
  const chain = [path];
  for (let hops = 0; ; hops++) {
    if (asked.has(hrefKey(path))) return { kind: 'none', why: `${path} was already asked` };
    asked.add(hrefKey(path));
    const answer = await propfindPrincipal(ctx, path);
    if (answer.kind === 'error') return { kind: 'none', why: `${path}: ${answer.error.detail ?? answer.error.code}`, code: answer.error.code };
    if (answer.kind === 'multistatus') return principalIn(ctx, answer.multistatus, path, chain);
    if (hops === MAX_HOPS) return { kind: 'none', why: `more than ${MAX_HOPS} redirects` };
    const next = redirectTarget(ctx, path, answer.location);
    if (next === undefined) return { kind: 'none', why: `${path} redirects off the backend to ${JSON.stringify(answer.location)}, not followed` };
    chain.push(next);
    path = next;
  }
}

type PrincipalAnswer = { kind: 'multistatus'; multistatus: MultiStatus } | { kind: 'redirect'; location: string } | { kind: 'error'; error: DavgateError };

async function propfindPrincipal(ctx: ReadContext, path: string): Promise<PrincipalAnswer> {
  let outcome: ReadOutcome;
  try {
    outcome = await readAnswer(ctx, propfindRequest(path, '0', [CURRENT_USER_PRINCIPAL]));
  } catch (error) {
    if (error instanceof DavgateError && MOVE_ON.has(error.code)) return { kind: 'error', error };
    throw error;
  }
  if (outcome.kind === 'multistatus') return { kind: 'multistatus', multistatus: outcome.multistatus };
  const { error, response } = outcome;
  if (!MOVE_ON.has(error.code)) throw error;
  const location = response.headers['location'];
  if (error.code === 'UPSTREAM_REDIRECT' && location !== undefined && location !== '') return { kind: 'redirect', location };
  return { kind: 'error', error };
}

/**
 * The path a redirect's Location names, when it stays on the backend's origin and under its
 * root; undefined otherwise. A relative reference resolves against the path that redirected
 * (RFC 9110 §10.2.2, RFC 3986 §5.2); resolveHref does the checking (paths.ts).
 */
function redirectTarget(ctx: ReadContext, from: string, location: string): string | undefined {
  const text = location.trim();
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith('/');
  return onBackend(ctx, absolute ? text : `${from.slice(0, from.lastIndexOf('/') + 1)}${text}`);
}

/** The normalised path of an href on the backend, or undefined when the backend's rules refuse it. */
function onBackend(ctx: ReadContext, href: string): string | undefined {
  try {
    return ctx.backend.resolveHref(href);
  } catch (error) {
    if (error instanceof DavgateError) return undefined;
    throw error;
  }
}

function principalIn(ctx: ReadContext, multistatus: MultiStatus, path: string, chain: readonly string[]): Outcome {
  const resources = resourcesOf(multistatus);
  const resource = resources.find((r) => hrefKey(r.href) === hrefKey(path)) ?? (resources.length === 1 ? resources[0] : undefined);
  const value = resource === undefined ? undefined : found(resource, CURRENT_USER_PRINCIPAL);
  if (value === undefined) return { kind: 'none', why: `${path} has no ${CURRENT_USER_PRINCIPAL}` };
  // RFC 5397 §3: DAV:unauthenticated instead of an href when the request was not authenticated.
  if (childElements(value.value).some((e) => e.name === dav('unauthenticated'))) {
    return { kind: 'none', why: `${path} reports an unauthenticated user`, code: 'UNAUTHENTICATED' };
  }
  const href = hrefsIn(value)[0];
  if (href === undefined) return { kind: 'none', why: `${path} has an empty ${CURRENT_USER_PRINCIPAL}` };
  if (onBackend(ctx, href) === undefined) return { kind: 'none', why: `the principal ${JSON.stringify(href)} is not on the backend` };
  return { kind: 'found', href, chain };
}

async function readPrincipal(ctx: ReadContext, href: string, foundVia: string): Promise<Principal> {
  const resource = await getResource(ctx, href, [dav('displayname'), CALENDAR_HOME_SET, ADDRESSBOOK_HOME_SET]);
  return {
    href,
    displayName: resource.displayName,
    calendarHomeSet: hrefsOf(resource, CALENDAR_HOME_SET),
    addressBookHomeSet: hrefsOf(resource, ADDRESSBOOK_HOME_SET),
    foundVia,
  };
}

function hrefsOf(resource: ReadResource, name: ClarkName): string[] {
  const value = found(resource, name);
  return value === undefined ? [] : hrefsIn(value);
}

/** The {DAV:}href children of a property, without the XML white space around them. */
function hrefsIn(value: PropValue): string[] {
  return childElements(value.value)
    .flatMap((element) => (element.name === dav('href') && typeof element.value === 'string' ? [trimXml(element.value)] : []))
    .filter((href) => href !== '');
}
