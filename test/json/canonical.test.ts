import { dav } from '../../src/model/clark';
import { DavgateError } from '../../src/model/errors';
import type { MultiStatus } from '../../src/model/multistatus';
import { statusOf } from '../../src/model/status';
import { fromCanonicalJson, parseCanonicalJson } from '../../src/json/from-json';
import { toCanonicalJson } from '../../src/json/to-json';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';

describe('toCanonicalJson', () => {
  it('matches the example of DESIGN.md', () => {
    const ms = parseMultiStatus(`<D:multistatus xmlns:D="DAV:">
      <D:response><D:href>/cal/a.ics</D:href>
        <D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
        <D:propstat><D:prop><D:displayname/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>
      <D:response><D:href>/cal/b.ics</D:href><D:status>HTTP/1.1 423 Locked</D:status>
        <D:error><D:lock-token-submitted><D:href>/cal/</D:href></D:lock-token-submitted></D:error></D:response>
      <D:sync-token>http://example.com/sync/12</D:sync-token></D:multistatus>`);
    expect(toCanonicalJson(ms, 'PROPFIND')).toEqual({
      responses: [
        { href: '/cal/a.ics', kind: 'Success', status: 200, etag: '"1"',
          propstats: [{ status: 200, props: { '{DAV:}getetag': '"1"' } }, { status: 404, props: { '{DAV:}displayname': null } }] },
        { href: '/cal/b.ics', kind: 'Locked', status: 423, error: { condition: '{DAV:}lock-token-submitted', hrefs: ['/cal/'] } },
      ],
      syncToken: 'http://example.com/sync/12',
    });
  });

  it('writes one entry per href, each with the status of its response', () => {
    const ms: MultiStatus = { responses: [{ kind: 'status', hrefs: ['/a', '/b'], status: statusOf(404) }] };
    expect(toCanonicalJson(ms, 'DELETE').responses.map((r) => [r.href, r.kind, r.status, r.code])).toEqual([['/a', 'Error', 404, 'NOT_FOUND'], ['/b', 'Error', 404, 'NOT_FOUND']]);
  });

  it('keeps a status line only when it is not the canonical one', () => {
    const ms = parseMultiStatus(`<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href><d:status>HTTP/1.0 207</d:status></d:response>
      <d:response><d:href>/b</d:href><d:status>HTTP/1.1 200 OK</d:status></d:response><d:response><d:href>/c</d:href><d:status>nope</d:status></d:response></d:multistatus>`);
    expect(toCanonicalJson(ms, 'COPY').responses.map((r) => [r.status, r.statusLine])).toEqual([[207, 'HTTP/1.0 207'], [200, undefined], [null, 'nope']]);
  });

  it('encodes element values, attributes on the property itself, and complex errors losslessly', () => {
    const ms = parseMultiStatus(`<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response><D:href>/c/</D:href>
      <D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname xml:lang="de">Ärger</D:displayname>
      <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
      <D:error><C:no-uid-conflict><D:href>/c/other.ics</D:href></C:no-uid-conflict><C:max-resource-size>10</C:max-resource-size></D:error></D:response></D:multistatus>`);
    const [entry] = toCanonicalJson(ms, 'PROPFIND').responses;
    expect(entry?.propstats?.[0]?.props).toEqual({
      '{DAV:}resourcetype': [{ name: '{DAV:}collection' }, { name: '{urn:ietf:params:xml:ns:caldav}calendar' }],
      '{DAV:}displayname': { attrs: { '{http://www.w3.org/XML/1998/namespace}lang': 'de' }, value: 'Ärger' },
      '{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set': [{ name: '{urn:ietf:params:xml:ns:caldav}comp', attrs: { name: 'VEVENT' } }],
    });
    expect(entry?.error).toEqual({
      condition: '{urn:ietf:params:xml:ns:caldav}no-uid-conflict',
      hrefs: ['/c/other.ics'],
      conditions: [
        { name: '{urn:ietf:params:xml:ns:caldav}no-uid-conflict', value: [{ name: '{DAV:}href', value: '/c/other.ics' }] },
        { name: '{urn:ietf:params:xml:ns:caldav}max-resource-size', value: '10' },
      ],
    });
    expect(fromCanonicalJson(JSON.parse(JSON.stringify(toCanonicalJson(ms, 'PROPFIND'))))).toEqual(ms);
  });

  it('keeps a property called __proto__ as a key of its own', () => {
    const ms: MultiStatus = { responses: [{ kind: 'propstat', href: '/a', propstats: [{ status: statusOf(200), props: new Map([['__proto__', { value: 'v' }]]) }] }] };
    const text = JSON.stringify(toCanonicalJson(ms, 'PROPFIND'));
    expect(text).toContain('"__proto__":"v"');
    expect(parseCanonicalJson(text)).toEqual(ms);
  });
});

