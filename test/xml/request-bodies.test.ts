import fc from 'fast-check';
import { DavgateError } from '../../src/model/errors';
import type { ClarkName } from '../../src/model/clark';
import { creationBody, lockInfoBody, propertyUpdateBody } from '../../src/xml/request-bodies';
import { elementName, props, xmlText } from '../helpers/arbitraries';

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) };

/** The body built from templates, or the error it threw. */
function outcome(build: () => string): string {
  try {
    return build();
  } catch (error) {
    if (error instanceof DavgateError) return `${error.code}: ${error.message}`;
    throw error;
  }
}

const removes = fc.uniqueArray(elementName, { maxLength: 3 }) as fc.Arbitrary<ClarkName[]>;

describe('request bodies from templates', () => {
  it('a propertyupdate is exactly what xmlbuilder2 builds, the first time and from the kept shape', () => {
    fc.assert(fc.property(props, removes, (set, remove) => {
      fc.pre(set.size + remove.length > 0);
      const expected = outcome(() => propertyUpdateBody(set, remove, { templates: false }));
      expect(outcome(() => propertyUpdateBody(set, remove))).toBe(expected);
      expect(outcome(() => propertyUpdateBody(set, remove))).toBe(expected);
    }), RUNS);
  });

  it('extended MKCOL and MKCALENDAR bodies are exactly what xmlbuilder2 builds', () => {
    fc.assert(fc.property(props, fc.constantFrom('mkcol' as const, 'mkcalendar' as const), (set, kind) => {
      fc.pre(set.size > 0);
      const expected = outcome(() => creationBody(kind, set, { templates: false }));
      expect(outcome(() => creationBody(kind, set))).toBe(expected);
      expect(outcome(() => creationBody(kind, set))).toBe(expected);
    }), RUNS);
  });

  it('lockinfo bodies are exactly what xmlbuilder2 builds, whatever the owner text', () => {
    fc.assert(fc.property(fc.constantFrom('exclusive' as const, 'shared' as const), fc.option(fc.oneof(xmlText(), fc.string()), { nil: undefined }), (scope, owner) => {
      const expected = outcome(() => lockInfoBody(scope, owner, { templates: false }));
      expect(outcome(() => lockInfoBody(scope, owner))).toBe(expected);
    }), RUNS);
  });

  it('a value of the same shape with a character XML cannot carry is refused as the direct path refuses it', () => {
    const name = '{urn:x}author';
    expect(propertyUpdateBody([[name, { value: 'Ann & Bob' }]], [])).toContain('<ns1:author>Ann &amp; Bob</ns1:author>');
    expect(() => propertyUpdateBody([[name, { value: 'bad \u0000' }]], [])).toThrow(new DavgateError('XML_UNREPRESENTABLE', `U+0000 in property ${name}`));
  });

  it('puts the content inside the root whatever its namespace URIs hold', () => {
    for (const ns of ['urn:x@@davgate-body@@', 'urn:"@@davgate-content@@"', 'urn:a"b<c&d']) {
      const set: [ClarkName, { value: string }][] = [[`{${ns}}p`, { value: 'v' }]];
      expect(propertyUpdateBody(set, [])).toBe(propertyUpdateBody(set, [], { templates: false }));
      expect(creationBody('mkcol', set)).toBe(creationBody('mkcol', set, { templates: false }));
    }
  });

  it('the same shape in other namespaces keeps each body\'s own declarations', () => {
    const a = propertyUpdateBody([['{urn:a}p', { value: '1' }]], []);
    const b = propertyUpdateBody([['{urn:b}p', { value: '2' }]], []);
    expect(a).not.toBe(b);
    expect(b).toBe(propertyUpdateBody([['{urn:b}p', { value: '2' }]], [], { templates: false }));
    expect(b).toContain('urn:b');
  });
});
