import type { ClarkName } from '../../model/clark';
import { hrefKey } from '../../model/href';
import type { Result, ResultKind } from '../../model/result';
import { textOf } from '../../model/xml-content';
import { propValueToJson } from '../../json/to-json';
import { propertiesOf, type ReadProperty } from '../../reads/resources';
import type { Resolvers } from '../__generated__/resolvers-types';

const kindOf = (result: Result): ResultKind => result.kind;

/** Fields every result member shares. */
const common = {
  operationId: (r: Result) => r.operationId ?? null,
  operationIndex: (r: Result) => r.operationIndex ?? null,
  description: (r: Result) => r.description ?? null,
};

const written = {
  ...common,
  etag: (r: Result) => ('etag' in r ? (r.etag ?? null) : null),
  location: (r: Result) => r.location ?? null,
  lockToken: (r: Result) => ('lockToken' in r ? (r.lockToken ?? null) : null),
  properties: (r: Result) => propertiesOf(r.propstats),
};

/** The union members, BatchResult and Property. `__resolveType` only maps kind to typename (STYLE.md). */
export const resultResolvers: Pick<Resolvers, 'DavResult' | 'HrefResult' | 'Success' | 'Created' | 'Locked' | 'Error' | 'BatchResult' | 'Property'> = {
  DavResult: { __resolveType: kindOf },
  HrefResult: { __resolveType: kindOf },
  Success: written,
  Created: written,
  Locked: { ...common, condition: (r) => r.condition ?? null, lockHrefs: (r) => r.lockHrefs },
  Error: {
    ...common,
    condition: (r) => r.condition ?? null,
    detail: (r) => r.detail ?? null,
    properties: (r) => propertiesOf(r.propstats),
  },
  BatchResult: {
    results: (batch) => batch.results,
    result: (batch, { href }) => {
      const key = hrefKey(href);
      return batch.results.findLast((r) => hrefKey(r.href) === key) ?? null;
    },
    counts: (batch) => countKinds(batch.results),
  },
  Property: {
    text: (p: ReadProperty) => textOf(p.value) ?? null,
    value: (p: ReadProperty) => propValueToJson(p.value),
  },
};

function countKinds(results: readonly Result[]): { total: number; success: number; created: number; locked: number; error: number } {
  const counts = { total: results.length, success: 0, created: 0, locked: 0, error: 0 };
  for (const r of results) counts[r.kind.toLowerCase() as Lowercase<ResultKind>]++;
  return counts;
}

/** A property list's entry by Clark name. */
export function propertyNamed(properties: readonly ReadProperty[], name: ClarkName): ReadProperty | null {
  return properties.find((p) => p.name === name) ?? null;
}
