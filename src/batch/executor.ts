import { DavgateError } from '../model/errors';
import type { Result } from '../model/result';
import type { LockReference, PlanContext } from '../operations/context';
import { bareLockToken } from '../operations/if-header';
import { parseOperation, type Operation } from '../operations/operation';
import { plan } from '../operations/plan';
import type { SendOptions, UpstreamRequest, UpstreamResponse } from '../upstream/types';
import { dependencies, type Placed } from './dependencies';
import { interpret, notSent, transportFailure } from './interpret';

/** What the executor needs of a backend: the upstream client's resolver and sender. */
export interface BatchBackend {
  readonly origin: string;
  /** The backend's root path, ending in `/`. */
  readonly root: string;
  resolveHref(href: string): string;
  send(request: UpstreamRequest, options?: SendOptions): Promise<UpstreamResponse>;
}

/** A validated batch. */
export interface Batch {
  readonly operations: readonly Operation[];
  /** Operations in flight at once (default 8). */
  readonly concurrency: number;
  /** After the first failure, send nothing more (what is in flight finishes). */
  readonly stopOnError: boolean;
}

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 64;
export const MAX_OPERATIONS = 1000;

/**
 * Validates a batch request's JSON (`{ operations, concurrency?, stopOnError? }`). Any problem
 * refuses the whole batch before anything is sent, naming the operation and the field.
 */
export function parseBatch(json: unknown, defaultConcurrency = DEFAULT_CONCURRENCY): Batch {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new DavgateError('BATCH_INVALID', 'the body must be a JSON object');
  const { operations, concurrency, stopOnError, ...rest } = json as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new DavgateError('BATCH_INVALID', `unknown field ${unknown.join(', ')}`, { path: unknown[0] as string });
  if (!Array.isArray(operations) || operations.length === 0) throw new DavgateError('BATCH_INVALID', '"operations" must be a non-empty array', { path: 'operations' });
  if (operations.length > MAX_OPERATIONS) throw new DavgateError('BATCH_INVALID', `at most ${MAX_OPERATIONS} operations per batch`, { path: 'operations' });
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || (concurrency as number) < 1 || (concurrency as number) > MAX_CONCURRENCY)) {
    throw new DavgateError('BATCH_INVALID', `"concurrency" must be a whole number from 1 to ${MAX_CONCURRENCY}`, { path: 'concurrency' });
  }
  if (stopOnError !== undefined && typeof stopOnError !== 'boolean') throw new DavgateError('BATCH_INVALID', '"stopOnError" must be true or false', { path: 'stopOnError' });
  const parsed = operations.map((op, i) => parseOperation(op, i));
  checkIds(parsed);
  return { operations: parsed, concurrency: (concurrency as number | undefined) ?? defaultConcurrency, stopOnError: stopOnError === true };
}

/** Ids are unique, and a `$id` lock reference names a LOCK earlier in the batch. */
function checkIds(operations: readonly Operation[]): void {
  const seen = new Map<string, Operation>();
  for (const op of operations) {
    if (seen.has(op.id)) throw new DavgateError('OPERATION_INVALID', `operation "${op.id}" (#${op.index}): the id is used twice`, { path: `operations[${op.index}].id` });
    if (op.lockToken?.startsWith('$') === true) {
      const lock = seen.get(op.lockToken.slice(1));
      if (lock?.method !== 'LOCK') {
        throw new DavgateError('OPERATION_INVALID', `operation "${op.id}" (#${op.index}): lockToken ${op.lockToken} names no LOCK earlier in the batch`, { path: `operations[${op.index}].lockToken` });
      }
    }
    seen.set(op.id, op);
  }
}

/**
 * Runs a batch against one backend and returns every result, grouped by operation in batch
 * order (DESIGN.md invariant 1: every operation yields at least one result). Operations on
 * related paths, or using an earlier LOCK's token, run in order; the others run concurrently
 * up to the batch's limit. An operation whose dependency failed is not sent (424), except an
 * UNLOCK, which is sent unless its own LOCK failed (and is sent after stopOnError too); with
 * stopOnError, nothing is sent after the first failure.
 */
