import { DavgateError } from '../model/errors';

/**
 * Hrefs and destinations are normalised here, once, by davgate's own rules and not by the
 * WHATWG URL parser, which turns `%2e%2e` and backslashes into real `..` steps and resolves
 * `//evil.example/x` or `http://dav@evil.example/` to another host (HARDENING.md, "Requests
 * from clients"). The result is sent as is, so the backend sees exactly the path that was
 * checked against the root (DESIGN.md, invariant 3).
 */

/** Where a backend lives: its origin and the root path nothing may leave. */
export interface BackendLocation {
  /** `http://host:port`, as the WHATWG URL parser writes an origin (lower case, no default port). */
  readonly origin: string;
  /** The normalised root path, ending in `/`. */
  readonly root: string;
}

const MAX_HREF_LENGTH = 8192;

/** Reads a backend's base URL; throws CONFIG_INVALID without repeating the URL (it may hold a password). */
export function parseBackendUrl(name: string, url: string): BackendLocation {
  const invalid = (detail: string) => new DavgateError('CONFIG_INVALID', `backend '${name}': url ${detail}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('is not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid('must be http or https');
  if (parsed.username !== '' || parsed.password !== '') throw invalid('must not carry credentials (configure auth instead)');
  // eslint-disable-next-line no-control-regex -- control characters and spaces are what this rejects
  if (/[?#\\\x00-\x20\x7f]/.test(url)) throw invalid('must not have a query, a fragment, a backslash, a space or a control character');
  const path = /^https?:\/\/[^/]*(\/.*)?$/i.exec(url)?.[1] ?? '/';
  const root = canonicalRoot(path);
  if (typeof root !== 'string') throw invalid(root.problem);
  return { origin: parsed.origin, root };
}

/**
 * An absolute path in the form resolveHref gives it (dot segments resolved, escapes with
 * upper-case hex), without the checks against a root; undefined when it cannot be read (the
 * backend's resolveHref then refuses it with the reason). For comparing a path with prefixes.
 */
export function canonicalPath(path: string): string | undefined {
  if (isPlainPath(path)) return path;
  try {
    checkCharacters(path, path);
    return normalisePath(path.replace(/\\/g, '/'), '/');
  } catch {
    return undefined;
  }
}

/**
 * A configured absolute path (a backend URL's path, a routing prefix) in the form hrefs are
 * resolved to, ending in `/` (valid escapes kept with upper-case hex, other characters outside
 * `pchar` encoded), so that it compares with resolved hrefs character for character.
 * Empty and dot segments (`%2e` included) are refused rather than resolved: a configured path
 * means what it says. Answers the problem instead of throwing, for the caller to name the setting.
 */
export function canonicalRoot(path: string): string | { problem: string } {
  if (/\/\/|(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i.test(path)) return { problem: 'must not have empty or dot segments in its path' };
  let root: string;
  try {
    root = normalisePath(path, '/');
  } catch {
    return { problem: 'has a path that is not a valid URL path' };
  }
  return root.endsWith('/') ? root : `${root}/`;
}

const PLAIN_PATH = /^\/[A-Za-z0-9._~/-]*$/;
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;

/**
 * An absolute path of unreserved characters with no empty or dot segment: already in canonical
 * form (most hrefs of a batch, and every path the client re-checks before sending).
 */
function isPlainPath(path: string): boolean {
  return PLAIN_PATH.test(path) && !path.includes('//') && !DOT_SEGMENT.test(path);
}

/**
 * Resolves an href or destination to an absolute, percent-encoded path under the backend
 * root. Accepts an absolute path, a path relative to the root, or an absolute URL on the
 * backend's own origin. Percent-encoded dot segments (`%2e%2e`) count as dot segments,
 * backslashes as slashes, repeated slashes as one. A trailing slash (a collection) is kept.
 * Valid escapes are kept with upper-case hex; any other character outside RFC 3986 `pchar`
 * is encoded as UTF-8.
 *
 * Throws HEADER_INJECTION for a raw CR or LF, HREF_OUTSIDE_ROOT for another origin, a
 * network-path reference (`//host/x`) or a path outside the root, and HREF_INVALID for
 * anything else it cannot read safely.
 */
export function resolveHref(href: string, location: BackendLocation): string {
  if (typeof href !== 'string') throw new DavgateError('HREF_INVALID', 'an href must be a string');
  if (href === '') throw new DavgateError('HREF_INVALID', 'the href is empty');
  if (href.length > MAX_HREF_LENGTH) throw new DavgateError('HREF_INVALID', `the href is longer than ${MAX_HREF_LENGTH} characters`);
  if (isPlainPath(href) && isUnderRoot(href, location.root)) return href;
  checkCharacters(href, href);
  if (/^\s|\s$/.test(href)) throw new DavgateError('HREF_INVALID', `${quote(href)} has surrounding white space`);

  let text = href.replace(/\\/g, '/');
  // A whole absolute URL percent-encoded once (`http%3A//host%3A8080/x`, xandikos; QUIRKS.md 16).
  if (/^[a-z][a-z0-9+.-]*%3a/i.test(text)) {
    text = decodeWhole(text, href);
    checkCharacters(text, href);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text);
  if (scheme !== null) text = pathOfAbsoluteUrl(text, scheme[1] ?? '', href, location);
  else if (text.startsWith('//')) throw outside(href, 'is a network-path reference to another host');

  const path = normalisePath(text, location.root, href);
  if (!isUnderRoot(path, location.root)) throw outside(href, `leaves the root ${location.root}`);
  return path;
}

function checkCharacters(text: string, href: string): void {
  if (/[\r\n]/.test(text)) throw new DavgateError('HEADER_INJECTION', 'an href contains CR or LF');
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  if (/[\x00-\x1f\x7f]/.test(text)) throw new DavgateError('HREF_INVALID', `${quote(href)} contains a control character`);
  if (!text.isWellFormed()) throw new DavgateError('HREF_INVALID', `${quote(href)} contains a lone surrogate`);
}

/** Whether a normalised path is the root, or inside it on a segment boundary (`/dav/` never admits `/davx/`). */
export function isUnderRoot(path: string, root: string): boolean {
  return path.startsWith(root) || path === root.slice(0, -1);
}

function pathOfAbsoluteUrl(text: string, scheme: string, href: string, location: BackendLocation): string {
  const lower = scheme.toLowerCase();
  if (lower !== 'http' && lower !== 'https') {
    throw outside(href, `uses the scheme ${lower}: (write ./ before a relative path whose first segment has a colon)`);
  }
  const match = /^[a-z]+:\/\/([^/?#]*)(.*)$/i.exec(text);
  if (match === null) throw new DavgateError('HREF_INVALID', `${quote(href)} is an absolute URL without an authority`);
  const authority = match[1] ?? '';
  if (authority.includes('@')) throw outside(href, 'carries user information');
  if (!/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(authority)) throw outside(href, 'names a host that is not the backend');
  let origin: string;
  try {
    origin = new URL(`${lower}://${authority}/`).origin;
  } catch {
    throw outside(href, 'names a host that is not the backend');
  }
  if (origin !== location.origin) throw outside(href, 'names another origin than the backend');
  const path = match[2] ?? '';
  return path === '' ? '/' : path;
}

/**
 * Splits, decodes each segment once, resolves dot segments (RFC 3986 §5.2.4) and re-encodes.
 * A relative path starts from `base`. `..` above the server root is refused, not clamped.
 */
function normalisePath(text: string, base: string, href = text): string {
  if (/[?#]/.test(text)) throw new DavgateError('HREF_INVALID', `${quote(href)} has a query or fragment; encode ? as %3F and # as %23`);
  const absolute = text.startsWith('/');
  const segments = absolute ? [] : base.split('/').filter((s) => s !== '');
  const raw = text.split('/');
  let trailingSlash = text.endsWith('/');
  for (let i = 0; i < raw.length; i++) {
    const segment = raw[i] ?? '';
    if (segment === '') continue;
    const kind = canonicalSegment(segment, href);
    const last = i === raw.length - 1;
    if (kind === '.' || kind === '..') {
      if (kind === '..' && segments.pop() === undefined) throw outside(href, 'climbs above the server root');
      if (last) trailingSlash = true;
    } else {
      segments.push(kind);
    }
  }
  if (segments.length === 0) return '/';
  return `/${segments.join('/')}${trailingSlash ? '/' : ''}`;
}

// RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

/** A segment's canonical spelling, or '.' / '..' when it decodes to a dot segment. */
function canonicalSegment(segment: string, href: string): string {
  if (/%(?![0-9a-f]{2})/i.test(segment)) {
    throw new DavgateError('HREF_INVALID', `${quote(href)} has a % that does not start a percent-escape; write %25`);
  }
  const decoded = decodeBytes(segment);
  if (decoded.includes(0)) throw new DavgateError('HREF_INVALID', `${quote(href)} encodes a NUL character`);
  if (decoded.includes(0x0d) || decoded.includes(0x0a)) throw new DavgateError('HREF_INVALID', `${quote(href)} encodes CR or LF`);
  const text = decoded.toString('latin1');
  if (text === '.' || text === '..') return text;
  // A server that decodes %2F or %5C as a separator would see a dot segment here.
  if (/[/\\]/.test(text) && text.split(/[/\\]/).some((part) => part === '.' || part === '..')) {
    throw new DavgateError('HREF_INVALID', `${quote(href)} hides a dot segment behind an encoded slash or backslash`);
  }
  let out = '';
  for (const piece of segment.split(/(%[0-9a-f]{2})/i)) {
    if (piece.startsWith('%')) out += piece.toUpperCase();
    else for (const char of piece) out += PCHAR.test(char) ? char : encodeChar(char);
  }
  return out;
}

function decodeBytes(segment: string): Buffer {
  const parts = segment.split(/(%[0-9a-f]{2})/i).map((piece) =>
    piece.startsWith('%') ? Buffer.of(parseInt(piece.slice(1), 16)) : Buffer.from(piece, 'utf8'),
  );
  return Buffer.concat(parts);
}

function encodeChar(char: string): string {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

function decodeWhole(text: string, href: string): string {
  try {
    return decodeURIComponent(text).replace(/\\/g, '/');
  } catch {
    throw new DavgateError('HREF_INVALID', `${quote(href)} is not a valid percent-encoded URL`);
  }
}

function outside(href: string, why: string): DavgateError {
  return new DavgateError('HREF_OUTSIDE_ROOT', `${quote(href)} ${why}`);
}

/**
 * The href for a message: user information (`http://user:password@host`) replaced by `***`,
 * JSON-quoted so control characters show escaped, and cut at 200 characters.
 */
function quote(href: string): string {
  const safe = href.replace(/^([a-z][a-z0-9+.-]*:[\\/]{2})[^\\/?#]*@/i, '$1***@');
  return JSON.stringify(safe.length > 200 ? `${safe.slice(0, 200)}…` : safe);
}
