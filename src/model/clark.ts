/**
 * Clark notation for XML names: `{namespace-uri}local-name`, or the bare local name for an
 * element in no namespace. Prefixes never leave the parser; two names with the same local
 * part in different namespaces are different names.
 */
export type ClarkName = string;

/** Namespaces davgate names directly. */
export const NS = {
  DAV: 'DAV:',
  CALDAV: 'urn:ietf:params:xml:ns:caldav',
  CARDDAV: 'urn:ietf:params:xml:ns:carddav',
  CALENDARSERVER: 'http://calendarserver.org/ns/',
  APPLE_ICAL: 'http://apple.com/ns/ical/',
  XML: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Builds a Clark name; an empty namespace gives the bare local name. */
export function clark(namespace: string, local: string): ClarkName {
  return namespace === '' ? local : `{${namespace}}${local}`;
}

/** The `{DAV:}` name of a local name. */
export function dav(local: string): ClarkName {
  return `{DAV:}${local}`;
}

/** Splits a Clark name into namespace and local name (namespace '' for none). */
export function splitClark(name: ClarkName): { readonly namespace: string; readonly local: string } {
  if (name.charCodeAt(0) !== 123 /* { */) return { namespace: '', local: name };
  const close = name.indexOf('}');
  if (close < 0) throw new RangeError(`not a Clark name: ${name}`);
  return { namespace: name.slice(1, close), local: name.slice(close + 1) };
}

/** XML 1.0 §2.3 NameStartChar and NameChar without ':' (Namespaces in XML §3 NCName), as regex classes. */
const NAME_START_CHARS = 'A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHARS = `${NAME_START_CHARS}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;

/** An NCName, as a regular expression source to be compiled with the `u` flag. */
export const NCNAME_PATTERN = `[${NAME_START_CHARS}][${NAME_CHARS}]*`;

// eslint-disable-next-line no-misleading-character-class -- U+0300–U+036F are name characters in their own right (XML 1.0 §2.3)
const NCNAME = new RegExp(`^${NCNAME_PATTERN}$`, 'u');

/** True when `name` is a well-formed Clark name whose local part is an XML NCName. */
export function isClarkName(name: string): boolean {
  let local = name;
  if (name.charCodeAt(0) === 123) {
    const close = name.indexOf('}');
    if (close < 2) return false;
    local = name.slice(close + 1);
  }
  return NCNAME.test(local);
}
