import { dav } from '../../src/model/clark';
import { hrefsOf, type DavResponse, type PropStatResponse } from '../../src/model/multistatus';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';

const C = 'urn:ietf:params:xml:ns:caldav';
const first = (xml: string) => parseMultiStatus(xml).responses[0] as PropStatResponse;
const props = (xml: string) => Object.fromEntries(first(xml).propstats[0]?.props ?? []);

describe('namespaces (QUIRKS.md 1, 2)', () => {
  /** One document, spelled with `prefix` for DAV: elements; `decl` goes on the root, `inner` on each response. */
  const body = (prefix: string, decl: string, inner = '') => {
    const n = (local: string) => (prefix === '' ? local : `${prefix}:${local}`);
    return `<?xml version="1.0"?><${n('multistatus')} ${decl}><${n('response')}${inner}><${n('href')}>/c/a.ics</${n('href')}>` +
      `<${n('propstat')}><${n('prop')}><${n('getetag')}>"1"</${n('getetag')}><x:calendar-data xmlns:x="${C}">D</x:calendar-data></${n('prop')}>` +
      `<${n('status')}>HTTP/1.1 200 OK</${n('status')}></${n('propstat')}></${n('response')}></${n('multistatus')}>`;
  };
  // The root and the responses use different prefixes here, so each needs its own name.
  const redeclared = body('B', 'xmlns:A="DAV:"', ' xmlns:B="DAV:"').replace(/^(<\?xml[^>]*\?>)<B:multistatus/, '$1<A:multistatus').replace(/<\/B:multistatus>$/, '</A:multistatus>');

  const spellings: Record<string, string> = {
    'D: prefix': body('D', 'xmlns:D="DAV:"'),
    'd: prefix': body('d', 'xmlns:d="DAV:"'),
    'ns0: prefix': body('ns0', 'xmlns:ns0="DAV:"'),
    'default namespace': body('', 'xmlns="DAV:"'),
    'prefix declared again on every response': body('D', 'xmlns:D="DAV:"', ' xmlns:D="DAV:" xmlns:C="urn:unused"'),
    'another prefix declared on the responses': redeclared,
    'a prefix rebound to DAV: inside': body('D', 'xmlns:D="urn:other" xmlns:E="DAV:"', ' xmlns:D="DAV:"').replace(/<D:multistatus/, '<E:multistatus').replace(/<\/D:multistatus>$/, '</E:multistatus>'),
  };

  const expected = parseMultiStatus(spellings['D: prefix'] as string);

  it.each(Object.keys(spellings))('%s gives the same model', (key) => {
    expect(parseMultiStatus(spellings[key] as string)).toEqual(expected);
  });

  it('resolves names to Clark notation', () => {
    expect(Object.keys(props(spellings['ns0: prefix'] as string))).toEqual([dav('getetag'), `{${C}}calendar-data`]);
  });

  it('keeps same local names in different namespaces apart', () => {
    const p = props(`<D:multistatus xmlns:D="DAV:" xmlns:X="urn:x"><D:response><D:href>/a</D:href><D:propstat><D:prop>
      <D:displayname>dav</D:displayname><X:displayname>x</X:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`);
    expect(p).toEqual({ [dav('displayname')]: { value: 'dav' }, '{urn:x}displayname': { value: 'x' } });
  });

  it('undeclares the default namespace with xmlns=""', () => {
    const p = props(`<multistatus xmlns="DAV:"><response><href>/a</href><propstat><prop><plain xmlns="">v</plain></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`);
    expect(Object.keys(p)).toEqual(['plain']);
  });

  it('refuses an undeclared prefix', () => {
    expect(() => parseMultiStatus('<D:multistatus><D:response/></D:multistatus>')).toThrow(expect.objectContaining({ code: 'XML_UNBOUND_PREFIX' }));
  });
});

