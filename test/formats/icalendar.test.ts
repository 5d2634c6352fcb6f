import { icsToJcal, jcalToIcs } from '../../src/formats/icalendar';
import { inputError } from './input-error';

const crlf = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;

const NON_ASCII = 'Réunion à Zürich — 東京 🎉';

const samples: Record<string, string> = {
  'a timed event with a non-ASCII summary and escaped text': crlf(
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//davgate//test//EN',
    'BEGIN:VEVENT', 'UID:zurich@test', 'DTSTAMP:20240101T000000Z', 'DTSTART:20240305T090000Z', 'DTEND:20240305T100000Z',
    `SUMMARY:${NON_ASCII}`, 'DESCRIPTION:Line one\\nLine two\\, with a comma\\; and a semicolon', 'END:VEVENT', 'END:VCALENDAR',
  ),
  'an all-day event': crlf(
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//davgate//test//EN',
    'BEGIN:VEVENT', 'UID:allday@test', 'DTSTAMP:20240101T000000Z', 'DTSTART;VALUE=DATE:20240306', 'DTEND;VALUE=DATE:20240307', 'SUMMARY:Holiday', 'END:VEVENT', 'END:VCALENDAR',
  ),
  'a recurring event in a time zone, with an exception, an alarm and parameters': crlf(
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//davgate//test//EN',
    'BEGIN:VTIMEZONE', 'TZID:Europe/Zurich',
    'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'END:STANDARD',
    'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'END:DAYLIGHT',
    'END:VTIMEZONE',
    'BEGIN:VEVENT', 'UID:weekly@test', 'DTSTAMP:20240101T000000Z', 'DTSTART;TZID=Europe/Zurich:20240101T100000', 'DURATION:PT1H',
    'RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20241231T235959Z', 'EXDATE;TZID=Europe/Zurich:20240103T100000',
    'ATTENDEE;CN="Zoë, PhD";PARTSTAT=ACCEPTED:mailto:zoe@example.org', 'X-DAVGATE-NOTE;X-PARAM=a:free text',
    'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT15M', 'DESCRIPTION:Soon', 'END:VALARM',
    'END:VEVENT', 'END:VCALENDAR',
  ),
  'a long line folded inside a multi-byte character sequence': crlf(
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//davgate//test//EN',
    'BEGIN:VTODO', 'UID:todo@test', 'DTSTAMP:20240101T000000Z', `SUMMARY:${'ü🎉'.repeat(20)}`, 'END:VTODO', 'END:VCALENDAR',
  ),
};

function jcalOf(ics: string): unknown {
  const parsed = icsToJcal(ics);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.json;
}

