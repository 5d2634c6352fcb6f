/**
 * calendar-query and addressbook-query answers that Radicale does not give on demand: a 507
 * on the collection (the server cut the matches short), a member without its data, and the
 * collection listed among the matches. A stub ReadBackend returns the canned 207s; the
 * queries against Radicale itself are in caldav.test.ts and carddav.test.ts.
 */
import { errorOf } from '../upstream/stub';
import { calendarEvents } from '../../src/reads/caldav';
import { addressBookContacts } from '../../src/reads/carddav';
import { ics, multistatus, objectResponse, statusResponse, stubBackend } from './stub-backend';

const CAL = '/dav/cal/';

describe('calendarEvents and addressBookContacts: what a query answer may hold', () => {
  it('sends a Depth 1 calendar-query with the time range in UTC', async () => {
    const stub = stubBackend(() => ({ status: 207, body: multistatus(objectResponse(`${CAL}a.ics`, '"a"', ics('a'))) }));
    const events = await calendarEvents(stub.ctx, CAL, { start: new Date('2024-03-04T01:00:00+01:00'), end: new Date('2024-03-11T00:00:00Z') });
    expect(events.map((e) => e.href)).toEqual([`${CAL}a.ics`]);
    expect(stub.requests[0]).toMatchObject({ method: 'REPORT', path: CAL, headers: { Depth: '1' } });
    expect(String(stub.requests[0]?.body)).toContain('<C:time-range start="20240304T000000Z" end="20240311T000000Z"/>');
  });

  it('ignores the collection itself listed without data', async () => {
    const body = multistatus(
      `<response><href>${CAL}</href><propstat><prop><getetag>"c"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>`,
      objectResponse(`${CAL}a.ics`, '"a"', ics('a')),
    );
    const events = await calendarEvents(calendarStub(body), CAL);
    expect(events.map((e) => e.href)).toEqual([`${CAL}a.ics`]);
  });

  it('fails with UPSTREAM_STATUS when the server cut the matches short (507 on the collection)', async () => {
    const body = multistatus(
      objectResponse(`${CAL}a.ics`, '"a"', ics('a')),
      statusResponse(CAL, 'HTTP/1.1 507 Insufficient Storage', '<error><number-of-matches-within-limits/></error>'),
    );
    const error = await errorOf(calendarEvents(calendarStub(body), CAL));
    expect(error.code).toBe('UPSTREAM_STATUS');
    expect(error.message).toContain('only part of the matches');
    expect(error.message).toContain('TOO_MANY_MATCHES');
  });

  it('fails with UPSTREAM_STATUS naming the member when one comes back with an error or without data', async () => {
    const failing = multistatus(objectResponse(`${CAL}a.ics`, '"a"', ics('a')), statusResponse(`${CAL}b.ics`, 'HTTP/1.1 500 Internal Server Error'));
    const error = await errorOf(calendarEvents(calendarStub(failing), CAL));
    expect(error.code).toBe('UPSTREAM_STATUS');
    expect(error.message).toContain(`${CAL}b.ics (500 SERVER_ERROR)`);

    const noData = multistatus(`<response><href>${CAL}c.ics</href><propstat><prop><getetag>"c"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>`);
    expect((await errorOf(calendarEvents(calendarStub(noData), CAL))).message).toContain(`${CAL}c.ics (200 UPSTREAM_MALFORMED)`);
  });

  it('reads an address book the same way, with an addressbook-query that matches every card', async () => {
    const vcard = 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zoë\r\nEND:VCARD\r\n';
    const stub = stubBackend(() => ({ status: 207, body: multistatus(objectResponse('/dav/book/z.vcf', 'W/"z"', vcard, 'CR:address-data')) }));
    const contacts = await addressBookContacts(stub.ctx, '/dav/book/');
    expect(contacts).toEqual([{ href: '/dav/book/z.vcf', etag: 'W/"z"', vcard, jcard: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'Zoë']]] }]);
    expect(String(stub.requests[0]?.body)).toContain('<CR:filter test="allof"/>');
  });
});

function calendarStub(body: string) {
  return stubBackend(() => ({ status: 207, body })).ctx;
}
