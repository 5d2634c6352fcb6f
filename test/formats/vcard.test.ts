import { jcardToVcard, vcardToJcard } from '../../src/formats/vcard';
import { inputError } from './input-error';

const crlf = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;

const NON_ASCII_FN = 'Jürgen Müller-Łukasiewicz 東京 🎉';

/** vCard 3.0, what Radicale and most CardDAV servers store, with groups, multi-valued parameters and structured values. */
const V3 = crlf(
  'BEGIN:VCARD', 'VERSION:3.0', 'UID:juergen@test', `FN:${NON_ASCII_FN}`, 'N:Müller-Łukasiewicz;Jürgen;;Dr.;',
  'TEL;TYPE=CELL,VOICE:+49 30 1234', 'EMAIL;TYPE=INTERNET,WORK:j@example.org', 'BDAY:1990-01-02',
  'ADR;TYPE=HOME:;;Main St 1\\, Apt 2;Zürich;;8000;CH', 'NOTE:one\\ntwo', 'item1.X-ABLABEL:Custom', 'CATEGORIES:friends,work',
  'END:VCARD',
);

/** vCard 4.0 (RFC 6350): URI values, partial dates, an RFC 6868 escaped parameter. */
const V4 = crlf(
  'BEGIN:VCARD', 'VERSION:4.0', 'UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1', 'FN:Zoë', 'N:;Zoë;;;',
  'TEL;VALUE=uri;TYPE="voice,cell":tel:+1-555-555-5555', 'BDAY:--0203', 'ANNIVERSARY:20090808T1430-0500', 'GENDER:F',
  'ADR;LABEL="Main St^n8000 Zürich":;;Main St;Zürich;;8000;CH',
  'END:VCARD',
);

function jcardOf(vcard: string): unknown {
  const parsed = vcardToJcard(vcard);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.json;
}

const props = (jcard: unknown): unknown[][] => (jcard as [string, unknown[][]])[1];

