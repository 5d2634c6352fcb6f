'use strict';
/**
 * Deterministic generator of a realistic CalDAV PROPFIND Depth:1 multistatus (the answer a
 * server gives for a calendar collection listing with calendar-data requested).
 *
 * generate(n) -> { bytes: Buffer (UTF-8), expected: [...] }: n responses in total, the first
 * one the collection itself, then n - 1 events. Every response has a 200 propstat and a 404
 * propstat. Calendar data (CRLF line endings, some non-ASCII, `&` and `<` in descriptions)
 * alternates between a CDATA section holding raw CRs and entity-escaped text with every CR
 * written as `&#13;`. One response in eight declares its own default namespace
 * (`<response xmlns="DAV:">` with unprefixed children) and redeclares the caldav prefix.
 *
 * Same n, same seed -> same bytes (seeded PRNG, no Date.now, no Math.random).
 */

const { prng } = require('./common.js');

const DAV = 'DAV:';
const CALDAV = 'urn:ietf:params:xml:ns:caldav';
const CS = 'http://calendarserver.org/ns/';
const ICAL = 'http://apple.com/ns/ical/';
const COLLECTION = '/calendars/alice/work/';

const SUMMARIES = [
  'Team stand-up', 'Sprint planning', 'Quarterly review', 'Lunch with Bob', '1:1 Alice / Carol',
  'Réunion de coordination', 'Besprechung Außendienst', 'Café ☕ with the design team', '会議: 予算',
  'Retro & planning', 'Dentist', 'Budget <draft> review', 'Ökonomie-Workshop', 'Demo day 🎉',
];
const DESCRIPTIONS = [
  'Agenda:\\n1. Status\\n2. Risks & blockers\\n3. AOB',
  'Bring the numbers for Q3 & Q4. If revenue < forecast\\, prepare a plan.',
  'Dial-in: https://meet.example.com/abc?x=1&y=2',
  'Notes from last time: a < b && c > d',
  'Ordre du jour : budget\\, équipe & calendrier.',
  '',
];
const LOCATIONS = ['Room 4.12', 'Berlin HQ\\, Floor 3', 'Online', 'Café Müller', 'Conference room "Everest"'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function hex(rand, digits) {
  let s = '';
  for (let i = 0; i < digits; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
  return s;
}

function uuid(rand) {
  return `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`;
}

function pad(n, w = 2) {
  return String(n).padStart(w, '0');
}

/** A fixed base date plus an offset: deterministic, never the wall clock. */
function dateParts(offsetMinutes) {
  const d = new Date(Date.UTC(2024, 0, 1, 8, 0, 0) + offsetMinutes * 60000);
  return d;
}

function icsStamp(d) {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

function httpDate(d) {
  return `${DAYS[(d.getUTCDay() + 6) % 7]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

/** RFC 5545 §3.1 folding at 75 octets is skipped on purpose: long lines are common in the wild. */
function vevent(rand, uid, i) {
  const start = dateParts(i * 97 + Math.floor(rand() * 60));
  const end = new Date(start.getTime() + (30 + Math.floor(rand() * 4) * 30) * 60000);
  const stamp = dateParts(i * 13);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//davgate//bench generator//EN',
    'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${icsStamp(stamp)}Z`,
    `DTSTART;TZID=Europe/Berlin:${icsStamp(start)}`,
    `DTEND;TZID=Europe/Berlin:${icsStamp(end)}`,
    `SUMMARY:${pick(rand, SUMMARIES)}`,
  ];
  const description = pick(rand, DESCRIPTIONS);
  if (description !== '') lines.push(`DESCRIPTION:${description}`);
  lines.push(`LOCATION:${pick(rand, LOCATIONS)}`);
  lines.push('ORGANIZER;CN=Alice Example:mailto:alice@example.com');
  lines.push('ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:bob@example.com');
  if (rand() < 0.5) lines.push('ATTENDEE;CN=Carol Müller;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.org');
  if (rand() < 0.3) lines.push(`RRULE:FREQ=WEEKLY;BYDAY=${['MO', 'TU', 'WE', 'TH', 'FR'][i % 5]};COUNT=${5 + (i % 20)}`);
  lines.push(`SEQUENCE:${i % 4}`, 'STATUS:CONFIRMED', 'TRANSP:OPAQUE');
  if (rand() < 0.4) {
    lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT15M', 'END:VALARM');
  }
  lines.push('END:VEVENT', 'END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

function escapeText(s) {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

/** Element names with the prefix a response uses (`d:` or none, under a default namespace). */
function names(defaultNs) {
  const d = defaultNs ? '' : 'd:';
  return { d, cal: 'cal:' };
}

function collectionResponse() {
  return (
    '<d:response>' +
    `<d:href>${COLLECTION}</d:href>` +
    '<d:propstat><d:prop>' +
    '<d:resourcetype><d:collection/><cal:calendar/></d:resourcetype>' +
    '<d:displayname>Work</d:displayname>' +
    '<cs:getctag>"http://sabre.io/ns/sync/4711"</cs:getctag>' +
    '<d:getlastmodified>Mon, 01 Jan 2024 08:00:00 GMT</d:getlastmodified>' +
    '</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>' +
    '<d:propstat><d:prop><d:getetag/><d:getcontenttype/><cal:calendar-data/></d:prop>' +
    '<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>' +
    '</d:response>\n'
  );
}

function eventResponse(rand, i, expected) {
  const id = uuid(rand);
  const href = `${COLLECTION}${id}.ics`;
  const ics = vevent(rand, id, i);
  const cdata = i % 2 === 0;
  const defaultNs = i % 8 === 3;
  // Some ETags look like numbers with leading zeros: they must stay strings.
  const etag = i % 11 === 0 ? `"${pad(i % 1000, 4)}"` : `"${hex(rand, 16)}"`;
  const lastModified = httpDate(dateParts(i * 13));
  let displayname;
  if (i % 5 === 0) displayname = i % 10 === 0 ? '2024.10' : `Événement ${i}`;
  const missing = i % 3 === 0 ? `<cs:getctag/>` : `<ical:calendar-color xmlns:ical="${ICAL}"/>`;
  const { d, cal } = names(defaultNs);
  const open = defaultNs ? `<response xmlns="${DAV}" xmlns:cal="${CALDAV}">` : '<d:response>';
  const data = cdata ? `<![CDATA[${ics}]]>` : escapeText(ics);
  const xml =
    open +
    `<${d}href>${href}</${d}href>` +
    `<${d}propstat><${d}prop>` +
    `<${d}getetag>${etag}</${d}getetag>` +
    `<${d}getcontenttype>text/calendar; charset=utf-8; component=vevent</${d}getcontenttype>` +
    `<${d}getlastmodified>${lastModified}</${d}getlastmodified>` +
    `<${d}resourcetype/>` +
    (displayname === undefined ? '' : `<${d}displayname>${escapeText(displayname)}</${d}displayname>`) +
    `<${cal}calendar-data>${data}</${cal}calendar-data>` +
    `</${d}prop><${d}status>HTTP/1.1 200 OK</${d}status></${d}propstat>` +
    `<${d}propstat><${d}prop>${missing}</${d}prop><${d}status>HTTP/1.1 404 Not Found</${d}status></${d}propstat>` +
    (defaultNs ? '</response>\n' : '</d:response>\n');
  if (expected !== undefined) {
    expected.push({
      href,
      etag,
      ics,
      cdata,
      defaultNs,
      missing: i % 3 === 0 ? `{${CS}}getctag` : `{${ICAL}}calendar-color`,
    });
  }
  return xml;
}

/**
 * @param {number} n total responses (collection + n - 1 events)
 * @param {{ seed?: number, withExpected?: boolean }} [options]
 * @returns {{ bytes: Buffer, expected: object[] | undefined, n: number }}
 */
function generate(n, options = {}) {
  const rand = prng(options.seed ?? 0xda76a7e);
  const expected = options.withExpected ? [] : undefined;
  const parts = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    `<d:multistatus xmlns:d="${DAV}" xmlns:cal="${CALDAV}" xmlns:cs="${CS}">\n`,
    collectionResponse(),
  ];
  for (let i = 1; i < n; i++) parts.push(eventResponse(rand, i, expected));
  parts.push('</d:multistatus>\n');
  return { bytes: Buffer.from(parts.join(''), 'utf8'), expected, n };
}

module.exports = { generate, COLLECTION, NS: { DAV, CALDAV, CS, ICAL } };

if (require.main === module) {
  const n = Number(process.argv[2] ?? 3);
  process.stdout.write(generate(n).bytes);
}
