import { DavgateError } from '../model/errors';
import type { Result } from '../model/result';
import type { LockReference, PlanContext } from '../operations/context';
import { bareLockToken } from '../operations/if-header';
import { parseOperation, type Operation } from '../operations/operation';
import { plan } from '../operations/plan';
import type { SendOptions, UpstreamDone, UpstreamRequest, UpstreamResponse } from '../upstream/types';
import { dependencies, type Placed } from './dependencies';
import { interpret, notSent, transportFailure } from './interpret';

/** What the executor needs of a backend: the upstream client's resolver and sender. */
export interface BatchBackend {
  readonly origin: string;
  /** The backend's root path, ending in `/`. */
  readonly root: string;
  resolveHref(href: string): string;
  send(request: UpstreamRequest, options?: SendOptions): Promise<UpstreamResponse>;
  /**
   * `send` without a promise (UpstreamClient.dispatch): `done` is called once, never before
   * `dispatch` returns. Used instead of `send` when the backend has it.
   */
  dispatch?(request: UpstreamRequest, options: SendOptions, done: UpstreamDone): void;
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
  // Without an explicit id or a `$id` token the ids are the indexes: distinct, and nothing refers to them.
  if (parsed.some((op, i) => (operations[i] as { id?: unknown }).id !== undefined || op.lockToken?.startsWith('$') === true)) checkIds(parsed);
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
 *
 * Scheduling is push-based rather than a promise per operation: an operation joins the queue
 * of ready ones when the last operation it depends on ends (at once when it depends on none,
 * in batch order), and each answer starts the next queued operation, so the slots go first
 * come, first served. A batch of 200 independent PUTs at concurrency 8 used to park 192
 * async functions on a semaphore; now it holds 8 sends and an array of indexes.
 */
export function runBatch(batch: Batch, backend: BatchBackend, options: SendOptions = {}): Promise<Result[][]> {
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
  let placed: Placed[];
  let deps: number[][];
  try {
    placed = batch.operations.map((op) => ({ op, paths: pathsOf(op, ctx) }));
    deps = dependencies(placed);
  } catch (error) {
    return Promise.reject(error);
  }
  const count = placed.length;
  const results: Result[][] = new Array<Result[]>(count);
  // For each operation, how many of its dependencies are still running, and who waits for it.
  const pending = new Int32Array(count);
  const dependents: (number[] | undefined)[] = new Array<number[] | undefined>(count);
  const ready: number[] = [];
  for (let j = 0; j < count; j++) {
    const mine = deps[j] as number[];
    pending[j] = mine.length;
    if (mine.length === 0) ready.push(j);
    for (const i of mine) (dependents[i] ??= []).push(j);
  }
  let head = 0; // ready[head..] wait for a slot
  let active = 0;
  let left = count;
  let stopped: string | undefined;
  let settled = false;

  return new Promise<Result[][]>((resolve, reject) => {
    const fail = (error: unknown): void => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    };

    const finish = (j: number, own: Result[]): void => {
      const { op } = placed[j] as Placed;
      results[j] = stamped(op, j, own);
      left--;
      const waiting = dependents[j];
      if (waiting !== undefined) for (const k of waiting) if (--(pending[k] as number) === 0) admit(k);
      if (left === 0 && !settled) {
        settled = true;
        resolve(results);
      }
    };

    // An operation's results are in (its slot is already free).
    const answered = (j: number, own: Result[]): void => {
      const { op, paths } = placed[j] as Placed;
      try {
        // Decided before the next operation starts, so that it already sees it.
        if (batch.stopOnError && failed(own)) stopped ??= `operation "${op.id}" (#${op.index})`;
        if (op.method === 'LOCK' && op.lockToken === undefined) rememberLock(op, paths[0] as string, own, locks);
        finish(j, own);
        pump();
      } catch (error) {
        fail(error); // a bug: the batch fails rather than the process
      }
    };

    // The send failed: an UPSTREAM_* failure or a refusal is the operation's result; anything else is a fault.
    const ended = (j: number, path: string, error: unknown): void => {
      if (error instanceof DavgateError) answered(j, [transportFailure(path, error)]);
      else fail(error); // a caller's abort, a bug: the batch fails, and nothing more is sent
    };

    // All of an operation's dependencies have ended: it is answered here when one failed, else it queues for a slot.
    const admit = (k: number): void => {
      const refused = refusedByDependencies(k, placed, deps, results, locks);
      if (refused === undefined) ready.push(k);
      else finish(k, [refused]);
    };

    const pump = (): void => {
      while (active < batch.concurrency && head < ready.length && !settled) {
        const j = ready[head++] as number;
        const { op, paths } = placed[j] as Placed;
        const path = paths[0] as string;
        // An UNLOCK is clean-up: it is sent after stopOnError too (a lock left behind would block every writer until it times out).
        if (stopped !== undefined && op.method !== 'UNLOCK') {
          finish(j, [notSent(path, 'NOT_SENT', `not sent: ${stopped} failed and stopOnError is set`)]);
          continue;
        }
        let request: UpstreamRequest;
        try {
          request = plan(op, ctx);
        } catch (error) {
          fail(error); // a bug: the planners only throw on what parseBatch let through
          return;
        }
        // How the operation's send ended; called once, from undici's callbacks or a promise's, and throws nothing.
        const answer: UpstreamDone = (error, response) => {
          active--;
          if (response === undefined) {
            ended(j, path, error);
            return;
          }
          // Without stopOnError this answer cannot change what is sent next (its dependents are
          // admitted only once it is finished): the next ready operation leaves before it is read.
          if (!batch.stopOnError) {
            try {
              pump();
            } catch (error) {
              fail(error);
              return;
            }
          }
          let own: Result[];
          try {
            own = interpret(op, path, response);
          } catch (error) {
            ended(j, path, error);
            return;
          }
          answered(j, own);
        };
        active++;
        try {
          // A callback where the backend takes one (the upstream client): no promise, reaction and microtask per operation.
          if (backend.dispatch !== undefined) backend.dispatch(request, options, answer);
          else backend.send(request, options).then((response) => answer(undefined, response), (error: unknown) => answer(error, undefined));
        } catch (error) {
          active--;
          fail(error); // a backend that throws instead of answering: a bug, the batch fails
          return;
        }
      }
      // Answered operations can free the queue's head for good; keep the array short on long batches.
      if (head > 1024 && head * 2 > ready.length) {
        ready.splice(0, head);
        head = 0;
      }
    };

    if (count === 0) resolve(results);
    else pump();
  });
}

/**
 * Why an operation whose dependencies have all ended is not sent, or undefined when it may
 * be: one of them failed (for an UNLOCK, only its own LOCK counts: it runs whether the others
 * failed or not), or the LOCK whose token it uses succeeded without giving one.
 */
function refusedByDependencies(k: number, placed: readonly Placed[], deps: readonly number[][], results: readonly Result[][], locks: ReadonlyMap<string, LockReference>): Result | undefined {
  const { op, paths } = placed[k] as Placed;
  const path = paths[0] as string;
  const cleanup = op.method === 'UNLOCK';
  for (const i of deps[k] as number[]) {
    const dep = (placed[i] as Placed).op;
    if (failed(results[i] as Result[]) && (!cleanup || isLockOf(op, dep))) {
      return notSent(path, 'DEPENDENCY_FAILED', `not sent: operation "${dep.id}" (#${dep.index}), which it depends on, failed`);
    }
  }
  if (op.lockToken?.startsWith('$') === true && !locks.has(op.lockToken.slice(1))) {
    return notSent(path, 'DEPENDENCY_FAILED', `not sent: the LOCK ${op.lockToken} succeeded but the backend gave no lock token`);
  }
  return undefined;
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
