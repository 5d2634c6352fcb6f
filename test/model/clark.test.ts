import { clark, isClarkName, splitClark } from '../../src/model/clark';

describe('Clark names', () => {
  it('round-trips namespace and local name', () => {
    expect(splitClark(clark('urn:x', 'author'))).toEqual({ namespace: 'urn:x', local: 'author' });
    expect(splitClark(clark('', 'plain'))).toEqual({ namespace: '', local: 'plain' });
    expect(splitClark('{http://example.com/ns:}corpusauthor')).toEqual({ namespace: 'http://example.com/ns:', local: 'corpusauthor' });
  });

  it.each(['{DAV:}getetag', 'local', '{urn:x}__proto__', '{urn:x}a.b-c_d', '{urn:x}é'])('accepts %j', (name) => {
    expect(isClarkName(name)).toBe(true);
  });

  it.each(['', '{}x', '{urn:x}', '{urn:x}1a', '{urn:x}a b', 'a:b', '{urn:x', '{DAV:}-x'])('refuses %j', (name) => {
    expect(isClarkName(name)).toBe(false);
  });
});
