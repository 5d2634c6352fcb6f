import { DavgateError } from '../../src/model/errors';
import type { PropStatResponse } from '../../src/model/multistatus';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';

/** The code a body is refused with, or 'accepted'. */
function refusal(body: string | Uint8Array, limits = {}): string {
  try {
    parseMultiStatus(body, limits);
    return 'accepted';
  } catch (error) {
    if (error instanceof DavgateError) return error.code;
    throw error; // anything untyped fails the test
  }
}

const VALID = '<?xml version="1.0"?>\n<D:multistatus xmlns:D="DAV:">\n<D:response>\n<D:href>/a</D:href>\n<D:propstat><D:prop><D:displayname>x</D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>\n</D:response>\n</D:multistatus>';

describe('hostile upstream bodies get a typed error with a stable code (DESIGN.md invariant 4)', () => {
  it('DOCTYPE with entity declarations (billion laughs)', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><D:multistatus xmlns:D="DAV:">&lol9;</D:multistatus>`;
    expect(refusal(laughs)).toBe('XML_DOCTYPE_FORBIDDEN');
  });

  it('external entities', () => {
    expect(refusal('<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><D:multistatus xmlns:D="DAV:">&x;</D:multistatus>')).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(refusal('<!DOCTYPE D:multistatus SYSTEM "http://evil.example/dtd"><D:multistatus xmlns:D="DAV:"/>')).toBe('XML_DOCTYPE_FORBIDDEN');
  });

  it('declarations hidden after the root start, where the validator does not look', () => {
    expect(refusal('<D:multistatus xmlns:D="DAV:"><!ENTITY x "y"></D:multistatus>')).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(refusal('<D:multistatus xmlns:D="DAV:"><!DOCTYPE x></D:multistatus>')).toBe('XML_DOCTYPE_FORBIDDEN');
  });

  it('but "<!DOCTYPE" inside CDATA or a comment is data', () => {
    expect(refusal(VALID.replace('>x<', '><![CDATA[<!DOCTYPE html>]]><').replace('<D:response>', '<!-- <!ENTITY --><D:response>'))).toBe('accepted');
  });

  it('an entity that is not defined, and a bare ampersand', () => {
    expect(refusal(VALID.replace('>x<', '>&nbsp;<'))).toBe('XML_UNDEFINED_ENTITY');
    expect(refusal(VALID.replace('>x<', '>&__proto__;<'))).toBe('XML_UNDEFINED_ENTITY');
    expect(refusal(VALID.replace('>x<', '>a & b<'))).toBe('XML_MALFORMED');
  });

  it.each([
    ['after the prolog', VALID.indexOf('<D:multistatus') + 10],
    ['between elements', VALID.indexOf('</D:response>')],
    ['inside a start tag', VALID.indexOf('<D:href>') + 4],
    ['inside text', VALID.indexOf('/a<') + 1],
    ['before the last closing tag', VALID.lastIndexOf('</D:multistatus>')],
    ['inside the last closing tag', VALID.length - 3],
  ])('XML truncated %s is never a partial document', (_where, at) => {
    expect(refusal(VALID.slice(0, at))).toMatch(/^XML_(TRUNCATED|MALFORMED)$/);
  });

  it('truncation between elements is reported as truncation, with where it ended', () => {
    const cut = VALID.slice(0, VALID.indexOf('</D:response>'));
    expect(() => parseMultiStatus(cut)).toThrow(expect.objectContaining({ code: 'XML_TRUNCATED', position: { line: 5, column: expect.any(Number) } }));
  });

  it('a stray or mismatched closing tag (fast-xml-parser alone accepts it)', () => {
    expect(refusal(VALID.replace('</D:href>', '</D:href></D:prop>'))).toBe('XML_MALFORMED');
    expect(refusal(VALID.replace('</D:href>', '</D:hrof>'))).toBe('XML_MALFORMED');
    expect(refusal(`${VALID}</D:multistatus>`)).toBe('XML_MALFORMED');
  });

  it('nesting thousands deep', () => {
    for (const depth of [1000, 100000]) {
      const deep = `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:propstat><D:prop>${'<D:x>'.repeat(depth)}${'</D:x>'.repeat(depth)}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`;
      expect(refusal(deep)).toBe('XML_TOO_DEEP');
    }
  });

  it('the depth limit is configurable', () => {
    const nested = VALID.replace('>x<', '><D:a><D:b><D:c/></D:b></D:a><');
    expect(refusal(nested, { maxDepth: 6 })).toBe('XML_TOO_DEEP');
    expect(refusal(nested, { maxDepth: 9 })).toBe('accepted');
  });

  it('element and attribute names like __proto__ and constructor neither pollute nor get lost', () => {
    const names = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
    const props = names.map((n) => `<${n} xmlns="urn:x" __proto__="p" constructor="c">${n}</${n}>`).join('');
    const ms = parseMultiStatus(VALID.replace('<D:displayname>x</D:displayname>', props));
    const got = (ms.responses[0] as PropStatResponse).propstats[0]?.props;
    expect([...(got?.keys() ?? [])]).toEqual(names.map((n) => `{urn:x}${n}`));
    expect(got?.get('{urn:x}__proto__')).toEqual({ attrs: new Map([['__proto__', 'p'], ['constructor', 'c']]), value: '__proto__' });
    expect(({} as Record<string, unknown>)['p']).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('invalid UTF-8', () => {
    const bytes = Buffer.from(VALID);
    const bad = Buffer.concat([bytes.subarray(0, 60), Buffer.from([0xc3, 0x28]), bytes.subarray(60)]);
    expect(() => parseMultiStatus(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ENCODING', message: expect.stringContaining('byte 60') }));
    expect(refusal(Buffer.concat([bytes, Buffer.from([0xff])]))).toBe('INVALID_ENCODING');
    expect(refusal(Buffer.concat([bytes.subarray(0, 60), Buffer.from([0xed, 0xa0, 0x80]), bytes.subarray(60)]))).toBe('INVALID_ENCODING');
  });

  it('an encoding davgate cannot read', () => {
    expect(refusal(Buffer.from(`<?xml version="1.0" encoding="x-no-such-charset"?>${VALID.slice(22)}`))).toBe('UNSUPPORTED_ENCODING');
  });

  it('a body over the configured size limit, as bytes or as text, before any parsing', () => {
    expect(refusal(Buffer.from(VALID), { maxBytes: 100 })).toBe('BODY_TOO_LARGE');
    expect(refusal(VALID, { maxBytes: 100 })).toBe('BODY_TOO_LARGE');
    expect(refusal('é'.repeat(60), { maxBytes: 100 })).toBe('BODY_TOO_LARGE');
    expect(refusal(VALID, { maxBytes: VALID.length })).toBe('accepted');
  });

  it('a root that is not {DAV:}multistatus', () => {
    expect(refusal('<multistatus/>')).toBe('NOT_MULTISTATUS');
    expect(refusal('<D:multistatus xmlns:D="urn:not-dav"/>')).toBe('NOT_MULTISTATUS');
    expect(refusal('<D:error xmlns:D="DAV:"><D:lock-token-submitted/></D:error>')).toBe('NOT_MULTISTATUS');
    expect(refusal('<html><body>502 Bad Gateway</body></html>')).toBe('NOT_MULTISTATUS');
  });

  it('characters XML cannot carry, raw or as references', () => {
    expect(refusal(VALID.replace('>x<', '>\u0000<'))).toBe('XML_INVALID_CHAR');
    expect(refusal(VALID.replace('>x<', '>\u001b<'))).toBe('XML_INVALID_CHAR');
    expect(refusal(VALID.replace('>x<', '>\uFFFF<'))).toBe('XML_INVALID_CHAR');
    expect(refusal(VALID.replace('>x<', '>\uD800<'))).toBe('XML_INVALID_CHAR');
    expect(refusal(VALID.replace('>x<', '>&#0;<'))).toBe('XML_INVALID_CHAR');
    expect(refusal(VALID.replace('>x<', '>&#xD800;<'))).toBe('XML_INVALID_CHAR');
    expect(refusal(VALID.replace('>x<', '>&#1114112;<'))).toBe('XML_INVALID_CHAR');
  });

  it.each([
    ['an empty body', ''],
    ['white space', '  \n'],
    ['text', 'Internal Server Error'],
    ['two roots', '<D:multistatus xmlns:D="DAV:"/><D:multistatus xmlns:D="DAV:"/>'],
    ['text after the root', `${VALID}trailing`],
    ['a repeated attribute', '<D:multistatus xmlns:D="DAV:" a="1" a="2"/>'],
    ['an unterminated CDATA section', VALID.replace('>x<', '><![CDATA[x<')],
    ['an unterminated comment', VALID.replace('>x<', '><!-- x<')],
  ])('%s', (_what, body) => {
    expect(refusal(body)).toMatch(/^XML_(MALFORMED|TRUNCATED)$/);
  });

  it('tells where the problem is', () => {
    expect(() => parseMultiStatus(VALID.replace('</D:href>', '</D:hrof>'))).toThrow(expect.objectContaining({ position: { line: 4, column: expect.any(Number) } }));
    expect(() => parseMultiStatus(VALID.replace('>x<', '>\u0001<'))).toThrow(expect.objectContaining({ position: { line: 5, column: 36 } }));
  });
});
