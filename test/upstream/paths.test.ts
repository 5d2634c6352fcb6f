import fc from 'fast-check';
import { DavgateError } from '../../src/model/errors';
import { parseBackendUrl, resolveHref, type BackendLocation } from '../../src/upstream/paths';

const dav: BackendLocation = parseBackendUrl('b', 'http://127.0.0.1:8080/dav/');
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (!(error instanceof DavgateError)) throw error;
    return error.code;
  }
};

describe('resolveHref: accepted hrefs (root /dav/ on http://127.0.0.1:8080)', () => {
  it.each([
    ['/dav/a b.txt', '/dav/a%20b.txt'],
    ['/dav/a%20b.txt', '/dav/a%20b.txt'],
    ['notes/a.txt', '/dav/notes/a.txt'],
    ['./notes/', '/dav/notes/'],
    ['.', '/dav/'],
    ['/dav', '/dav'],
    ['/dav/', '/dav/'],
    ['/dav/cal/', '/dav/cal/'],
    ['http://127.0.0.1:8080/dav/x/', '/dav/x/'],
    ['HTTP://127.0.0.1:8080/dav/x', '/dav/x'],
    ['http://127.0.0.1:8080/dav/a%2Fb', '/dav/a%2Fb'],
    ['/dav/a/%2E%2e/b', '/dav/b'],
    ['/dav/a/./b', '/dav/a/b'],
    ['/dav/a/%2e/b', '/dav/a/b'],
    ['/dav/a/..', '/dav/'],
    ['/dav/a/.', '/dav/a/'],
    ['../dav/x', '/dav/x'],
    ['/dav//a///b', '/dav/a/b'],
    ['/dav\\a\\b', '/dav/a/b'],
    ['/dav/caf%c3%a9', '/dav/caf%C3%A9'],
    ['/dav/café', '/dav/caf%C3%A9'],
    ['/dav/%7e/~', '/dav/%7E/~'],
    ['/dav/%5b1%5d', '/dav/%5B1%5D'],
    ['/dav/[1]', '/dav/%5B1%5D'],
    ['/dav/a%2540b', '/dav/a%2540b'],
    ['/dav/a@b:c;d=e,f+g$h&i', '/dav/a@b:c;d=e,f+g$h&i'],
    ['/dav/"<>^`{|}', '/dav/%22%3C%3E%5E%60%7B%7C%7D'],
    ['/dav/%ff', '/dav/%FF'],
    ['/dav/\u{1F600}', '/dav/%F0%9F%98%80'],
    ['/dav/a%09b', '/dav/a%09b'],
    ['./a:b', '/dav/a:b'],
    ['http%3A//127.0.0.1%3A8080/dav/a%2520b', '/dav/a%20b'],
  ])('%j -> %s', (href, expected) => {
    expect(resolveHref(href, dav)).toBe(expected);
  });

  it('treats the default port as the origin', () => {
    const plain = parseBackendUrl('b', 'http://dav.example/dav');
    expect(plain).toEqual({ origin: 'http://dav.example', root: '/dav/' });
    expect(resolveHref('http://DAV.example:80/dav/x', plain)).toBe('/dav/x');
  });

  it('works under the server root /', () => {
    const top = parseBackendUrl('b', 'http://127.0.0.1:8080');
    expect(top.root).toBe('/');
    expect(resolveHref('a/b', top)).toBe('/a/b');
    expect(resolveHref('/', top)).toBe('/');
    expect(code(() => resolveHref('/../a', top))).toBe('HREF_OUTSIDE_ROOT');
  });
});

