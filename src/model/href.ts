import { trimXml } from './xml-content';

/**
 * Keys for matching hrefs that servers spell differently (QUIRKS.md 16): `/a b` and
 * `/a%20b`, `%5b` and `%5B`, an absolute URL and its path, and an absolute URL that was
 * percent-encoded as a whole (`http%3A//host%3A8080/dav/x`, xandikos). Escapes are decoded
 * exactly once, so `%2540` (a literal `%40`) stays distinct from `%40` (`@`). The key is for
 * lookups only; results keep the href text the server sent.
 */
export function hrefKey(href: string): string {
  let s = trimXml(href);
  if (/^[a-z][a-z0-9+.-]*%3a/i.test(s)) s = decodeOnce(s);
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(s);
  if (origin !== null) s = s.slice(origin[0].length) || '/';
  const cut = s.search(/[?#]/);
  if (cut >= 0) s = s.slice(0, cut);
  const key = s.split('/').map(canonicalSegment).join('/');
  return key.length > 1 && key.endsWith('/') ? key.slice(0, -1) : key;
}

function canonicalSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return segment.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
  }
  // RFC 3986 §2.2: sub-delims, ':' and '@' may stand unescaped in a path segment.
  return encodeURIComponent(decoded).replace(/%(?:21|24|26|27|28|29|2A|2B|2C|3B|3D|3A|40)/g, (escape) =>
    String.fromCharCode(parseInt(escape.slice(1), 16)),
  );
}

function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
