import fc from 'fast-check';
import { DavgateError } from '../../src/model/errors';
import type { DavResponse, MultiStatus } from '../../src/model/multistatus';
import { fromCanonicalJson } from '../../src/json/from-json';
import { toCanonicalJson } from '../../src/json/to-json';
import { buildMultiStatus } from '../../src/xml/build-multistatus';
import { parseMultiStatus } from '../../src/xml/parse-multistatus';
import { multiStatus } from '../helpers/arbitraries';

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) };

/** Parsing either succeeds or throws the typed error — nothing else (invariant 4). */
function parsesOrRefuses(body: string | Uint8Array): boolean {
  try {
    parseMultiStatus(body);
    return true;
  } catch (error) {
    if (error instanceof DavgateError) return true;
    throw error;
  }
}

/** JSON has one entry per href: a response with several hrefs comes back as one response per href. */
function oneHrefPerResponse(ms: MultiStatus): MultiStatus {
  const responses = ms.responses.flatMap((r): DavResponse[] => (r.kind === 'status' ? r.hrefs.map((href) => ({ ...r, hrefs: [href] })) : [r]));
  return { ...ms, responses };
}

describe('properties', () => {
  it('parse(build(m)) equals m (invariant 2)', () => {
    fc.assert(fc.property(multiStatus, (m) => {
      expect(parseMultiStatus(buildMultiStatus(m))).toEqual(m);
    }), RUNS);
  });

  it('responses built from shape templates are exactly what xmlbuilder2 builds for each one', () => {
    fc.assert(fc.property(multiStatus, (m) => {
      const twice = { ...m, responses: [...m.responses, ...m.responses] }; // the second half reuses templates
      expect(buildMultiStatus(twice)).toBe(buildMultiStatus(twice, { templates: false }));
    }), RUNS);
  });

  it('the canonical JSON carries the same model', () => {
    fc.assert(fc.property(multiStatus, fc.constantFrom('PROPFIND', 'PROPPATCH', 'DELETE'), (m, method) => {
      const json = JSON.parse(JSON.stringify(toCanonicalJson(m, method))) as unknown;
      expect(fromCanonicalJson(json)).toEqual(oneHrefPerResponse(m));
    }), RUNS);
  });

  it('arbitrary text parses or throws the typed error', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => parsesOrRefuses(s)), RUNS);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => parsesOrRefuses(bytes)), RUNS);
  });

  it('mutated documents parse or throw the typed error', () => {
    const mutation = fc.record({ at: fc.nat(), length: fc.nat({ max: 40 }), insert: fc.string({ maxLength: 8 }) });
    fc.assert(fc.property(multiStatus, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, mutations) => {
      let xml = buildMultiStatus(m);
      for (const { at, length, insert } of mutations) {
        const i = at % (xml.length + 1);
        xml = xml.slice(0, i) + insert + xml.slice(i + length);
      }
      return parsesOrRefuses(xml);
    }), RUNS);
  });

  it('every prefix of a document is either refused or the whole document', () => {
    fc.assert(fc.property(multiStatus.filter((m) => m.responses.length > 0), fc.double({ min: 0, max: 1, noNaN: true }), (m, cut) => {
      const xml = buildMultiStatus(m);
      const prefix = xml.slice(0, Math.floor(xml.length * cut));
      if (prefix.length === xml.length) return true;
      let refused = false;
      try {
        parseMultiStatus(prefix);
      } catch (error) {
        refused = error instanceof DavgateError;
      }
      return refused;
    }), RUNS);
  });
});
