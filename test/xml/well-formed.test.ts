import { XMLValidator } from 'fast-xml-parser';
import fc from 'fast-check';
import { DavgateError } from '../../src/model/errors';
import { checkWellFormed } from '../../src/xml/well-formed';

const verdict = (xml: string, maxDepth = 64): string => {
  try {
    checkWellFormed(xml, maxDepth);
    return 'ok';
  } catch (error) {
    if (error instanceof DavgateError) return error.code;
    throw error;
  }
};

describe('checkWellFormed', () => {
  it.each([
    '<a/>',
    '<?xml version="1.0" encoding="utf-8"?>\n<!-- c --><a/>\n<?pi x?>\n',
    '<a:b xmlns:a="u" x = "1" y=\'2>\' z="a b=c"><c><![CDATA[<x></y>]]></c>t &amp; t<d/></a:b >',
    '<a\r\n b="1"\r\n/>',
    '<é:ü xmlns:é="u"><_x.y-z/></é:ü>',
    '<a x="&lt;!DOCTYPE"><!-- <!DOCTYPE x> --></a>',
  ])('accepts %j', (xml) => {
    expect(verdict(xml)).toBe('ok');
  });

  it.each([
    ['<a>', 'XML_TRUNCATED'],
    ['<a><b></b>', 'XML_TRUNCATED'],
    ['<a><b', 'XML_TRUNCATED'],
    ['<a><b x="1', 'XML_TRUNCATED'],
    ['<a></a', 'XML_TRUNCATED'],
    ['<a><!-- x', 'XML_TRUNCATED'],
    ['<a><![CDATA[ x', 'XML_TRUNCATED'],
    ['<a><?pi', 'XML_TRUNCATED'],
    ['<a><!', 'XML_TRUNCATED'],
    ['', 'XML_MALFORMED'],
    ['text', 'XML_MALFORMED'],
    ['<a/>text', 'XML_MALFORMED'],
    ['<a/><b/>', 'XML_MALFORMED'],
    ['<a></b>', 'XML_MALFORMED'],
    ['<a><b></a></b>', 'XML_MALFORMED'],
    ['<a></ab>', 'XML_MALFORMED'],
    ['</a>', 'XML_MALFORMED'],
    ['<a></a></a>', 'XML_MALFORMED'],
    ['< a/>', 'XML_MALFORMED'],
    ['<1a/>', 'XML_MALFORMED'],
    ['<a b/>', 'XML_MALFORMED'],
    ['<a b=1/>', 'XML_MALFORMED'],
    ['<a b="1"c="2"/>', 'XML_MALFORMED'],
    ['<a b="1" b="2"/>', 'XML_MALFORMED'],
    ['<a b="<"/>', 'XML_MALFORMED'],
    ['<a 1b="x"/>', 'XML_MALFORMED'],
    ['<![CDATA[x]]><a/>', 'XML_MALFORMED'],
    [' <?xml version="1.0"?><a/>', 'XML_MALFORMED'],
    ['<a/><?xml version="1.0"?>', 'XML_MALFORMED'],
    ['<!DOCTYPE a><a/>', 'XML_DOCTYPE_FORBIDDEN'],
    ['<a><!ENTITY x "y"></a>', 'XML_DOCTYPE_FORBIDDEN'],
    ['<a><!ELEMENT a ANY></a>', 'XML_DOCTYPE_FORBIDDEN'],
  ])('refuses %j with %s', (xml, code) => {
    expect(verdict(xml)).toBe(code);
  });

  it('enforces the depth limit exactly, self-closing leaves included', () => {
    expect(verdict('<a><b><c/></b></a>', 3)).toBe('ok');
    expect(verdict('<a><b><c/></b></a>', 2)).toBe('XML_TOO_DEEP');
    expect(verdict('<a><b><c></c></b></a>', 2)).toBe('XML_TOO_DEEP');
  });

  it('reports where the problem is', () => {
    expect(() => checkWellFormed('<a>\n  <b>\n  </c>\n</a>', 64)).toThrow(expect.objectContaining({ code: 'XML_MALFORMED', position: { line: 3, column: 3 } }));
  });

  it('never accepts what fast-xml-parser\'s own validator refuses, on arbitrary markup', () => {
    const piece = fc.constantFrom('<a>', '</a>', '<b x="1">', '</b>', '<c/>', 'text', ' ', '<!-- c -->', '<![CDATA[<]]>', '&amp;', '<a', '>', '"', '</', '<?p?>', 'y="2"');
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const xml = pieces.join('');
      if (verdict(xml) === 'ok') expect(XMLValidator.validate(xml)).toBe(true);
    }), { numRuns: 3000 });
  });
});