describe('icsToJcal (RFC 7265)', () => {
  it('reads properties with their value types, non-ASCII text and escapes', () => {
    expect(jcalOf(samples['a timed event with a non-ASCII summary and escaped text'] as string)).toEqual([
      'vcalendar',
      [['version', {}, 'text', '2.0'], ['prodid', {}, 'text', '-//davgate//test//EN']],
      [[
        'vevent',
        [
          ['uid', {}, 'text', 'zurich@test'],
          ['dtstamp', {}, 'date-time', '2024-01-01T00:00:00Z'],
          ['dtstart', {}, 'date-time', '2024-03-05T09:00:00Z'],
          ['dtend', {}, 'date-time', '2024-03-05T10:00:00Z'],
          ['summary', {}, 'text', NON_ASCII],
          ['description', {}, 'text', 'Line one\nLine two, with a comma; and a semicolon'],
        ],
        [],
      ]],
    ]);
  });

  it('reads a DATE value, a recurrence rule, a TZID and a quoted parameter', () => {
    const allday = jcalOf(samples['an all-day event'] as string) as [string, unknown[], [string, unknown[]][]];
    expect(allday[2][0]?.[1]).toContainEqual(['dtstart', {}, 'date', '2024-03-06']);
    const weekly = jcalOf(samples['a recurring event in a time zone, with an exception, an alarm and parameters'] as string) as [string, unknown[], [string, unknown[], unknown[]][]];
    const vevent = weekly[2][1];
    expect(vevent?.[1]).toContainEqual(['rrule', {}, 'recur', { freq: 'WEEKLY', byday: ['MO', 'WE'], until: '2024-12-31T23:59:59Z' }]);
    expect(vevent?.[1]).toContainEqual(['dtstart', { tzid: 'Europe/Zurich' }, 'date-time', '2024-01-01T10:00:00']);
    expect(vevent?.[1]).toContainEqual(['attendee', { cn: 'Zoë, PhD', partstat: 'ACCEPTED' }, 'cal-address', 'mailto:zoe@example.org']);
    expect(vevent?.[2]).toHaveLength(1);
  });

  it('reads LF-only text as well as CRLF', () => {
    expect(jcalOf('BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n')).toEqual(['vcalendar', [['version', {}, 'text', '2.0']], []]);
  });

  it.each([
    ['not iCalendar', 'garbage', /invalid line/],
    ['empty text', '', /expected one VCALENDAR component, found 0/],
    ['an unterminated component', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n', /did not end/],
    ['two calendars in one object (RFC 4791 §4.1)', crlf('BEGIN:VCALENDAR', 'END:VCALENDAR', 'BEGIN:VCALENDAR', 'END:VCALENDAR'), /found 2/],
    ['a vCard', crlf('BEGIN:VCARD', 'VERSION:4.0', 'FN:x', 'END:VCARD'), /expected a VCALENDAR component, found VCARD/],
  ])('reports %s as a parse error, without throwing', (_, text, message) => {
    const parsed = icsToJcal(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(message);
  });
});

describe('jcalToIcs', () => {
  it.each(Object.keys(samples))('round-trips %s: ics → jCal → ics reads back to the same jCal', (name) => {
    const jcal = jcalOf(samples[name] as string);
    const ics = jcalToIcs(jcal);
    expect(jcalOf(ics)).toEqual(jcal);
  });

  it('writes CRLF line endings and folds lines at 75 octets without splitting a character', () => {
    const ics = jcalToIcs(jcalOf(samples['a long line folded inside a multi-byte character sequence'] as string));
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics).not.toMatch(/(?<!\r)\n|\r(?!\n)/);
    const lines = ics.split('\r\n');
    expect(lines.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(0);
    for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(ics).not.toContain('\uFFFD');
  });

  it('escapes a line break in TEXT as \\n (RFC 5545 §3.3.11)', () => {
    const ics = jcalToIcs(['vcalendar', [['x-wr-calname', {}, 'text', 'a']], [['vevent', [['summary', {}, 'text', 'one\ntwo, three']], []]]]);
    expect(ics).toContain('\r\nSUMMARY:one\\ntwo\\, three\r\n');
  });

  it.each([
    ['null', null, 'jcal'],
    ['a string', 'BEGIN:VCALENDAR', 'jcal'],
    ['an array of calendars', [['vcalendar', [], []]], 'jcal'],
    ['a jCard', ['vcard', [], []], 'jcal[0]'],
    ['a component without subcomponents', ['vcalendar', []], 'jcal'],
    ['a property without a value', ['vcalendar', [['summary', {}, 'text']], []], 'jcal[1][0]'],
    ['an upper-case property name (RFC 7265 §3.4)', ['vcalendar', [['SUMMARY', {}, 'text', 'x']], []], 'jcal[1][0][0]'],
    ['a property name with a colon', ['vcalendar', [['x-a:b', {}, 'text', 'x']], []], 'jcal[1][0][0]'],
    ['a number as the value type', ['vcalendar', [['summary', {}, 5, 'x']], []], 'jcal[1][0][2]'],
    ['parameters that are not an object', ['vcalendar', [['summary', [], 'text', 'x']], []], 'jcal[1][0][1]'],
    ['an object as a parameter value', ['vcalendar', [['summary', { cn: { a: 1 } }, 'text', 'x']], []], 'jcal[1][0][1].cn'],
    ['a CR in a value', ['vcalendar', [['summary', {}, 'text', 'one\r\ntwo']], []], 'jcal[1][0][3]'],
    ['a NUL in a parameter', ['vcalendar', [['summary', { cn: 'a\u0000' }, 'text', 'x']], []], 'jcal[1][0][1].cn'],
    ['an object as a TEXT value', ['vcalendar', [['summary', {}, 'text', { a: 1 }]], []], 'jcal[1][0][3]'],
    ['an infinite number', ['vcalendar', [['priority', {}, 'integer', Infinity]], []], 'jcal[1][0][3]'],
    ['a subcomponent that is not an array', ['vcalendar', [], ['vevent']], 'jcal[2][0]'],
  ])('refuses %s with INPUT_INVALID at the right path', (_, jcal, path) => {
    expect(inputError(() => jcalToIcs(jcal)).position?.path).toBe(path);
  });

  it('refuses a line break in a value whose type cannot escape it, which would inject content lines', () => {
    const injected = ['vcalendar', [], [['vevent', [['url', {}, 'uri', 'http://example.org/\nATTENDEE:mailto:evil@example.org']], []]]];
    expect(inputError(() => jcalToIcs(injected)).message).toContain('cannot be written');
    const unknown = ['vcalendar', [['x-note', {}, 'unknown', 'a\nEND:VCALENDAR']], []];
    inputError(() => jcalToIcs(unknown));
  });

  it('refuses components nested deeper than 16 levels instead of recursing without bound', () => {
    let jcal: unknown[] = ['x-leaf', [], []];
    for (let i = 0; i < 100; i++) jcal = ['x-nest', [], [jcal]];
    inputError(() => jcalToIcs(['vcalendar', [], [jcal]]));
  });
});
