import { dav, NS, type ClarkName } from '../model/clark';
import { childElements } from '../model/xml-content';
import { icsToJcal } from '../formats/icalendar';
import { calendarMultigetBody, calendarQueryBody, CALENDAR_DATA } from '../xml/report-bodies';
import { collectionInfo, CTAG, getCollection, listCollections, type CollectionInfo } from './collections';
import { multiget, type MultigetOptions, type MultigetReport, type MultigetResult } from './multiget';
import type { ObjectText } from './objects';
import { queryObjects } from './query';
import type { ReadContext } from './read';
import { found, foundText, type ReadResource } from './resources';

const CALDAV = (local: string): ClarkName => `{${NS.CALDAV}}${local}`;
const CALENDAR = CALDAV('calendar');
const DESCRIPTION = CALDAV('calendar-description');
const COMPONENTS = CALDAV('supported-calendar-component-set');
const COLOR = `{${NS.APPLE_ICAL}}calendar-color`;

/** What a calendar listing asks for by name (allprop would leave the CalDAV ones out, RFC 4791 §5.2). */
const CALENDAR_PROPS: readonly ClarkName[] = [dav('resourcetype'), dav('displayname'), DESCRIPTION, COLOR, COMPONENTS, CTAG, dav('sync-token')];

/** A calendar collection (RFC 4791 §4.2) and its properties. */
export interface CalendarInfo extends CollectionInfo {
  /** Apple's calendar-color, as the server wrote it (`#RRGGBB` or `#RRGGBBAA`). */
  readonly color?: string;
  /** RFC 4791 §5.2.3: VEVENT, VTODO, …; empty when the server does not say (then any type is allowed). */
  readonly supportedComponents: string[];
}

/** A calendar object resource (RFC 4791 §4.1): its text byte for byte, and its jCal. */
export interface CalendarObjectData {
  readonly href: string;
  readonly etag?: string;
  /** The iCalendar text exactly as the server sent it (CRs kept, nothing trimmed). */
  readonly ics: string;
  /** jCal (RFC 7265); null when the text cannot be read, with the reason in `parseError`. */
  readonly jcal: unknown;
  readonly parseError?: string;
}

/** A time range for calendarEvents: objects with an instance in [start, end); either end may be open. */
export interface TimeRange {
  readonly start?: Date;
  readonly end?: Date;
}

/** The calendars in a calendar home (PROPFIND Depth 1, RFC 4791 §6.2.1), in the server's order. */
export async function listCalendars(ctx: ReadContext, home: string): Promise<CalendarInfo[]> {
  return (await listCollections(ctx, home, CALENDAR_PROPS, CALENDAR)).map(calendarInfo);
}

/** The calendar at `href` (PROPFIND Depth 0); null when it is not a calendar or does not exist. */
export async function getCalendar(ctx: ReadContext, href: string): Promise<CalendarInfo | null> {
  const resource = await getCollection(ctx, href, CALENDAR_PROPS, CALENDAR);
  return resource === null ? null : calendarInfo(resource);
}

/**
 * The events of a calendar (RFC 4791 §7.8 calendar-query, Depth 1): every VEVENT object, or
 * with `range` those with an instance overlapping it, recurring events included (§9.9) and
 * returned as stored, not expanded. Throws INPUT_INVALID for a bad range, UPSTREAM_STATUS when
 * the server returns only part of the matches, and as readMultiStatus does otherwise.
 */
export async function calendarEvents(ctx: ReadContext, calendarHref: string, range: TimeRange = {}): Promise<CalendarObjectData[]> {
  return (await queryObjects(ctx, calendarHref, calendarQueryBody(range), CALENDAR_DATA)).map(calendarObject);
}

const CALENDAR_MULTIGET: MultigetReport = { body: calendarMultigetBody, dataName: CALENDAR_DATA };

/** The calendar objects at `hrefs` (RFC 4791 §7.9 calendar-multiget), asked in chunks; see multiget. */
export async function calendarMultiget(ctx: ReadContext, calendarHref: string, hrefs: readonly string[], options: MultigetOptions = {}): Promise<MultigetResult<CalendarObjectData>> {
  return multiget(ctx, calendarHref, hrefs, CALENDAR_MULTIGET, calendarObject, options);
}

function calendarInfo(resource: ReadResource): CalendarInfo {
  const color = foundText(resource, COLOR);
  return { ...collectionInfo(resource, DESCRIPTION), ...(color === undefined ? {} : { color }), supportedComponents: supportedComponents(resource) };
}

/** RFC 4791 §5.2.3: `<C:comp name="VEVENT"/>` elements. */
function supportedComponents(resource: ReadResource): string[] {
  const comps = childElements(found(resource, COMPONENTS)?.value ?? null).filter((e) => e.name === CALDAV('comp'));
  return comps.flatMap((e) => {
    const name = e.attrs?.get('name');
    return name === undefined ? [] : [name];
  });
}

function calendarObject(object: ObjectText): CalendarObjectData {
  const parsed = icsToJcal(object.text);
  return {
    href: object.href,
    ...(object.etag === undefined ? {} : { etag: object.etag }),
    ics: object.text,
    jcal: parsed.ok ? parsed.json : null,
    ...(parsed.ok ? {} : { parseError: parsed.error }),
  };
}
