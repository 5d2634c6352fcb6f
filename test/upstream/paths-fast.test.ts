import fc from 'fast-check';
import { resolveHref } from '../../src/upstream/paths';

/** The fast path for plain absolute paths must answer exactly what the full normalisation answers. */
describe('resolveHref fast path', () => {
  const location = { origin: 'http://dav.test', root: '/dav/' };
  const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,6}$/);
  const outcome = (href: string): string => {
    try {
      return resolveHref(href, location);
    } catch (error) {
      return `error ${(error as { code?: string }).code ?? ''}`;
    }
  };

  it('gives the same path as the full normalisation for plain paths', () => {
    fc.assert(fc.property(fc.array(segment, { maxLength: 5 }), fc.boolean(), (segments, collection) => {
      const href = `/dav/${segments.join('/')}${collection && segments.length > 0 ? '/' : ''}`;
      // The same path as an absolute URL on the backend's origin always takes the full normalisation.
      expect(outcome(href)).toEqual(outcome(`http://dav.test${href}`));
    }), { numRuns: 500 });
  });

  it('still refuses what leaves the root or is not canonical', () => {
    expect(() => resolveHref('/davx/a', location)).toThrow(expect.objectContaining({ code: 'HREF_OUTSIDE_ROOT' }));
    expect(() => resolveHref('/dav/../etc', location)).toThrow(expect.objectContaining({ code: 'HREF_OUTSIDE_ROOT' }));
    expect(resolveHref('/dav//a/./b', location)).toBe('/dav/a/b');
  });
});
