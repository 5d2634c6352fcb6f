import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { dav, NS, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import { escapeText } from './escape';
import { PrefixTable } from './prefixes';

/*
 * REPORT bodies of the CalDAV and CardDAV reads (RFC 4791 §7.8, §7.9; RFC 6352 §8.6, §8.7).
 * Every report asks for the ETag and the whole calendar or address data of each object.
 */

const CALDAV = (local: string): ClarkName => `{${NS.CALDAV}}${local}`;
const CARDDAV = (local: string): ClarkName => `{${NS.CARDDAV}}${local}`;

/** RFC 4791 §9.6: the property that carries an object's iCalendar text in a calendar report. */
export const CALENDAR_DATA = CALDAV('calendar-data');
/** RFC 6352 §10.4: the property that carries an object's vCard text in an address-book report. */
export const ADDRESS_DATA = CARDDAV('address-data');

/** What a calendar-query matches: objects with a `component` overlapping [start, end). */
export interface CalendarQueryFilter {
  /** The component inside VCALENDAR, VEVENT by default. */
  readonly component?: string;
  readonly start?: Date;
  readonly end?: Date;
}

/**
 * RFC 4791 §7.8 calendar-query: the objects whose VCALENDAR holds a `component` (VEVENT by
 * default), with a §9.9 time-range when `start` or `end` is given (open at the other end).
 * Recurring components match when any instance overlaps (§9.9). Times are written in UTC,
 * `start` cut and `end` rounded to whole seconds. Throws INPUT_INVALID for an
 * invalid date, a year iCalendar cannot write, an empty range or a bad component name.
 */
export function calendarQueryBody(filter: CalendarQueryFilter = {}): string {
  const component = filter.component ?? 'VEVENT';
  if (!/^[A-Z][A-Z0-9-]*$/.test(component)) throw new DavgateError('INPUT_INVALID', `component ${JSON.stringify(component)} is not an iCalendar component name`);
  const start = filter.start === undefined ? undefined : icalUtc(filter.start, 'start');
  // iCalendar times have whole seconds: the end rounds up so [start, end) never shrinks.
  const end = filter.end === undefined ? undefined : icalUtc(new Date(Math.ceil(filter.end.getTime() / 1000) * 1000), 'end');
  if (filter.start !== undefined && filter.end !== undefined && filter.start.getTime() >= filter.end.getTime()) {
    throw new DavgateError('INPUT_INVALID', 'the time range is empty: start must be before end');
  }
  return report(CALDAV('calendar-query'), CALENDAR_DATA, (root, prefixes) => {
    const vcalendar = root.ele(prefixes.qname(CALDAV('filter'))).ele(prefixes.qname(CALDAV('comp-filter')), { name: 'VCALENDAR' });
    const comp = vcalendar.ele(prefixes.qname(CALDAV('comp-filter')), { name: component });
    if (start === undefined && end === undefined) return;
    // §9.9: at least one of start and end; the missing one is open-ended.
    comp.ele(prefixes.qname(CALDAV('time-range')), { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) });
  });
}

/** RFC 4791 §7.9 calendar-multiget: the calendar data and ETag of each href, in the order given. */
export function calendarMultigetBody(hrefs: readonly string[]): string {
  return report(CALDAV('calendar-multiget'), CALENDAR_DATA, (root, prefixes) => writeHrefs(root, hrefs, prefixes));
}

/**
 * RFC 6352 §8.6 addressbook-query for every contact: an empty filter with `test="allof"`
 * (§10.5). No prop-filter is a condition every card meets when all must hold; with the
 * default `anyof` a literal reading would match nothing, so allof is what says "every card"
 * to a server that reads the RFC to the letter (Radicale returns every card either way).
 */
export function addressbookQueryBody(): string {
  return report(CARDDAV('addressbook-query'), ADDRESS_DATA, (root, prefixes) => {
    root.ele(prefixes.qname(CARDDAV('filter')), { test: 'allof' });
  });
}

/** RFC 6352 §8.7 addressbook-multiget: the address data and ETag of each href, in the order given. */
export function addressbookMultigetBody(hrefs: readonly string[]): string {
  return report(CARDDAV('addressbook-multiget'), ADDRESS_DATA, (root, prefixes) => writeHrefs(root, hrefs, prefixes));
}

/**
 * A date as an RFC 5545 §3.3.5 UTC DATE-TIME, `YYYYMMDDTHHMMSSZ` (form #2, what RFC 4791
 * §9.9 requires in time-range). Milliseconds are cut. Throws INPUT_INVALID for an invalid
 * date or a year outside 0000–9999.
 */
export function icalUtc(date: Date, what = 'date'): string {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new DavgateError('INPUT_INVALID', `${what} is not a valid date`);
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new DavgateError('INPUT_INVALID', `${what} is outside the years 0000-9999 that iCalendar can write`);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}T${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
}

function report(rootName: ClarkName, dataName: ClarkName, fill: (root: XMLBuilder, prefixes: PrefixTable) => void): string {
  const prefixes = PrefixTable.ofProps([], [rootName, dav('getetag'), dataName]);
  const root = create({ version: '1.0', encoding: 'utf-8' }).ele(prefixes.qname(rootName), prefixes.declarations());
  const prop = root.ele('D:prop');
  prop.ele('D:getetag');
  prop.ele(prefixes.qname(dataName));
  fill(root, prefixes);
  return root.end();
}

function writeHrefs(root: XMLBuilder, hrefs: readonly string[], prefixes: PrefixTable): void {
  for (const href of hrefs) root.ele(prefixes.qname(dav('href'))).txt(escapeText(href, () => 'an href'));
}
