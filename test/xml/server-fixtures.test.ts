import { dav } from '../../src/model/clark';
import { toResults } from '../../src/model/classify';
import { hrefKey } from '../../src/model/href';
import { hrefsOf, type PropStatResponse } from '../../src/model/multistatus';
import { buildMultiStatus } from '../../src/xml/build-multistatus';
import { parseMultiStatus, parseXmlDocument } from '../../src/xml/parse-multistatus';
import { fixture, multistatusFixtures } from '../helpers/fixtures';

const C = 'urn:ietf:params:xml:ns:caldav';
const recorded = [...multistatusFixtures('servers'), ...multistatusFixtures('rfc')];

/** Counts the <href> children of <response> elements in the raw text, whatever the prefix. */
function hrefsInText(xml: string): number {
  let count = 0;
  for (const response of xml.matchAll(/<(?:[\w-]+:)?response[\s>][\s\S]*?<\/(?:[\w-]+:)?response>/g)) {
    const withoutProps = response[0].replace(/<(?:[\w-]+:)?propstat[\s>][\s\S]*?<\/(?:[\w-]+:)?propstat>|<(?:[\w-]+:)?(error|location)[\s>][\s\S]*?<\/(?:[\w-]+:)?\1>/g, '');
    count += (withoutProps.match(/<(?:[\w-]+:)?href[\s>]/g) ?? []).length;
  }
  return count;
}

describe('every recorded multistatus (real servers and the RFC examples)', () => {
  it('there are enough of them to mean something', () => {
    expect(recorded.length).toBeGreaterThan(100);
  });

  describe.each(recorded.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const ms = parseMultiStatus(f.body);

    it('yields exactly one result per href it names (invariant 1)', () => {
      const results = toResults(ms.responses, f.meta.method);
      expect(results.map((r) => r.href)).toEqual(ms.responses.flatMap(hrefsOf));
      expect(results).toHaveLength(hrefsInText(f.body.toString('utf8')));
    });

    it('survives build and parse unchanged (invariant 2)', () => {
      expect(parseMultiStatus(buildMultiStatus(ms))).toEqual(ms);
    });
  });
});

describe('what the recorded servers do (QUIRKS.md)', () => {
  const parse = (name: string) => {
    const f = fixture('servers', name);
    const ms = parseMultiStatus(f.body);
    return { f, ms, results: toResults(ms.responses, f.meta.method) };
  };

  it('Apache: a DELETE blocked by a locked member is 424 with a multistatus naming the member (10)', () => {
    const { f, results } = parse('apache-delete-locked-member');
    expect(f.meta.status).toBe(424);
    expect(results.map((r) => [r.href, r.kind, r.status])).toEqual([['/dav/L-del/a.txt', 'Locked', 423]]);
  });

  it('Apache: "(status)" reason phrases, lp1:/ns0: prefixes, a protected property fails the PROPPATCH (11, 1, 27)', () => {
    const { ms, results } = parse('apache-proppatch-protected');
    const r = ms.responses[0] as PropStatResponse;
    expect(r.propstats.map((p) => p.status.line)).toContain('HTTP/1.1 409 (status)');
    expect([...(r.propstats[1]?.props.keys() ?? [])]).toEqual([dav('getetag')]);
    expect(results[0]).toMatchObject({ kind: 'Error', status: 409, code: 'CONFLICT' });
  });

  it('Radicale: the sync-token stands before the responses (13)', () => {
    const { f, ms } = parse('radicale-sync-collection-initial');
    expect(f.body.toString().indexOf('sync-token')).toBeLessThan(f.body.toString().indexOf('<response'));
    expect(ms.syncToken).toMatch(/^http:\/\/radicale\.org\/ns\/sync\//);
  });

  it('Radicale: calendar-data with raw CR LF comes back byte for byte (19)', () => {
    const { f, ms } = parse('radicale-calendar-multiget-missing');
    const raw = f.body.toString('utf8');
    const expected = raw.slice(raw.indexOf('<C:calendar-data>') + 17, raw.indexOf('</C:calendar-data>'));
    expect(expected).toContain('\r\n');
    const found = ms.responses.find((r) => r.kind === 'propstat' && r.href === '/alice/work/single.ics') as PropStatResponse;
    expect(found.propstats[0]?.props.get(`{${C}}calendar-data`)?.value).toBe(expected);
  });

  it('Radicale: a multiget with a missing href keeps the 404 beside the found events', () => {
    const { results } = parse('radicale-calendar-multiget-missing');
    expect(results[0]).toMatchObject({ href: '/alice/work/does-not-exist.ics', kind: 'Error', code: 'NOT_FOUND' });
    expect(results.slice(1).every((r) => r.kind === 'Success')).toBe(true);
  });

  it('Radicale: an invalid sync token is a 403 DAV:error with valid-sync-token (21)', () => {
    const f = fixture('servers', 'radicale-sync-collection-invalid-token');
    expect(f.meta.status).toBe(403);
    expect(parseXmlDocument(f.body)).toMatchObject({ name: dav('error'), value: [{ name: dav('valid-sync-token') }] });
  });

  it('xandikos: hrefs that are percent-encoded absolute URLs still key to their path (16)', () => {
    const { results } = parse('xandikos-propfind-missing');
    expect(results[0]?.href).toBe('http%3A//127.0.0.1%3A18102/user/calendars/work/nope.ics');
    expect(hrefKey(results[0]?.href ?? '')).toBe('/user/calendars/work/nope.ics');
    expect(results[0]).toMatchObject({ kind: 'Error', status: 404 });
  });

  it('xandikos: a UID conflict is a 412 with no-uid-conflict, classified by the condition (20)', () => {
    const { results } = parse('xandikos-put-event-uid-conflict');
    expect(results[0]).toMatchObject({ kind: 'Error', status: 412, code: 'UID_CONFLICT', condition: `{${C}}no-uid-conflict`, description: 'UID already in use.' });
  });

  it('nginx: a named property it lacks is silently left out, not reported 404 (14)', () => {
    const { f, ms, results } = parse('nginx-propfind-depth0-named');
    expect(JSON.stringify(f.meta)).toContain('author');
    const r = ms.responses[0] as PropStatResponse;
    expect(r.propstats).toHaveLength(1);
    expect([...(r.propstats[0]?.props.keys() ?? [])]).not.toContain('{http://example.com/ns/corpus}author');
    expect(results[0]?.kind).toBe('Success');
  });

  it('nginx: only unknown properties asked gives an empty prop with 200, and [ ] & stay as sent (14, 16)', () => {
    const { ms, results } = parse('nginx-propfind-only-unknown');
    expect((ms.responses[0] as PropStatResponse).propstats[0]?.props.size).toBe(0);
    expect(results.map((r) => r.href)).toContain('/dav/coll/r&d%20[1].txt');
  });

  it('webdav-server: a mangled namespace is kept as the server wrote it (15)', () => {
    const { ms } = parse('webdavserver-propfind-after-proppatch');
    const props = (ms.responses[0] as PropStatResponse).propstats[0]?.props;
    expect(props?.get('{http://example.com/ns:}corpusauthor')).toEqual({ value: 'Zoë Ågren' });
  });
});
