import fc from 'fast-check';
import { findNonXmlChar } from '../../src/xml/chars';
import type { DavError, DavResponse, MultiStatus, PropStat } from '../../src/model/multistatus';
import { canonicalStatusLine, parseStatusLine, type Status } from '../../src/model/status';
import type { PropValue, XmlContent, XmlElement, XmlNode } from '../../src/model/xml-content';

/**
 * Generators of models in the normal form the parser produces: text is never empty, hrefs
 * and status lines carry no XML white space at their ends, element content drops blank text
 * unless some text is not blank, adjacent text is merged. Every such model must survive
 * build and parse unchanged.
 */
const NAMESPACES = ['DAV:', 'urn:ietf:params:xml:ns:caldav', 'urn:x', 'http://example.com/ns:', 'urn:with space?&<>"'];
const LOCALS = ['displayname', 'getetag', '__proto__', 'constructor', 'toString', 'a', 'x-y.z_1', 'é'];

const xmlChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', ']]>', '"', "'", '\r', '\n', '\t', '&amp;', '&#13;') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);
/** Text with only characters XML can carry. */
export const xmlText = (minLength = 0) =>
  fc.array(xmlChar, { minLength, maxLength: 12 }).map((parts) => parts.join('')).filter((s) => findNonXmlChar(s) === undefined);
const trimmed = xmlText().map((s) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''));
const isBlank = (s: string) => /^[ \t\r\n]*$/.test(s);

const ncname = fc.oneof(fc.constantFrom(...LOCALS), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9._-]{0,8}$/));
export const elementName = fc.oneof({ weight: 5, arbitrary: fc.tuple(fc.constantFrom(...NAMESPACES), ncname).map(([ns, l]) => `{${ns}}${l}`) }, { weight: 1, arbitrary: ncname });
const attrName = fc.oneof(ncname.filter((n) => n !== 'xmlns'), fc.tuple(fc.constantFrom(...NAMESPACES.slice(1)), ncname).map(([ns, l]) => `{${ns}}${l}`));
const attrs = fc.uniqueArray(fc.tuple(attrName, xmlText()), { minLength: 1, maxLength: 3, selector: ([k]) => k }).map((entries) => new Map(entries));

const { content } = fc.letrec<{ content: XmlContent; element: XmlElement }>((tie) => ({
  element: fc.record({ name: elementName, attrs: fc.option(attrs, { nil: undefined }), value: tie('content') as fc.Arbitrary<XmlContent> })
    .map(({ name, attrs: a, value }) => (a === undefined ? { name, value } : { name, attrs: a, value })),
  content: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    xmlText(1),
    fc.array(fc.tuple(tie('element') as fc.Arbitrary<XmlElement>, fc.option(xmlText(1), { nil: undefined })), { minLength: 1, maxLength: 3 }).chain((pairs) =>
      fc.option(xmlText(1), { nil: undefined }).map((lead) => normalise(lead, pairs)),
    ),
  ),
}));

/** Element content in normal form: blank text dropped unless some text is not blank. */
function normalise(lead: string | undefined, pairs: [XmlElement, string | undefined][]): XmlNode[] {
  const nodes: XmlNode[] = lead === undefined ? [] : [lead];
  for (const [el, text] of pairs) nodes.push(el, ...(text === undefined ? [] : [text]));
  const mixed = nodes.some((n) => typeof n === 'string' && !isBlank(n));
  return mixed ? nodes : nodes.filter((n) => typeof n !== 'string');
}

const status: fc.Arbitrary<Status> = fc.oneof(
  fc.integer({ min: 100, max: 599 }).map((code) => ({ code, line: canonicalStatusLine(code) })),
  fc.constantFrom('HTTP/1.0 207', 'HTTP/1.1 409 (status)', 'HTTP/1.1 425 TOO EARLY', 'HTTP/1.1 423', '', 'garbage').map(parseStatusLine),
  trimmed.map(parseStatusLine),
);
const error: fc.Arbitrary<DavError> = fc.array(content.chain((value) => elementName.map((name): XmlElement => ({ name, value }))), { maxLength: 2 }).map((conditions) => ({ conditions }));
const propValue: fc.Arbitrary<PropValue> = fc.record({ attrs, value: content }, { requiredKeys: ['value'] });
/** Properties with values, as a PROPPATCH or an extended MKCOL sets them. */
export const props = fc.uniqueArray(fc.tuple(elementName, propValue), { maxLength: 4, selector: ([k]) => k }).map((entries) => new Map(entries));

// requiredKeys: the optional fields are absent, never undefined, as in the parser's models.
const propstat: fc.Arbitrary<PropStat> = fc.record({ status, props, error, description: xmlText() }, { requiredKeys: ['status', 'props'] });
const common = { error, description: xmlText(), location: trimmed };
const response: fc.Arbitrary<DavResponse> = fc.oneof(
  fc.record({ kind: fc.constant('status' as const), hrefs: fc.array(trimmed, { minLength: 1, maxLength: 3 }), status, ...common }, { requiredKeys: ['kind', 'hrefs', 'status'] }),
  fc.record({ kind: fc.constant('propstat' as const), href: trimmed, propstats: fc.array(propstat, { minLength: 1, maxLength: 3 }), ...common }, { requiredKeys: ['kind', 'href', 'propstats'] }),
);

/** A whole multistatus model. */
export const multiStatus: fc.Arbitrary<MultiStatus> = fc.record(
  { responses: fc.array(response, { maxLength: 5 }), syncToken: trimmed, description: xmlText() },
  { requiredKeys: ['responses'] },
);