describe('values are lossless (QUIRKS.md 18, 19)', () => {
  const doc = (prop: string) => `<D:multistatus xmlns:D="DAV:" xmlns:C="${C}"><D:response><D:href>/a</D:href><D:propstat><D:prop>${prop}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`;

  it('never coerces text', () => {
    expect(props(doc('<D:getetag>0012</D:getetag><D:displayname>2024.10</D:displayname><D:x>true</D:x><D:y>1e3</D:y>'))).toEqual({
      [dav('getetag')]: { value: '0012' }, [dav('displayname')]: { value: '2024.10' }, [dav('x')]: { value: 'true' }, [dav('y')]: { value: '1e3' },
    });
  });

  it('never trims', () => {
    expect(props(doc('<D:displayname>  padded \n</D:displayname>'))[dav('displayname')]).toEqual({ value: '  padded \n' });
  });

  it('decodes &#13; to CR and entities exactly once', () => {
    const p = props(doc('<C:calendar-data>BEGIN:VCALENDAR&#13;\nSUMMARY:a &amp;amp; b &lt;c&gt; &#233;&#x1F600;&#13;\nEND:VCALENDAR&#13;\n</C:calendar-data>'));
    expect(p[`{${C}}calendar-data`]).toEqual({ value: 'BEGIN:VCALENDAR\r\nSUMMARY:a &amp; b <c> é😀\r\nEND:VCALENDAR\r\n' });
  });

  it('keeps CDATA byte for byte, raw CR LF included (Radicale and xandikos write them raw)', () => {
    const p = props(doc('<C:calendar-data><![CDATA[BEGIN:VCALENDAR\r\nX:&amp; <b>\r\nEND:VCALENDAR\r\n]]></C:calendar-data>'));
    expect(p[`{${C}}calendar-data`]).toEqual({ value: 'BEGIN:VCALENDAR\r\nX:&amp; <b>\r\nEND:VCALENDAR\r\n' });
  });

  it('keeps raw CR LF in plain character data too', () => {
    const p = props(doc('<C:calendar-data>A\r\nB&#13;\nC</C:calendar-data>'));
    expect(p[`{${C}}calendar-data`]).toEqual({ value: 'A\r\nB\r\nC' });
  });

  it('joins text and CDATA pieces into one string', () => {
    expect(props(doc('<D:x>a<![CDATA[<b>]]>c</D:x>'))[dav('x')]).toEqual({ value: 'a<b>c' });
  });

  it('keeps element values with names, attributes and order', () => {
    const p = props(doc(`<D:resourcetype>
        <D:collection/>
        <C:calendar/>
      </D:resourcetype>
      <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
      <D:current-user-principal><D:href>/p/alice/</D:href></D:current-user-principal>`));
    expect(p[dav('resourcetype')]).toEqual({ value: [{ name: dav('collection'), value: null }, { name: `{${C}}calendar`, value: null }] });
    expect(p[`{${C}}supported-calendar-component-set`]).toEqual({
      value: [
        { name: `{${C}}comp`, attrs: new Map([['name', 'VEVENT']]), value: null },
        { name: `{${C}}comp`, attrs: new Map([['name', 'VTODO']]), value: null },
      ],
    });
    expect(p[dav('current-user-principal')]).toEqual({ value: [{ name: dav('href'), value: '/p/alice/' }] });
  });

  it('keeps attributes of the property element itself, xml:lang included (RFC 4918 §4.3)', () => {
    const p = props(doc('<D:displayname xml:lang="fr" xmlns:q="urn:q" q:a="1">Été</D:displayname>'));
    expect(p[dav('displayname')]).toEqual({ attrs: new Map([['{http://www.w3.org/XML/1998/namespace}lang', 'fr'], ['{urn:q}a', '1']]), value: 'Été' });
  });

  it('keeps mixed content exactly', () => {
    expect(props(doc('<D:x> a <D:b>c</D:b> d </D:x>'))[dav('x')]).toEqual({ value: [' a ', { name: dav('b'), value: 'c' }, ' d '] });
  });

  it('keeps a property named twice in one prop, in a second propstat with the same status', () => {
    const r = first(doc('<D:x>1</D:x><D:x>2</D:x>'));
    expect(r.propstats.map((p) => [p.status.code, p.props.get(dav('x'))?.value])).toEqual([[200, '1'], [200, '2']]);
  });
});