describe('vcardToJcard (RFC 7095)', () => {
  it('reads a vCard 3.0 with non-ASCII text, structured values, groups and multi-valued parameters', () => {
    const jcard = jcardOf(V3);
    expect((jcard as unknown[])[0]).toBe('vcard');
    expect(props(jcard)).toEqual([
      ['version', {}, 'text', '3.0'],
      ['uid', {}, 'text', 'juergen@test'],
      ['fn', {}, 'text', NON_ASCII_FN],
      ['n', {}, 'text', ['Müller-Łukasiewicz', 'Jürgen', '', 'Dr.', '']],
      ['tel', { type: ['CELL', 'VOICE'] }, 'phone-number', '+49 30 1234'],
      ['email', { type: ['INTERNET', 'WORK'] }, 'text', 'j@example.org'],
      ['bday', {}, 'date', '1990-01-02'],
      ['adr', { type: 'HOME' }, 'text', ['', '', 'Main St 1, Apt 2', 'Zürich', '', '8000', 'CH']],
      ['note', {}, 'text', 'one\ntwo'],
      // RFC 7095 §3.3.1.2: a property group becomes the "group" parameter.
      ['x-ablabel', { group: 'item1' }, 'unknown', 'Custom'],
      ['categories', {}, 'text', 'friends', 'work'],
    ]);
  });

  it('reads vCard 4.0 value types and an RFC 6868 escaped parameter', () => {
    const p = props(jcardOf(V4));
    expect(p).toContainEqual(['tel', { type: ['voice', 'cell'] }, 'uri', 'tel:+1-555-555-5555']);
    expect(p).toContainEqual(['bday', {}, 'date-and-or-time', '--02-03']);
    expect(p).toContainEqual(['adr', { label: 'Main St\n8000 Zürich' }, 'text', ['', '', 'Main St', 'Zürich', '', '8000', 'CH']]);
  });

  it.each([
    ['not a vCard', 'FN Zoë', /invalid line/],
    ['empty text', '', /expected one VCARD component, found 0/],
    ['two vCards in one object (RFC 6352 §5.1)', V3 + V3, /found 2/],
    ['an iCalendar object', crlf('BEGIN:VCALENDAR', 'VERSION:2.0', 'END:VCALENDAR'), /expected a VCARD component, found VCALENDAR/],
  ])('reports %s as a parse error, without throwing', (_, text, message) => {
    const parsed = vcardToJcard(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(message);
  });
});

describe('jcardToVcard', () => {
  it.each([['3.0', V3], ['4.0', V4]])('round-trips vCard %s: vcard → jCard → vcard reads back to the same jCard', (_, vcard) => {
    const jcard = jcardOf(vcard);
    const text = jcardToVcard(jcard);
    expect(jcardOf(text)).toEqual(jcard);
    expect(text).not.toMatch(/(?<!\r)\n|\r(?!\n)/);
    expect(text.endsWith('END:VCARD\r\n')).toBe(true);
  });

  it('writes a group, structured values with escapes, and an RFC 6868 parameter', () => {
    const text = jcardToVcard(['vcard', [
      ['version', {}, 'text', '4.0'],
      ['fn', {}, 'text', NON_ASCII_FN],
      ['adr', { label: 'Main St\n"Zürich"' }, 'text', ['', '', 'Main St 1, Apt 2', 'Zürich', '', '8000', 'CH']],
      ['x-ablabel', { group: 'item1' }, 'unknown', 'Custom'],
    ], []]);
    expect(text).toBe(crlf(
      'BEGIN:VCARD', 'VERSION:4.0', `FN:${NON_ASCII_FN}`,
      "ADR;LABEL=Main St^n^'Zürich^':;;Main St 1\\, Apt 2;Zürich;;8000;CH",
      'ITEM1.X-ABLABEL:Custom', 'END:VCARD',
    ));
  });

  it.each([
    ['null', null, 'jcard'],
    ['a jCal', ['vcalendar', [], []], 'jcard[0]'],
    ['an array of jCards', [['vcard', [], []]], 'jcard'],
    ['a property without a value', ['vcard', [['fn', {}, 'text']], []], 'jcard[1][0]'],
    ['an upper-case name', ['vcard', [['FN', {}, 'text', 'x']], []], 'jcard[1][0][0]'],
    ['a CR in a structured value', ['vcard', [['n', {}, 'text', ['a\r', '', '', '', '']]], []], 'jcard[1][0][3][0]'],
    ['a value nested three arrays deep', ['vcard', [['adr', {}, 'text', [[['x']]]]], []], 'jcard[1][0][3][0][0]'],
    ['an object value outside recur', ['vcard', [['fn', {}, 'text', { a: 'b' }]], []], 'jcard[1][0][3]'],
  ])('refuses %s with INPUT_INVALID at the right path', (_, jcard, path) => {
    expect(inputError(() => jcardToVcard(jcard)).position?.path).toBe(path);
  });

  it('never lets a line break in a value start a content line: escaped where the type allows, refused where not', () => {
    const url = (version: string, type: string) => ['vcard', [['version', {}, 'text', version], ['url', {}, type, 'https://example.org/\nTEL:+1']], []];
    // vCard 4.0 escapes it in a URI value too; vCard 3.0 URIs and unknown types cannot carry it.
    expect(jcardToVcard(url('4.0', 'uri'))).toContain('\r\nURL:https://example.org/\\nTEL:+1\r\n');
    inputError(() => jcardToVcard(url('3.0', 'uri')));
    inputError(() => jcardToVcard(url('4.0', 'unknown')));
  });
});

describe('jCard in the RFC 7095 §3.2 form', () => {
  it('is ["vcard", properties] both ways: no component list out, none needed in', () => {
    const parsed = vcardToJcard('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Åsa\r\nEND:VCARD\r\n');
    expect(parsed.ok && parsed.json).toEqual(['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'Åsa']]]);
    expect(jcardToVcard(['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'Åsa']]])).toBe('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Åsa\r\nEND:VCARD\r\n');
    expect(jcardToVcard(['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'Åsa']], []])).toBe('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Åsa\r\nEND:VCARD\r\n');
  });
});