export async function runBatch(batch: Batch, backend: BatchBackend, options: SendOptions = {}): Promise<Result[][]> {
  const locks = new Map<string, LockReference>();
  const resolved = new Map<string, string>(); // each href is normalised once per batch
  const ctx: PlanContext = {
    origin: backend.origin,
    resolve: (href) => {
      let path = resolved.get(href);
      if (path === undefined) {
        path = backend.resolveHref(href);
        resolved.set(href, path);
      }
      return path;
    },
    lock: (token, root) => (token.startsWith('$') ? locks.get(token.slice(1)) : undefined) ?? (root === undefined ? { token: bareLockToken(token) } : { token: bareLockToken(token), root: ctx.resolve(root) }),
  };
  // Every href is resolved before anything is sent: one that escapes the root refuses the batch.
  const placed: Placed[] = batch.operations.map((op) => ({ op, paths: pathsOf(op, ctx) }));
  const deps = dependencies(placed);
  const slots = new Semaphore(batch.concurrency);
  const outcomes: Promise<Result[]>[] = [];
  let stopped: string | undefined;

  const runOne = async (j: number): Promise<Result[]> => {
    const { op, paths } = placed[j] as Placed;
    const path = paths[0] as string;
    const mine = deps[j] as number[];
    // An UNLOCK is clean-up: it waits for the operations before it, but runs whether they failed or not
    // (a lock left behind would block every writer until it times out). Only its own LOCK's failure stops it.
    const cleanup = op.method === 'UNLOCK';
    // Most operations depend on none: those go straight to the slots, still in batch order.
    if (mine.length > 0) {
      const before = await Promise.all(mine.map((i) => outcomes[i] as Promise<Result[]>));
      const failedIndex = before.findIndex((results, i) => failed(results) && (!cleanup || isLockOf(op, placed[mine[i] as number]?.op)));
      if (failedIndex >= 0) {
        const dep = placed[mine[failedIndex] as number]?.op as Operation;
        return stamped(op, j, [notSent(path, 'DEPENDENCY_FAILED', `not sent: operation "${dep.id}" (#${dep.index}), which it depends on, failed`)]);
      }
    }
    if (op.lockToken?.startsWith('$') === true && !locks.has(op.lockToken.slice(1))) {
      return stamped(op, j, [notSent(path, 'DEPENDENCY_FAILED', `not sent: the LOCK ${op.lockToken} succeeded but the backend gave no lock token`)]);
    }
    if (stopped !== undefined && !cleanup) return stamped(op, j, [notSent(path, 'NOT_SENT', `not sent: ${stopped} failed and stopOnError is set`)]);
    const wait = slots.acquire();
    if (wait !== undefined) await wait;
    let results: Result[] | undefined;
    try {
      if (stopped === undefined || cleanup) {
        results = await send(op, path, ctx, backend, options);
        // Decided before the slot passes on, so the next operation already sees it.
        if (batch.stopOnError && failed(results)) stopped ??= `operation "${op.id}" (#${op.index})`;
      }
    } finally {
      slots.release();
    }
    if (results === undefined) return stamped(op, j, [notSent(path, 'NOT_SENT', `not sent: ${stopped ?? 'an operation'} failed and stopOnError is set`)]);
    if (op.method === 'LOCK' && op.lockToken === undefined) rememberLock(op, path, results, locks);
    return stamped(op, j, results);
  };

  for (let j = 0; j < placed.length; j++) outcomes.push(runOne(j));
  return Promise.all(outcomes);
}

/**
 * The results of an operation with its id and index. Done as each operation ends, so that
 * the batch's last answer is not followed by a pass over every result; and in place, as every
 * result was made for this operation alone (interpret, notSent), where a spread copy would be
 * a generic clone in V8 for results of several shapes, paid for every result of a batch.
 */
function stamped(op: Operation, index: number, results: Result[]): Result[] {
  for (const result of results) {
    const stamp = result as { operationId?: string; operationIndex?: number };
    stamp.operationId = op.id;
    stamp.operationIndex = index;
  }
  return results;
}

async function send(op: Operation, path: string, ctx: PlanContext, backend: BatchBackend, options: SendOptions): Promise<Result[]> {
  const request = plan(op, ctx);
  try {
    return interpret(op, path, await backend.send(request, options));
  } catch (error) {
    if (error instanceof DavgateError) return [transportFailure(path, error)];
    throw error;
  }
}

function pathsOf(op: Operation, ctx: PlanContext): string[] {
  const paths = [resolveField(op, 'href', op.href, ctx)];
  if (op.method === 'COPY' || op.method === 'MOVE') paths.push(resolveField(op, 'destination', op.destination, ctx));
  // Refused here like any href when it leaves the root; not a path the operation works on, so not in `paths`.
  if (op.lockRoot !== undefined) resolveField(op, 'lockRoot', op.lockRoot, ctx);
  return paths;
}

/** Resolves an href or destination, naming the operation and the field when it is refused. */
function resolveField(op: Operation, field: 'href' | 'destination' | 'lockRoot', value: string, ctx: PlanContext): string {
  try {
    return ctx.resolve(value);
  } catch (error) {
    if (!(error instanceof DavgateError)) throw error;
    throw new DavgateError(error.code, `operation "${op.id}" (#${op.index}), ${field}: ${error.detail ?? error.message}`, { path: `operations[${op.index}].${field}` });
  }
}

/** Whether `dep` is the LOCK whose token `op` uses (`$id`). */
function isLockOf(op: Operation, dep: Operation | undefined): boolean {
  return dep !== undefined && op.lockToken === `$${dep.id}`;
}

/** An operation failed when any of its results is not a Success or Created. */
function failed(results: readonly Result[]): boolean {
  return results.some((r) => r.kind !== 'Success' && r.kind !== 'Created');
}

function rememberLock(op: Operation, path: string, results: readonly Result[], locks: Map<string, LockReference>): void {
  for (const result of results) {
    if ((result.kind === 'Success' || result.kind === 'Created') && result.lockToken !== undefined) {
      locks.set(op.id, { token: result.lockToken, root: path });
      return;
    }
  }
}

/** At most `limit` holders at once, served in the order they ask. */
class Semaphore {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Takes a slot: undefined when one is free now (nothing to wait for), else a promise settled when one is handed over. */
  acquire(): Promise<void> | undefined {
    if (this.#active < this.limit) {
      this.#active++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Gives a slot back, straight to the next waiter, so that none can slip in between. */
  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#active--;
    else next();
  }
}
