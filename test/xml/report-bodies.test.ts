import { DavgateError } from '../../src/model/errors';
import { addressbookMultigetBody, addressbookQueryBody, calendarMultigetBody, calendarQueryBody, icalUtc } from '../../src/xml/report-bodies';
import { parseXmlDocument } from '../../src/xml/parse-multistatus';

/** Compares XML by meaning: both parsed to Clark-named trees (prefixes and white space between elements do not matter). */
const meaning = (xml: string) => parseXmlDocument(xml);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    if (error instanceof DavgateError) return error.code;
    throw error;
  }
  return undefined;
}

describe('calendar-query (RFC 4791 §7.8)', () => {
  it('asks for ETag and calendar data of the VEVENTs in a time range, like the §7.8.1 example', () => {
    const body = calendarQueryBody({ start: new Date('2006-01-04T00:00:00Z'), end: new Date('2006-01-05T00:00:00Z') });
    expect(body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    expect(meaning(body)).toEqual(
      meaning(`<?xml version="1.0" encoding="utf-8" ?>
        <c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
          <d:prop><d:getetag/><c:calendar-data/></d:prop>
          <c:filter>
            <c:comp-filter name="VCALENDAR">
              <c:comp-filter name="VEVENT">
                <c:time-range start="20060104T000000Z" end="20060105T000000Z"/>
              </c:comp-filter>
            </c:comp-filter>
          </c:filter>
        </c:calendar-query>`),
    );
  });

  it('leaves the time range out without dates, and writes only the end that is given (§9.9: open-ended)', () => {
    expect(meaning(calendarQueryBody())).toEqual(
      meaning(`<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
          <D:prop><D:getetag/><C:calendar-data/></D:prop>
          <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
        </C:calendar-query>`),
    );
    const from = calendarQueryBody({ start: new Date('2024-03-01T12:00:00Z') });
    expect(from).toContain('<C:time-range start="20240301T120000Z"/>');
    const until = calendarQueryBody({ end: new Date('2024-03-01T12:00:00Z') });
    expect(until).toContain('<C:time-range end="20240301T120000Z"/>');
    expect(calendarQueryBody({ component: 'VTODO' })).toContain('<C:comp-filter name="VTODO"/>');
  });

  it('writes times in UTC, cutting the start and rounding the end up to whole seconds so [start, end) never shrinks', () => {
    const body = calendarQueryBody({ start: new Date('2024-03-04T01:00:00.999+01:00'), end: new Date('2024-03-04T10:00:00.001Z') });
    expect(body).toContain('start="20240304T000000Z" end="20240304T100001Z"');
  });

  it('refuses an empty range, an invalid date, a year iCalendar cannot write and a bad component name', () => {
    const t = new Date('2024-03-04T00:00:00Z');
    expect(codeOf(() => calendarQueryBody({ start: t, end: t }))).toBe('INPUT_INVALID');
    expect(codeOf(() => calendarQueryBody({ start: new Date('2024-03-05T00:00:00Z'), end: t }))).toBe('INPUT_INVALID');
    expect(codeOf(() => calendarQueryBody({ start: new Date('not a date') }))).toBe('INPUT_INVALID');
    expect(codeOf(() => calendarQueryBody({ end: new Date(Date.UTC(10000, 0, 1)) }))).toBe('INPUT_INVALID');
    expect(codeOf(() => calendarQueryBody({ component: 'vevent"/><x' }))).toBe('INPUT_INVALID');
  });
});

describe('icalUtc (RFC 5545 §3.3.5 form #2)', () => {
  it.each([
    ['2024-02-29T23:59:59.999Z', '20240229T235959Z'],
    ['2024-03-10T02:30:00-05:00', '20240310T073000Z'],
    ['0001-01-01T00:00:00Z', '00010101T000000Z'],
    ['9999-12-31T23:59:59Z', '99991231T235959Z'],
  ])('%s → %s', (iso, ical) => {
    expect(icalUtc(new Date(iso))).toBe(ical);
  });

  it('writes year 0 with four digits and refuses negative years', () => {
    const zero = new Date(Date.UTC(2000, 0, 1));
    zero.setUTCFullYear(0);
    expect(icalUtc(zero)).toBe('00000101T000000Z');
    zero.setUTCFullYear(-1);
    expect(codeOf(() => icalUtc(zero))).toBe('INPUT_INVALID');
  });
});

describe('calendar-multiget (RFC 4791 §7.9) and addressbook-multiget (RFC 6352 §8.7)', () => {
  const hrefs = ['/cal/a.ics', '/cal/b%20c.ics', '/cal/d&e.ics', '/cal/Zoë.ics'];

  it('asks for the data of each href, in order, with the text of every href kept', () => {
    const body = meaning(calendarMultigetBody(hrefs));
    expect(body.name).toBe('{urn:ietf:params:xml:ns:caldav}calendar-multiget');
    expect(body.value).toEqual([
      { name: '{DAV:}prop', value: [{ name: '{DAV:}getetag', value: null }, { name: '{urn:ietf:params:xml:ns:caldav}calendar-data', value: null }] },
      ...hrefs.map((href) => ({ name: '{DAV:}href', value: href })),
    ]);
  });

  it('the same for address data', () => {
    const body = meaning(addressbookMultigetBody(hrefs));
    expect(body.name).toBe('{urn:ietf:params:xml:ns:carddav}addressbook-multiget');
    expect(body.value).toEqual([
      { name: '{DAV:}prop', value: [{ name: '{DAV:}getetag', value: null }, { name: '{urn:ietf:params:xml:ns:carddav}address-data', value: null }] },
      ...hrefs.map((href) => ({ name: '{DAV:}href', value: href })),
    ]);
  });

  it('refuses an href XML cannot carry instead of writing a broken body', () => {
    expect(codeOf(() => calendarMultigetBody(['/cal/\u0000.ics']))).toBe('XML_UNREPRESENTABLE');
  });
});

describe('addressbook-query (RFC 6352 §8.6)', () => {
  it('asks every card for its ETag and address data with an empty allof filter', () => {
    expect(meaning(addressbookQueryBody())).toEqual(
      meaning(`<?xml version="1.0" encoding="utf-8" ?>
        <C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
          <D:prop><D:getetag/><C:address-data/></D:prop>
          <C:filter test="allof"/>
        </C:addressbook-query>`),
    );
  });
});