describe('fromCanonicalJson validation', () => {
  const invalid = (json: unknown): { code: string; path?: string | undefined; message: string } => {
    try {
      fromCanonicalJson(json);
    } catch (error) {
      if (error instanceof DavgateError) return { code: error.code, path: error.position?.path, message: error.message };
      throw error;
    }
    throw new Error('accepted');
  };
  const ok = { href: '/a', status: 200 };

  it.each([
    ['not an object', 'x', '(root)'],
    ['no responses', {}, 'responses'],
    ['a response without href', { responses: [{ status: 200 }] }, 'responses[0].href'],
    ['an out-of-range status', { responses: [{ href: '/a', status: 999 }] }, 'responses[0].status'],
    ['a fractional status', { responses: [ok, { href: '/a', status: 200.5 }] }, 'responses[1].status'],
    ['an unknown field', { responses: [{ ...ok, colour: 'red' }] }, 'responses[0]'],
    ['a property name that is not a Clark name', { responses: [{ href: '/a', propstats: [{ status: 200, props: { 'd:x': null } }] }] }, 'responses[0].propstats[0].props["d:x"]'],
    ['a property value of the wrong type', { responses: [{ href: '/a', propstats: [{ status: 200, props: { '{DAV:}x': 5 } }] }] }, 'responses[0].propstats[0].props["{DAV:}x"]'],
    ['a bad node deep in a value', { responses: [{ href: '/a', propstats: [{ status: 200, props: { '{DAV:}x': [{ name: '{DAV:}y', value: [{ nom: 'z' }] }] } }] }] }, 'responses[0].propstats[0].props["{DAV:}x"][0].value'],
    ['an empty propstats array', { responses: [{ href: '/a', propstats: [] }] }, 'responses[0].propstats'],
    ['an attribute value that is not text', { responses: [{ href: '/a', propstats: [{ status: 200, props: { '{DAV:}x': { attrs: { a: 1 }, value: null } } }] }] }, 'responses[0].propstats[0].props["{DAV:}x"]'],
  ])('refuses %s, naming the path', (_what, json, path) => {
    const got = invalid(json);
    expect(got.code).toBe('JSON_INVALID');
    expect(got.path?.startsWith(path)).toBe(true);
  });

  it('needs propstats or a status, and a status line that agrees with the status', () => {
    expect(invalid({ responses: [{ href: '/a' }] })).toMatchObject({ code: 'JSON_INVALID', path: 'responses[0]' });
    expect(invalid({ responses: [{ href: '/a', status: 200, statusLine: 'HTTP/1.1 404 Not Found' }] })).toMatchObject({ code: 'JSON_INVALID', path: 'responses[0].statusLine' });
    expect(invalid({ responses: [{ href: '/a', status: null }] })).toMatchObject({ code: 'JSON_INVALID', path: 'responses[0].status' });
  });

  it('accepts and ignores the derived fields', () => {
    const ms = fromCanonicalJson({ responses: [{ href: '/a', kind: 'Error', status: 200, code: 'X', retryable: true, etag: '"e"' }] });
    expect(ms).toEqual({ responses: [{ kind: 'status', hrefs: ['/a'], status: statusOf(200) }] });
  });

  it('rebuilds a simple error from condition and hrefs', () => {
    const ms = fromCanonicalJson({ responses: [{ href: '/a', status: 423, error: { condition: '{DAV:}lock-token-submitted', hrefs: ['/'] } }] });
    expect(ms.responses[0]?.error).toEqual({ conditions: [{ name: dav('lock-token-submitted'), value: [{ name: dav('href'), value: '/' }] }] });
  });

  it('reports malformed JSON text with its own code', () => {
    expect(() => parseCanonicalJson('{"responses": [')).toThrow(expect.objectContaining({ code: 'JSON_MALFORMED' }));
  });
});
