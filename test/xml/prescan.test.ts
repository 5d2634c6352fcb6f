import { dav } from '../../src/model/clark';
import type { PropStatResponse } from '../../src/model/multistatus';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';

const value = (xml: string, name = dav('x')) => (parseMultiStatus(xml).responses[0] as PropStatResponse).propstats[0]?.props.get(name);
const wrap = (prop: string, nl = '\r\n') =>
  `<?xml version="1.0"${nl} encoding="utf-8"?>${nl}<D:multistatus${nl} xmlns:D="DAV:"${nl}>${nl}<D:response${nl}>${nl}<D:href>/a</D:href${nl}>${nl}` +
  `<D:propstat><D:prop>${prop}</D:prop>${nl}<D:status>HTTP/1.1 200 OK</D:status></D:propstat>${nl}</D:response>${nl}</D:multistatus${nl}>${nl}`;

describe('carriage returns', () => {
  it('CR LF line breaks anywhere in the markup give the same model as LF ones', () => {
    const prop = '<D:x a="1" b="2"/>';
    expect(parseMultiStatus(wrap(prop))).toEqual(parseMultiStatus(wrap(prop, '\n')));
  });

  it('line breaks inside tags: before "=", between attributes, before ">", in namespace declarations and closing tags', () => {
    const prop = '<D:x\r\n a\r\n=\r\n"1"\r\n xmlns:Q\r\n="urn:q"\r\n Q:b="2"\r\n>v\r\nw</D:x\r\n>';
    expect(value(wrap(prop))).toEqual({ attrs: new Map([['a', '1'], ['{urn:q}b', '2']]), value: 'v\r\nw' });
  });

  it('keeps the CRs of text, CDATA and attribute values, and not the line breaks between elements', () => {
    expect(value(wrap('<D:x>a\r\n<![CDATA[b\r\n]]>c\r</D:x>'))).toEqual({ value: 'a\r\nb\r\nc\r' });
    expect(value(wrap('<D:x v="1\r\n2"/>'))).toEqual({ attrs: new Map([['v', '1\r\n2']]), value: null });
    expect(value(wrap('<D:x>\r\n  <D:y/>\r\n</D:x>'))).toEqual({ value: [{ name: dav('y'), value: null }] });
    expect(value(wrap('<D:x>\r\n</D:x>'))).toEqual({ value: '\r\n' });
  });

  it('keeps CRs in mixed content', () => {
    expect(value(wrap('<D:x>a\r\n<D:y/>\r\n</D:x>'))).toEqual({ value: ['a\r\n', { name: dav('y'), value: null }, '\r\n'] });
  });

  it('still keeps CRs when the document itself holds U+2028 (another stand-in is chosen)', () => {
    expect(value(wrap('<D:x a="\u2028">\u2028\r\n\u2029</D:x>'))).toEqual({ attrs: new Map([['a', '\u2028']]), value: '\u2028\r\n\u2029' });
  });

  it('falls back to XML end-of-line handling only when every stand-in already occurs', () => {
    const all = '\u2028\u2029\u205F\u3000\u1680\u202F\u2009\u200A\u2007\u2008';
    expect(value(wrap(`<D:x>${all}\r\n</D:x>`))).toEqual({ value: `${all}\n` });
  });
});