describe('the shape of §14.24 is kept', () => {
  it('several hrefs with one status, top-level description, sync-token before the responses (QUIRKS.md 7, 13)', () => {
    const ms = parseMultiStatus(`<multistatus xmlns="DAV:"><sync-token>http://r/sync/0012</sync-token>
      <response><href>/a</href><href>/b</href><status>HTTP/1.1 423 Locked</status>
        <error><lock-token-submitted><href>/</href></lock-token-submitted></error>
        <responsedescription>locked</responsedescription><location><href>/elsewhere</href></location></response>
      <responsedescription>top</responsedescription></multistatus>`);
    expect(ms).toEqual({
      syncToken: 'http://r/sync/0012',
      description: 'top',
      responses: [{
        kind: 'status', hrefs: ['/a', '/b'], status: { code: 423, line: 'HTTP/1.1 423 Locked' },
        error: { conditions: [{ name: dav('lock-token-submitted'), value: [{ name: dav('href'), value: '/' }] }] },
        description: 'locked', location: '/elsewhere',
      }],
    });
  });

  it('every propstat with its own status, error and description, in either order (QUIRKS.md 3)', () => {
    const r = first(`<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href>
      <D:propstat><D:status>HTTP/1.1 404 Not Found</D:status><D:prop><D:a/></D:prop></D:propstat>
      <D:propstat><D:prop><D:b>1</D:b></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status><D:error><D:cannot-modify-protected-property/></D:error><D:responsedescription>no</D:responsedescription></D:propstat>
      <D:propstat><D:prop><D:c>2</D:c></D:prop><D:status>HTTP/1.1 418 I'm a teapot</D:status></D:propstat>
      </D:response></D:multistatus>`);
    expect(r.propstats.map((p) => p.status.code)).toEqual([404, 403, 418]);
    expect(r.propstats[1]).toMatchObject({ error: { conditions: [{ name: dav('cannot-modify-protected-property'), value: null }] }, description: 'no' });
  });

  it('an empty multistatus and one with zero responses (QUIRKS.md 5)', () => {
    expect(parseMultiStatus('<D:multistatus xmlns:D="DAV:"/>')).toEqual({ responses: [] });
    expect(parseMultiStatus('<multistatus xmlns="DAV:">\n</multistatus>')).toEqual({ responses: [] });
  });

  it('accepts a response with both status and propstats, keeping the propstats (QUIRKS.md 6)', () => {
    const r = first(`<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status>
      <D:propstat><D:prop><D:x/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>`);
    expect(r.kind).toBe('propstat');
    expect(r.propstats).toHaveLength(1);
  });

  it('keeps odd and unreadable status lines as text (QUIRKS.md 11)', () => {
    const ms = parseMultiStatus(`<D:multistatus xmlns:D="DAV:">
      <D:response><D:href>/1</D:href><D:status>HTTP/1.0 207</D:status></D:response>
      <D:response><D:href>/2</D:href><D:status>
          HTTP/1.1 409 (status)
      </D:status></D:response>
      <D:response><D:href>/3</D:href><D:status>whatever</D:status></D:response>
      <D:response><D:href>/4</D:href></D:response></D:multistatus>`);
    expect(ms.responses.map((r) => r.kind === 'status' && r.status)).toEqual([
      { code: 207, line: 'HTTP/1.0 207' }, { code: 409, line: 'HTTP/1.1 409 (status)' }, { code: null, line: 'whatever' }, { code: null, line: '' },
    ]);
  });

  it('ignores comments, processing instructions and unknown extension elements', () => {
    const ms = parseMultiStatus(`<?xml version="1.0"?><!-- hi --><D:multistatus xmlns:D="DAV:"><?pi x?><D:extension>x</D:extension>
      <D:response><!-- c --><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>`);
    expect(ms.responses).toHaveLength(1);
  });
});

describe('input encodings', () => {
  const xml = '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/é</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>';
  const href = (body: string | Uint8Array) => hrefsOf(parseMultiStatus(body).responses[0] as DavResponse)[0];

  it('reads UTF-8 bytes, with or without a BOM, and strings', () => {
    expect(href(Buffer.from(xml))).toBe('/é');
    expect(href(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]))).toBe('/é');
    expect(href(`\uFEFF${xml}`)).toBe('/é');
  });

  it('honours a declared ISO-8859-1 encoding and a UTF-16 BOM', () => {
    expect(href(Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${xml}`, 'latin1'))).toBe('/é');
    expect(href(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]))).toBe('/é');
  });
});
