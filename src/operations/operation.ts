import { z } from 'zod';
import type { ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { PropValue } from '../model/xml-content';
import { clarkNameSchema, clarkRecord, deepestIssue, formatIssuePath, propValueSchema, propValueToModel } from '../json/prop-values';

/**
 * The JSON shape of one batch operation, shared by the REST face and (later) GraphQL. Each
 * method has its own strict schema: an unknown field, a missing required one, a bad method or
 * an href with CR/LF is refused before anything is sent, naming the operation and the field.
 */

/** A value that becomes part of a header or request line: no CR, LF or NUL. */
const headerSafe = z.string().refine((s) => !/[\r\n\0]/.test(s), { message: 'must not contain CR, LF or NUL' });
const href = headerSafe.refine((s) => s.length > 0, { message: 'must not be empty' });
/** A lock token, or `$id` of a LOCK earlier in the batch. */
const lockToken = headerSafe.refine((s) => s.trim().length > 0, { message: 'must not be empty' });
const etag = headerSafe;
const props = clarkRecord(propValueSchema, 'set');

/**
 * `lockRoot`: the href a lock given as an explicit token was taken on, when that is not the
 * operation's own href (a locked member of a collection to DELETE or MOVE): the token then goes
 * in a tagged `If` list naming it (RFC 4918 §10.4), as for a `$id` lock of the same batch.
 */
const base = { id: z.string().min(1).max(200).optional(), href, lockToken: lockToken.optional(), lockRoot: href.optional() };

const schemas = {
  PUT: z.strictObject({
    ...base,
    method: z.literal('PUT'),
    body: z.string(),
    contentType: headerSafe.optional(),
    ifMatch: etag.optional(),
    ifNoneMatch: etag.optional(),
  }),
  DELETE: z.strictObject({ ...base, method: z.literal('DELETE'), ifMatch: etag.optional() }),
  MKCOL: z.strictObject({ ...base, method: z.literal('MKCOL'), set: props.optional() }),
  MKCALENDAR: z.strictObject({ ...base, method: z.literal('MKCALENDAR'), set: props.optional() }),
  PROPPATCH: z.strictObject({ ...base, method: z.literal('PROPPATCH'), set: props.optional(), remove: z.array(clarkNameSchema).optional() }),
  COPY: z.strictObject({
    ...base,
    method: z.literal('COPY'),
    destination: href,
    overwrite: z.boolean().optional(),
    depth: z.enum(['0', 'infinity']).optional(),
  }),
  MOVE: z.strictObject({ ...base, method: z.literal('MOVE'), destination: href, overwrite: z.boolean().optional() }),
  LOCK: z.strictObject({
    ...base,
    method: z.literal('LOCK'),
    scope: z.enum(['exclusive', 'shared']).optional(),
    depth: z.enum(['0', 'infinity']).optional(),
    timeoutSeconds: z.int().min(1).max(4_294_967_295).optional(),
    owner: z.string().max(1000).optional(),
  }),
  UNLOCK: z.strictObject({ ...base, method: z.literal('UNLOCK'), lockToken }),
} as const;

/** The DAV methods a batch may use. */
export const METHODS = Object.keys(schemas) as readonly Method[];
export type Method = keyof typeof schemas;

type Json<M extends Method> = z.infer<(typeof schemas)[M]>;

/** Properties to set, in the model's lossless form. */
export type PropertySet = ReadonlyMap<ClarkName, PropValue>;

interface Common {
  /** The operation's id, or its index in the batch as a string. */
  readonly id: string;
  readonly index: number;
  readonly href: string;
  readonly lockToken?: string;
  /** The resource an explicit `lockToken`'s lock was taken on, for a tagged `If` list. */
  readonly lockRoot?: string;
}

export type PutOperation = Common & { readonly method: 'PUT'; readonly body: string; readonly contentType?: string; readonly ifMatch?: string; readonly ifNoneMatch?: string };
export type DeleteOperation = Common & { readonly method: 'DELETE'; readonly ifMatch?: string };
export type MkcolOperation = Common & { readonly method: 'MKCOL'; readonly set?: PropertySet };
export type MkcalendarOperation = Common & { readonly method: 'MKCALENDAR'; readonly set?: PropertySet };
export type ProppatchOperation = Common & { readonly method: 'PROPPATCH'; readonly set?: PropertySet; readonly remove?: readonly ClarkName[] };
export type CopyOperation = Common & { readonly method: 'COPY'; readonly destination: string; readonly overwrite?: boolean; readonly depth?: '0' | 'infinity' };
export type MoveOperation = Common & { readonly method: 'MOVE'; readonly destination: string; readonly overwrite?: boolean };
export type LockOperation = Common & {
  readonly method: 'LOCK';
  readonly scope?: 'exclusive' | 'shared';
  readonly depth?: '0' | 'infinity';
  readonly timeoutSeconds?: number;
  readonly owner?: string;
};
export type UnlockOperation = Common & { readonly method: 'UNLOCK'; readonly lockToken: string };

/** One validated operation. */
export type Operation =
  | PutOperation | DeleteOperation | MkcolOperation | MkcalendarOperation | ProppatchOperation
  | CopyOperation | MoveOperation | LockOperation | UnlockOperation;

/**
 * Validates one operation of a batch. `index` is its position; errors name it by id when it
 * has one (`operation "op1" (#0)`), and the field, e.g. `operations[3].destination`.
 */
export function parseOperation(json: unknown, index: number): Operation {
  // The messages are made only on the way to an error: most batches have none.
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DavgateError('OPERATION_INVALID', `${describeOperation(json, index)} must be an object`, { path: `operations[${index}]` });
  }
  const method = (json as { method?: unknown }).method;
  if (typeof method !== 'string' || !Object.hasOwn(schemas, method)) {
    throw new DavgateError('OPERATION_INVALID', `${describeOperation(json, index)}: method must be one of ${METHODS.join(', ')}, not ${JSON.stringify(method)}`, { path: `operations[${index}].method` });
  }
  const result = schemas[method as Method].safeParse(json);
  if (!result.success) {
    const issue = deepestIssue(result.error.issues[0] as z.core.$ZodIssue);
    const field = (issue.code === 'unrecognized_keys' ? `${formatIssuePath(issue.path)}.${issue.keys.join(', ')}` : formatIssuePath(issue.path)).replace(/^\(root\)\.?/, '');
    throw new DavgateError('OPERATION_INVALID', `${describeOperation(json, index)}, ${field}: ${issue.message}`, { path: `operations[${index}].${field}` });
  }
  const { lockToken: token, lockRoot } = result.data as { lockToken?: string; lockRoot?: string };
  if (lockRoot !== undefined && (token === undefined || token.startsWith('$'))) {
    throw new DavgateError('OPERATION_INVALID', `${describeOperation(json, index)}, lockRoot: goes with an explicit lockToken (a $id lock already knows its resource)`, { path: `operations[${index}].lockRoot` });
  }
  return toOperation(result.data, index);
}

/**
 * The operation, made from zod's output in place: zod builds a new object on every parse, so
 * nothing else holds it. Copying it with rest and spread instead (`{ ...rest, id, index }`)
 * is a generic clone in V8, as the object's shape depends on the method and on the optional
 * fields given: about 1.5 µs an operation, the largest cost of davgate's own in a batch of
 * 200 PUTs (issue 3's bench).
 */
function toOperation(json: Json<Method>, index: number): Operation {
  const op = json as Record<string, unknown>;
  op['id'] = json.id ?? String(index);
  op['index'] = index;
  if ('set' in json && json.set !== undefined) op['set'] = propertySet(json.set);
  return op as unknown as Operation;
}

function propertySet(json: Record<string, unknown>): PropertySet {
  const set = new Map<ClarkName, PropValue>();
  for (const name of Object.keys(json)) set.set(name, propValueToModel(json[name] as never));
  return set;
}

function describeOperation(json: unknown, index: number): string {
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? `operation "${id}" (#${index})` : `operation #${index}`;
}
