import { XMLValidator } from 'fast-xml-parser';
import { dav } from '../../src/model/clark';
import type { MultiStatus, PropStatResponse } from '../../src/model/multistatus';
import { statusOf } from '../../src/model/status';
import { buildMultiStatus, buildMultiStatusChunks } from '../../src/xml/build-multistatus';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';

const C = 'urn:ietf:params:xml:ns:caldav';
const withText = (value: string, name = dav('displayname')): MultiStatus => ({
  responses: [{ kind: 'propstat', href: '/a', propstats: [{ status: statusOf(200), props: new Map([[name, { value }]]) }] }],
});
const textBack = (xml: string, name = dav('displayname')) => (parseMultiStatus(xml).responses[0] as PropStatResponse).propstats[0]?.props.get(name)?.value;

const sample: MultiStatus = {
  responses: [
    { kind: 'status', hrefs: ['/x/1', '/x/2'], status: statusOf(423), error: { conditions: [{ name: dav('lock-token-submitted'), value: [{ name: dav('href'), value: '/x/' }] }] } },
    {
      kind: 'propstat', href: '/cal/a.ics', description: 'd', location: '/cal/b.ics',
      propstats: [
        { status: statusOf(200), props: new Map([[`{${C}}calendar-data`, { value: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' }], ['{urn:a}x', { value: null }], ['{urn:b}x', { value: [{ name: '{urn:c}y', value: 'z' }] }]]) },
        { status: { code: 404, line: 'HTTP/1.0 404' }, props: new Map([['plain', { value: null }]]) },
      ],
    },
  ],
  syncToken: 'http://s/1',
  description: 'top',
};

describe('buildMultiStatus', () => {
  const xml = buildMultiStatus(sample);

  it('writes well-formed XML that parses back to the same model', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parseMultiStatus(xml)).toEqual(sample);
  });

  it('declares every namespace once, on the root, and no default namespace', () => {
    const declarations = xml.match(/xmlns(:\w+)?="[^"]*"/g) ?? [];
    expect(declarations).toHaveLength(new Set(declarations.map((d) => d.split('=')[1])).size);
    expect(xml.slice(xml.indexOf('>', xml.indexOf('<D:multistatus'))).includes('xmlns')).toBe(false);
    expect(declarations.some((d) => d.startsWith('xmlns='))).toBe(false);
    expect(declarations).toEqual(expect.arrayContaining(['xmlns:D="DAV:"', `xmlns:C="${C}"`]));
  });

  it('puts the responses inside the root whatever its namespace URIs hold (a marker, quotes, <)', () => {
    for (const ns of ['urn:x@@davgate-responses@@', 'urn:"@@davgate-content@@"', 'urn:a"b<c&d']) {
      const name = `{${ns}}p`;
      const built = buildMultiStatus(withText('v', name));
      expect(textBack(built, name)).toBe('v');
      expect(Array.from(buildMultiStatusChunks(withText('v', name))).join('')).toBe(built);
    }
  });

  it('never writes a response with both a status and propstats', () => {
    for (const response of xml.match(/<D:response>[\s\S]*?<\/D:response>/g) ?? []) {
      const statusOutside = response.replace(/<D:propstat>[\s\S]*?<\/D:propstat>/g, '').includes('<D:status>');
      expect(statusOutside && response.includes('<D:propstat>')).toBe(false);
    }
  });

  it('puts the description and then the sync-token after the responses (RFC 6578 §6.4)', () => {
    expect(xml.indexOf('<D:responsedescription>top')).toBeGreaterThan(xml.lastIndexOf('</D:response>'));
    expect(xml.indexOf('<D:sync-token>')).toBeGreaterThan(xml.indexOf('<D:responsedescription>top'));
  });

  it.each([
    ['&', 'a & b'],
    ['<', 'a < b'],
    [']]>', 'x ]]> y'],
    ['text that looks like an entity', 'a&lt;b &amp; &#13; &nbsp;'],
    ['CR LF', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'],
    ['a lone CR', 'a\rb'],
    ['quotes and tabs', `"q" 'a'\tb`],
    ['astral characters', '😀 𝄞'],
  ])('escapes %s so it survives the round trip', (_what, text) => {
    const built = buildMultiStatus(withText(text));
    expect(textBack(built)).toBe(text);
    expect(built).not.toContain('\r');
  });

  it('keeps attribute values with LF, TAB, CR, & and quotes', () => {
    const value = 'a\nb\tc\rd&e"f\'<g>';
    const ms: MultiStatus = { responses: [{ kind: 'propstat', href: '/a', propstats: [{ status: statusOf(200), props: new Map([[dav('x'), { attrs: new Map([['v', value], ['{urn:q}w', value]]), value: null }]]) }] }] };
    expect(parseMultiStatus(buildMultiStatus(ms))).toEqual(ms);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a C0 control', '\u0007'],
    ['U+FFFE', '\uFFFE'],
    ['a lone surrogate', '\uD83D'],
  ])('refuses %s with a clear error naming where it is', (_what, text) => {
    expect(() => buildMultiStatus(withText(text))).toThrow(expect.objectContaining({ code: 'XML_UNREPRESENTABLE', message: expect.stringContaining('responses[0] propstats[0] {DAV:}displayname') }));
  });

  it('refuses an unrepresentable href or status line too', () => {
    expect(() => buildMultiStatus({ responses: [{ kind: 'status', hrefs: ['/a\u0000'], status: statusOf(200) }] })).toThrow(expect.objectContaining({ code: 'XML_UNREPRESENTABLE' }));
  });
});

describe('buildMultiStatusChunks', () => {
  it('streams the prolog and root, one piece per response, then the closing part', () => {
    const chunks = Array.from(buildMultiStatusChunks(sample));
    expect(chunks).toHaveLength(sample.responses.length + 3);
    expect(chunks[0]).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><D:multistatus [^>]*>$/);
    expect(chunks.slice(1, 3).every((c) => c.startsWith('<D:response>') && c.endsWith('</D:response>'))).toBe(true);
    expect(chunks[chunks.length - 1]).toBe('</D:multistatus>');
    expect(chunks.join('')).toBe(buildMultiStatus(sample));
  });

  it('an empty multistatus is still a complete document', () => {
    expect(parseMultiStatus(buildMultiStatus({ responses: [] }))).toEqual({ responses: [] });
  });
});