describe('resolveHref: rejected hrefs (HARDENING.md, "Requests from clients")', () => {
  it.each([
    // Leaving the root, spelled every way a URL parser would help with.
    ['/dav/%2e%2e/etc/passwd', 'HREF_OUTSIDE_ROOT'],
    ['/dav/%2E%2E/etc', 'HREF_OUTSIDE_ROOT'],
    ['/dav/.%2e/etc', 'HREF_OUTSIDE_ROOT'],
    ['/dav/../etc', 'HREF_OUTSIDE_ROOT'],
    ['../etc', 'HREF_OUTSIDE_ROOT'],
    ['a/../../etc', 'HREF_OUTSIDE_ROOT'],
    ['/dav\\..\\etc', 'HREF_OUTSIDE_ROOT'],
    ['\\\\evil.example\\x', 'HREF_OUTSIDE_ROOT'],
    ['/../dav/x', 'HREF_OUTSIDE_ROOT'],
    ['/davx/', 'HREF_OUTSIDE_ROOT'],
    ['/davx', 'HREF_OUTSIDE_ROOT'],
    ['/da', 'HREF_OUTSIDE_ROOT'],
    ['/', 'HREF_OUTSIDE_ROOT'],
    ['/DAV/x', 'HREF_OUTSIDE_ROOT'],
    // Other hosts and origins.
    ['//evil.example/x', 'HREF_OUTSIDE_ROOT'],
    ['//127.0.0.1:8080/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['http://dav@evil.example/', 'HREF_OUTSIDE_ROOT'],
    ['http://127.0.0.1:8080@evil.example/dav/', 'HREF_OUTSIDE_ROOT'],
    ['http://u:secret@127.0.0.1:8080/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['http://evil.example/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['http://127.0.0.1:8081/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['https://127.0.0.1:8080/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['http:\\\\evil.example\\dav\\x', 'HREF_OUTSIDE_ROOT'],
    ['http://127.0.0.1%3A8080/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['http%3A//evil.example/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['ftp://127.0.0.1:8080/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['javascript:alert(1)', 'HREF_OUTSIDE_ROOT'],
    ['a:b', 'HREF_OUTSIDE_ROOT'],
    // Unreadable or ambiguous.
    ['', 'HREF_INVALID'],
    ['/dav/a%zz', 'HREF_INVALID'],
    ['/dav/100%', 'HREF_INVALID'],
    ['/dav/a?x=1', 'HREF_INVALID'],
    ['/dav/a#top', 'HREF_INVALID'],
    ['/dav/a\u0000b', 'HREF_INVALID'],
    ['/dav/a%00b', 'HREF_INVALID'],
    ['/dav/a%0d%0aX-Injected:%201', 'HREF_INVALID'],
    ['/dav/a\tb', 'HREF_INVALID'],
    [' /dav/a', 'HREF_INVALID'],
    ['/dav/a ', 'HREF_INVALID'],
    ['/dav/\ud800', 'HREF_INVALID'],
    ['/dav/..%2F..%2Fetc', 'HREF_INVALID'],
    ['/dav/a%5C..%5C..%5Cetc', 'HREF_INVALID'],
    ['/dav/%2e%2e%2fx', 'HREF_INVALID'],
    ['http:/dav/x', 'HREF_INVALID'],
    // Header injection: raw CR or LF anywhere.
    ['/dav/a\r\nX-Injected: 1', 'HEADER_INJECTION'],
    ['/dav/a\nb', 'HEADER_INJECTION'],
    ['/dav/a\rb', 'HEADER_INJECTION'],
    ['http%3A//127.0.0.1%3A8080/dav/a%0D%0AX:%201', 'HEADER_INJECTION'],
  ])('%j: %s', (href, expected) => {
    expect(code(() => resolveHref(href, dav))).toBe(expected);
  });

  it('refuses an href over 8192 characters', () => {
    expect(code(() => resolveHref(`/dav/${'a'.repeat(9000)}`, dav))).toBe('HREF_INVALID');
  });

  it('never repeats user information in its message', () => {
    expect(() => resolveHref('http://u:secret@127.0.0.1:8080/dav/x', dav)).toThrow(/\*\*\*@/);
    expect(() => resolveHref('http://u:secret@127.0.0.1:8080/dav/x', dav)).not.toThrow(/secret/);
    expect(() => resolveHref('http:\\\\u:secret@evil.example/', dav)).not.toThrow(/secret/);
  });
});

describe('resolveHref: properties', () => {
  const pieces = ['/', '//', '\\', '.', '..', '%2e', '%2E%2e', '%2f', '%5c', 'dav', 'davx', 'a', 'b c', 'é', '%41', '%zz', ':', '@', 'evil.example', 'http:', 'http://127.0.0.1:8080', '?', '#', '%00'];
  const hrefs = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 10 }).map((parts) => parts.join(''));
  const allowed = new Set(['HREF_INVALID', 'HREF_OUTSIDE_ROOT', 'HEADER_INJECTION']);

  it('either refuses with a stable code or yields a canonical path under the root', () => {
    fc.assert(
      fc.property(hrefs, (href) => {
        let path: string;
        try {
          path = resolveHref(href, dav);
        } catch (error) {
          return error instanceof DavgateError && allowed.has(error.code);
        }
        const decodedSegments = path.split('/').map((s) => decodeURIComponentSafe(s));
        return (
          (path === '/dav' || path.startsWith('/dav/')) &&
          !decodedSegments.includes('.') &&
          !decodedSegments.includes('..') &&
          !path.includes('//') &&
          /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(path) &&
          resolveHref(path, dav) === path
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same path for an absolute URL on the origin and its path', () => {
    fc.assert(
      fc.property(hrefs.filter((h) => h.startsWith('/')), (path) => {
        const viaPath = code(() => resolveHref(path, dav)) ?? resolveHref(path, dav);
        const viaUrl = code(() => resolveHref(`http://127.0.0.1:8080${path}`, dav)) ?? resolveHref(`http://127.0.0.1:8080${path}`, dav);
        // `//` right after the authority is a path there, a host reference on its own.
        return path.startsWith('//') || path.startsWith('\\\\') || path.startsWith('/\\') || path.startsWith('\\/') || viaPath === viaUrl;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseBackendUrl', () => {
  it.each([
    ['http://127.0.0.1:8080/dav/', { origin: 'http://127.0.0.1:8080', root: '/dav/' }],
    ['http://127.0.0.1:8080/dav', { origin: 'http://127.0.0.1:8080', root: '/dav/' }],
    ['HTTPS://Example.ORG:443/a/b/', { origin: 'https://example.org', root: '/a/b/' }],
    ['http://[::1]:8080/', { origin: 'http://[::1]:8080', root: '/' }],
    ['http://h/my%20dav/', { origin: 'http://h', root: '/my%20dav/' }],
  ])('%s', (url, expected) => {
    expect(parseBackendUrl('b', url)).toEqual(expected);
  });

  it.each([
    'not a url',
    'ftp://h/dav/',
    'http://h/dav/?x',
    'http://h/dav/#x',
    'http://h/a/../b/',
    'http://h/a/%2e%2e/b/',
    'http://h//dav/',
    'http://h/a\\b/',
    'http://h/a b/',
  ])('refuses %j with CONFIG_INVALID', (url) => {
    expect(code(() => parseBackendUrl('b', url))).toBe('CONFIG_INVALID');
  });

  it('refuses credentials in the URL without repeating them', () => {
    expect(() => parseBackendUrl('b', 'http://alice:hunter2@h/dav/')).toThrow(/must not carry credentials/);
    expect(() => parseBackendUrl('b', 'http://alice:hunter2@h/dav/')).not.toThrow(/hunter2|alice/);
  });
});

function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
