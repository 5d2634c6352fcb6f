import { dav } from '../../src/model/clark';
import { toResults } from '../../src/model/classify';
import type { PropStatResponse } from '../../src/model/multistatus';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';
import { fixture } from '../helpers/fixtures';

const BOX = 'http://ns.example.com/boxschema/';
const example = (name: string) => {
  const f = fixture('rfc', name);
  const ms = parseMultiStatus(f.body);
  return { ms, results: toResults(ms.responses, f.meta.method) };
};

describe('RFC 4918 examples', () => {
  it('§9.1.3 PROPFIND: element values, a 403 propstat with its description, and the top-level description', () => {
    const { ms, results } = example('rfc4918-9.1.3-propfind-named');
    const r = ms.responses[0] as PropStatResponse;
    expect(r.propstats[0]?.props.get(`{${BOX}}bigbox`)).toEqual({ value: [{ name: `{${BOX}}BoxType`, value: 'Box type A' }] });
    expect(r.propstats[1]).toMatchObject({ status: { code: 403 }, description: ' The user does not have access to the\n DingALing property.\n      ' });
    expect([...(r.propstats[1]?.props.keys() ?? [])]).toEqual([`{${BOX}}DingALing`, `{${BOX}}Random`]);
    expect(ms.description).toBe(' There has been an access violation error.\n  ');
    expect(results[0]).toMatchObject({ kind: 'Success', status: 200 });
  });

  it('§9.2.2 PROPPATCH: 424 and 409 propstats make an Error decided by the 409', () => {
    const { results } = example('rfc4918-9.2.2-proppatch');
    expect(results[0]).toMatchObject({ kind: 'Error', status: 409, code: 'CONFLICT' });
  });

  it.each(['rfc4918-9.6.2-delete-locked', 'rfc4918-9.8.8-copy-collection', 'rfc4918-9.9.6-move-collection'])(
    '%s: the locked member is Locked with lock-token-submitted',
    (name) => {
      const { results } = example(name);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ kind: 'Locked', status: 423, condition: dav('lock-token-submitted'), lockHrefs: [] });
    },
  );
});

describe('RFC 4791 and RFC 6352 examples', () => {
  it('§7.9.1 calendar-multiget: calendar data kept verbatim, the missing href an Error', () => {
    const { ms, results } = example('rfc4791-7.9.1-calendar-multiget');
    const data = (ms.responses[0] as PropStatResponse).propstats[0]?.props.get('{urn:ietf:params:xml:ns:caldav}calendar-data')?.value;
    expect(typeof data === 'string' && data.startsWith('BEGIN:VCALENDAR\n') && data.endsWith('END:VCALENDAR\n')).toBe(true);
    expect(results.map((r) => r.kind)).toEqual(['Success', 'Error']);
  });

  it('RFC 6352 §8.7.1 addressbook-multiget: a non-standard reason phrase is kept', () => {
    const { ms, results } = example('rfc6352-8.7.1-addressbook-multiget');
    expect(ms.responses[1]).toMatchObject({ kind: 'status', status: { code: 404, line: 'HTTP/1.1 404 Resource not found' } });
    expect(results.map((r) => r.kind)).toEqual(['Success', 'Error']);
  });

  it('RFC 6352 §8.6.5: the 507 for a truncated result comes first and is kept', () => {
    const { results } = example('rfc6352-8.6.5-addressbook-query-truncated');
    expect(results[0]).toMatchObject({ kind: 'Error', status: 507, code: expect.stringMatching(/INSUFFICIENT_STORAGE|TOO_MANY_MATCHES/) });
  });
});

describe('RFC 6578 examples', () => {
  it('§3.9: changed members, a removed member as a bare 404, and the new token after the responses', () => {
    const { ms, results } = example('rfc6578-3.9-sync-with-token');
    expect(ms.syncToken).toBe('http://example.com/ns/sync/1238');
    expect(results.map((r) => [r.href.split('/').pop(), r.kind, r.status])).toEqual([
      ['file.xml', 'Success', 200], ['vcard.vcf', 'Success', 200], ['test.doc', 'Error', 404],
    ]);
  });

  it('§3.10: a truncated sync answers 507 for the collection itself', () => {
    const { results } = example('rfc6578-3.10-sync-truncated');
    expect(results.some((r) => r.status === 507)).toBe(true);
  });
});
