import { DavgateError } from '../../model/errors';
import type { OperationInput, PropertyInput } from '../__generated__/resolvers-types';

const DEPTHS = { ZERO: '0', INFINITY: 'infinity' } as const;

/**
 * A GraphQL OperationInput as the REST operation JSON, which the batch executor validates
 * (parseOperation): one validation for both faces, so their rules and messages cannot drift.
 * Only GraphQL's own idioms are translated here: enums, and `set` as a list of name/value
 * pairs. A field given as null counts as absent.
 */
export function operationJson(input: OperationInput, index: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    if (key === 'set') out['set'] = propertySet(value as readonly PropertyInput[], index);
    else if (key === 'depth') out['depth'] = DEPTHS[value as keyof typeof DEPTHS];
    else if (key === 'scope') out['scope'] = (value as string).toLowerCase();
    else out[key] = value;
  }
  return out;
}

function propertySet(properties: readonly PropertyInput[], index: number): Record<string, unknown> {
  // A prototype-less record: a property named __proto__ stays a property (the validator checks names).
  const set = Object.create(null) as Record<string, unknown>;
  properties.forEach((property, i) => {
    const path = `operations[${index}].set[${i}]`;
    const hasText = property.text !== undefined && property.text !== null;
    const hasValue = property.value !== undefined;
    if (hasText === hasValue) throw new DavgateError('OPERATION_INVALID', `operation #${index}: ${path} needs exactly one of text and value`, { path });
    if (Object.prototype.hasOwnProperty.call(set, property.name)) throw new DavgateError('OPERATION_INVALID', `operation #${index}: ${path} sets ${property.name} twice`, { path });
    set[property.name] = hasText ? property.text : property.value;
  });
  return set;
}
