import { hrefKey } from '../../src/model/href';

describe('hrefKey (QUIRKS.md 16)', () => {
  it('gives one key for the spellings of one resource', () => {
    const spellings = [
      '/dav/a b.txt',
      '/dav/a%20b.txt',
      'http://127.0.0.1:8080/dav/a%20b.txt',
      'http%3A//127.0.0.1%3A18102/dav/a%20b.txt',
      ' /dav/a%20b.txt\n',
    ];
    expect(new Set(spellings.map(hrefKey))).toEqual(new Set(['/dav/a%20b.txt']));
  });

  it('treats lower- and upper-case escapes alike', () => {
    expect(hrefKey('/%5b1%5d')).toBe(hrefKey('/%5B1%5D'));
    expect(hrefKey('/caf%c3%a9')).toBe(hrefKey('/caf%C3%A9'));
    expect(hrefKey('/café')).toBe(hrefKey('/caf%C3%A9'));
  });

  it('decodes once: a double-encoded %2540 is not an @', () => {
    expect(hrefKey('/u/a%2540b')).not.toBe(hrefKey('/u/a%40b'));
    expect(hrefKey('/u/a%40b')).toBe(hrefKey('/u/a@b'));
  });

  it('does not turn an escaped slash into a path separator', () => {
    expect(hrefKey('/a%2Fb')).not.toBe(hrefKey('/a/b'));
  });

  it('ignores the trailing slash of a collection but not the root', () => {
    expect(hrefKey('/cal/')).toBe(hrefKey('/cal'));
    expect(hrefKey('/')).toBe('/');
    expect(hrefKey('http://h')).toBe('/');
  });

  it('keeps invalid escapes instead of throwing', () => {
    expect(hrefKey('/a%zz%ff')).toBe('/a%zz%FF');
  });
});
