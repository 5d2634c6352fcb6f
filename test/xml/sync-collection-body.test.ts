import { dav } from '../../src/model/clark';
import type { XmlElement } from '../../src/model/xml-content';
import { parseXmlDocument } from '../../src/xml/parse-multistatus';
import { syncCollectionBody } from '../../src/xml/sync-collection-body';

/** The body read back by davgate's own parser: element names (Clark) and text, in order. */
const outline = (xml: string) => {
  const root = parseXmlDocument(xml);
  const children = (root.value as readonly XmlElement[]).map((e) => [e.name, e.value]);
  return { root: root.name, children };
};

describe('syncCollectionBody (RFC 6578 §6.1)', () => {
  it('has sync-token, sync-level 1 and prop with getetag, in the order the DTD fixes', () => {
    expect(outline(syncCollectionBody('http://radicale.org/ns/sync/abc'))).toEqual({
      root: dav('sync-collection'),
      children: [
        [dav('sync-token'), 'http://radicale.org/ns/sync/abc'],
        [dav('sync-level'), '1'],
        [dav('prop'), [{ name: dav('getetag'), value: null }]],
      ],
    });
  });

  it.each([undefined, ''])('sends an empty sync-token for the initial sync (%p, §3.4)', (token) => {
    const [first] = outline(syncCollectionBody(token)).children;
    expect(first).toEqual([dav('sync-token'), null]);
  });

  it.each([
    ['leading zeros stay (QUIRKS.md 18)', '0123'],
    ['XML special characters', 'urn:x?a=1&b=<2>'],
    ['a CR and surrounding spaces (never trimmed)', ' tok\r\nen '],
    ['non-ASCII', 'jeton-é-🙂'],
  ])('keeps the token byte for byte: %s', (_, token) => {
    const [first] = outline(syncCollectionBody(token)).children;
    expect(first).toEqual([dav('sync-token'), token]);
  });

  it('names the properties asked for, with their own namespaces', () => {
    const xml = syncCollectionBody(undefined, [dav('getetag'), '{urn:ietf:params:xml:ns:caldav}calendar-data', '{urn:x}a']);
    const prop = outline(xml).children[2]?.[1] as readonly XmlElement[];
    expect(prop.map((e) => e.name)).toEqual([dav('getetag'), '{urn:ietf:params:xml:ns:caldav}calendar-data', '{urn:x}a']);
  });

  it('refuses a token XML cannot carry instead of sending a broken body', () => {
    expect(() => syncCollectionBody('a\u0000b')).toThrow(expect.objectContaining({ code: 'XML_UNREPRESENTABLE' }));
  });
});
