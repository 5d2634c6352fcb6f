import type { PropStatResponse } from '../../src/model/multistatus';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';
import { rawTextElementNames } from '../../src/xml/raw-text';

const C = 'urn:ietf:params:xml:ns:caldav';
const CARD = 'urn:ietf:params:xml:ns:carddav';
const doc = (props: string, decl = `xmlns:C="${C}"`) =>
  `<D:multistatus xmlns:D="DAV:" ${decl}><D:response><D:href>/a</D:href><D:propstat><D:prop>${props}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`;
const props = (xml: string) => (parseMultiStatus(xml).responses[0] as PropStatResponse).propstats[0]?.props;

describe('calendar-data and address-data (read as raw text)', () => {
  it('finds the spellings a document uses', () => {
    expect(rawTextElementNames(doc('<C:calendar-data/><cal:calendar-data/><address-data xmlns="x"/>'))).toEqual(['C:calendar-data', 'address-data', 'cal:calendar-data']);
  });

  it('decodes entities once outside CDATA, keeps CDATA verbatim, and keeps CRs', () => {
    const p = props(doc('<C:calendar-data content-type="text/calendar">A&amp;amp;&#13;\n<![CDATA[<b>&amp;\r\n]]>&lt;z&gt;\r\n</C:calendar-data>'));
    expect(p?.get(`{${C}}calendar-data`)).toEqual({ attrs: new Map([['content-type', 'text/calendar']]), value: 'A&amp;\r\n<b>&amp;\r\n<z>\r\n' });
  });

  it('gives the same model as ordinary elements would, in every namespace spelling', () => {
    const ics = 'BEGIN:VCALENDAR&#13;\nX:a&amp;b<![CDATA[ & ]]>\r\nEND:VCALENDAR';
    const expected = { value: 'BEGIN:VCALENDAR\r\nX:a&b & \r\nEND:VCALENDAR' };
    expect(props(doc(`<C:calendar-data>${ics}</C:calendar-data>`))?.get(`{${C}}calendar-data`)).toEqual(expected);
    expect(props(doc(`<calendar-data xmlns="${C}">${ics}</calendar-data>`, ''))?.get(`{${C}}calendar-data`)).toEqual(expected);
    expect(props(doc(`<x:address-data xmlns:x="${CARD}">${ics}</x:address-data>`, ''))?.get(`{${CARD}}address-data`)).toEqual(expected);
  });

  it('treats empty content as no content', () => {
    const p = props(doc('<C:calendar-data/><C:address-data></C:address-data>'));
    expect([p?.get(`{${C}}calendar-data`), p?.get(`{${C}}address-data`)]).toEqual([{ value: null }, { value: null }]);
  });

  it('parses content that holds markup as XML after all, in the same namespace scope', () => {
    const p = props(doc('<C:calendar-data><C:comp name="VEVENT"/><!-- c -->t&amp;</C:calendar-data>'));
    expect(p?.get(`{${C}}calendar-data`)).toEqual({ value: [{ name: `{${C}}comp`, attrs: new Map([['name', 'VEVENT']]), value: null }, 't&'] });
  });

  it('still refuses what is wrong inside it', () => {
    expect(() => parseMultiStatus(doc('<C:calendar-data>&nbsp;</C:calendar-data>'))).toThrow(expect.objectContaining({ code: 'XML_UNDEFINED_ENTITY' }));
    expect(() => parseMultiStatus(doc('<C:calendar-data>a & b</C:calendar-data>'))).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    expect(() => parseMultiStatus(doc('<C:calendar-data><x></C:calendar-data>'))).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });
});
