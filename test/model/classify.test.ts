import { dav } from '../../src/model/clark';
import { toResults } from '../../src/model/classify';
import type { DavResponse, PropStat } from '../../src/model/multistatus';
import { parseStatusLine, statusOf } from '../../src/model/status';
import type { PropValue } from '../../src/model/xml-content';

const propstat = (code: number, props: Record<string, string | null> = { [dav('displayname')]: null }): PropStat => ({
  status: statusOf(code),
  props: new Map(Object.entries(props).map(([name, value]): [string, PropValue] => [name, { value }])),
});
const withProps = (...propstats: PropStat[]): DavResponse => ({ kind: 'propstat', href: '/r', propstats });
const withStatus = (code: number, ...hrefs: string[]): DavResponse => ({ kind: 'status', hrefs, status: statusOf(code) });
const kinds = (responses: DavResponse[], method: string) => toResults(responses, method).map((r) => [r.kind, r.status]);

describe('toResults: status responses', () => {
  it('classifies 201, other 2xx, 423 and failures', () => {
    expect(kinds([withStatus(201, '/a'), withStatus(204, '/b'), withStatus(423, '/c'), withStatus(404, '/d'), withStatus(302, '/e')], 'DELETE')).toEqual([
      ['Created', 201], ['Success', 204], ['Locked', 423], ['Error', 404], ['Error', 302],
    ]);
  });

  it('gives one result per href of a multi-href response (RFC 4918 §9.6.2)', () => {
    const results = toResults([withStatus(423, '/a', '/b', '/c')], 'DELETE');
    expect(results.map((r) => [r.href, r.kind])).toEqual([['/a', 'Locked'], ['/b', 'Locked'], ['/c', 'Locked']]);
  });

  it('classifies an unreadable status as an Error with a stable code', () => {
    const [result] = toResults([{ kind: 'status', hrefs: ['/x'], status: parseStatusLine('bogus') }], 'DELETE');
    expect(result).toMatchObject({ kind: 'Error', status: null, statusLine: 'bogus', code: 'STATUS_UNREADABLE', retryable: false });
  });

  it('goes by the DAV:error condition before the bare code (QUIRKS.md 20, 21)', () => {
    const condition = (name: string, code: number): DavResponse => ({
      kind: 'status', hrefs: ['/c'], status: statusOf(code), error: { conditions: [{ name, value: null }] },
    });
    const codes = [403, 409, 415, 418, 500].map((code) => toResults([condition(dav('valid-sync-token'), code)], 'REPORT')[0]);
    expect(codes.map((r) => r?.kind === 'Error' && r.code)).toEqual(Array(5).fill('SYNC_TOKEN_INVALID'));
    const uid = [400, 403, 409].map((code) => toResults([condition('{urn:ietf:params:xml:ns:caldav}no-uid-conflict', code)], 'PUT')[0]);
    expect(uid.map((r) => r?.kind === 'Error' && r.code)).toEqual(['UID_CONFLICT', 'UID_CONFLICT', 'UID_CONFLICT']);
    const locked = toResults([condition(dav('lock-token-submitted'), 403)], 'DELETE')[0];
    expect(locked).toMatchObject({ kind: 'Locked', condition: dav('lock-token-submitted') });
  });

  it('carries the hrefs of the locks in the way', () => {
    const response: DavResponse = {
      kind: 'status', hrefs: ['/w/a'], status: statusOf(423),
      error: { conditions: [{ name: dav('lock-token-submitted'), value: [{ name: dav('href'), value: '/w/' }, { name: dav('href'), value: '/w/a' }] }] },
    };
    expect(toResults([response], 'MOVE')[0]).toMatchObject({ kind: 'Locked', lockHrefs: ['/w/', '/w/a'] });
  });

  it('marks timeouts, rate limits and overload as retryable, and not much else', () => {
    const retryable = [408, 429, 502, 503, 504, 500, 404, 409].map((c) => {
      const r = toResults([withStatus(c, '/x')], 'PUT')[0];
      return r?.kind === 'Error' && r.retryable;
    });
    expect(retryable).toEqual([true, true, true, true, true, false, false, false]);
  });
});

describe('toResults: propstat responses depend on the method', () => {
  it('PROPFIND and REPORT: one 2xx propstat is a Success, a 404 propstat is a missing property', () => {
    for (const method of ['PROPFIND', 'REPORT', 'propfind']) {
      expect(kinds([withProps(propstat(200), propstat(404))], method)).toEqual([['Success', 200]]);
      expect(kinds([withProps(propstat(404), propstat(200))], method)).toEqual([['Success', 200]]);
    }
  });

  it('PROPFIND with only failing propstats is an Error (a missing resource answered as 207, QUIRKS.md 4)', () => {
    expect(kinds([withProps(propstat(404))], 'PROPFIND')).toEqual([['Error', 404]]);
  });

  it('PROPPATCH is all or nothing, decided by the real failure rather than the 424s', () => {
    expect(kinds([withProps(propstat(200), propstat(200))], 'PROPPATCH')).toEqual([['Success', 200]]);
    expect(kinds([withProps(propstat(424), propstat(403))], 'PROPPATCH')).toEqual([['Error', 403]]);
    expect(kinds([withProps(propstat(200), propstat(404))], 'PROPPATCH')).toEqual([['Error', 404]]);
    expect(kinds([withProps(propstat(424), propstat(423))], 'PROPPATCH')).toEqual([['Locked', 423]]);
    expect(kinds([withProps(propstat(424))], 'PROPPATCH')).toEqual([['Error', 424]]);
  });

  it('an extended MKCOL answering 201 in its propstats is Created', () => {
    expect(kinds([withProps(propstat(201))], 'MKCOL')).toEqual([['Created', 201]]);
  });

  it('a response with no propstat status at all is an Error, not a Success', () => {
    expect(kinds([{ kind: 'propstat', href: '/r', propstats: [] }], 'PROPPATCH')).toEqual([['Error', null]]);
    expect(kinds([{ kind: 'propstat', href: '/r', propstats: [] }], 'PROPFIND')).toEqual([['Error', null]]);
  });

  it('takes the etag from a 2xx propstat, byte for byte', () => {
    const [result] = toResults([withProps(propstat(200, { [dav('getetag')]: '"0012"' }))], 'PROPFIND');
    expect(result).toMatchObject({ kind: 'Success', etag: '"0012"' });
  });

  it('keeps every href in document order (invariant 1)', () => {
    const responses = [withStatus(200, '/1', '/2'), { ...withProps(propstat(200)), href: '/3' }, withStatus(404, '/4')];
    expect(toResults(responses, 'PROPFIND').map((r) => r.href)).toEqual(['/1', '/2', '/3', '/4']);
  });
});
