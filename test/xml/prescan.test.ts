import { CR_MARK, protectCarriageReturns } from '../../src/xml/prescan';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';
import type { PropStatResponse } from '../../src/model/multistatus';

const M = CR_MARK;

describe('protectCarriageReturns', () => {
  it('leaves a body without CR as it is', () => {
    const xml = '<a>x</a>';
    expect(protectCarriageReturns(xml)).toBe(xml);
  });

  it('marks CRs of text and CDATA, and leaves those of markup to the parser', () => {
    expect(protectCarriageReturns('<a\r\n b="1\r">t\r\n<![CDATA[c\r\n]]><!-- x\r --><?p \r?></a\r\n>\r\n'))
      .toBe(`<a\r\n b="1\r">t${M}\n<![CDATA[c${M}\n]]><!-- x\r --><?p \r?></a\r\n>\r\n`);
  });

  it('is not fooled by > inside a quoted attribute value', () => {
    expect(protectCarriageReturns(`<a x=">" y='>'\r\n z="1">t\r</a>`)).toBe(`<a x=">" y='>'\r\n z="1">t${M}</a>`);
  });

  it('is not fooled by < and > inside CDATA', () => {
    expect(protectCarriageReturns('<a><![CDATA[<b>\r\n</b>]]>\r</a>')).toBe(`<a><![CDATA[<b>${M}\n</b>]]>${M}</a>`);
  });
});

describe('CR handling through the parser', () => {
  it('parses CR LF line breaks inside tags and keeps those in values', () => {
    const ms = parseMultiStatus('<D:multistatus\r\n xmlns:D="DAV:"\r\n><D:response\r\n><D:href>/a</D:href><D:propstat><D:prop><D:x\r\n a="1"\r\n>v\r\nw</D:x></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>\r\n');
    expect((ms.responses[0] as PropStatResponse).propstats[0]?.props.get('{DAV:}x')).toEqual({ attrs: new Map([['a', '1']]), value: 'v\r\nw' });
  });
});
