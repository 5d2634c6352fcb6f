import type { Operation } from '../operations/operation';

/** An operation with the normalised paths it touches (its href, and a COPY's or MOVE's destination). */
export interface Placed {
  readonly op: Operation;
  readonly paths: readonly string[];
}

/**
 * For each operation, the earlier operations it must wait for: those on the same href, on an
 * ancestor or a descendant of it (a DELETE of a collection and a PUT into it must not race),
 * and the LOCK whose token it uses (`"$id"`). Everything else may run concurrently.
 *
 * Paths are compared by whole segments (`/a` is not inside `/ab`). Each earlier operation is
 * indexed under its own path and under every ancestor of it, so finding an operation's
 * relatives costs the depth of its paths, not the length of the batch.
 */
export function dependencies(placed: readonly Placed[]): number[][] {
  const at = new Map<string, number[]>(); // operations on exactly this path
  const under = new Map<string, number[]>(); // operations strictly inside this path
  const lockIds = new Map<string, number>();
  const lineages = new Map<string, readonly string[]>(); // a collection and its ancestors, shared by its members
  const out: number[][] = [];
  const deps: number[] = []; // the current operation's, copied out when it has any
  for (let j = 0; j < placed.length; j++) {
    const { op, paths } = placed[j] as Placed;
    deps.length = 0;
    const key = collectionKey(paths[0] as string);
    const up = ancestorsOf(key, lineages);
    relatives(deps, key, up, at, under);
    // A COPY's or MOVE's destination: its relatives too, and it is indexed like the href.
    const other = paths.length > 1 ? collectionKey(paths[1] as string) : key;
    const otherUp = other === key ? up : ancestorsOf(other, lineages);
    if (other !== key) relatives(deps, other, otherUp, at, under);
    const lock = op.lockToken?.startsWith('$') === true ? lockIds.get(op.lockToken.slice(1)) : undefined;
    if (lock !== undefined) deps.push(lock);
    index(j, key, up, at, under);
    if (other !== key) index(j, other, otherUp, at, under);
    if (op.method === 'LOCK') lockIds.set(op.id, j);
    // Most operations of a large batch depend on nothing: they share one empty list (read only).
    out.push(deps.length === 0 ? NONE : sortedUnique([...deps]));
  }
  return out;
}

const NONE: number[] = [];

/** Appends the operations so far on `key`, on an ancestor of it, or inside it. */
function relatives(deps: number[], key: string, up: readonly string[], at: ReadonlyMap<string, number[]>, under: ReadonlyMap<string, number[]>): void {
  for (const ancestor of up) append(deps, at.get(ancestor));
  append(deps, at.get(key));
  append(deps, under.get(key));
}

/** Indexes operation `j` under its path and under every ancestor of it. */
function index(j: number, key: string, up: readonly string[], at: Map<string, number[]>, under: Map<string, number[]>): void {
  push(at, key, j);
  for (const ancestor of up) push(under, ancestor, j);
}

/** A path with a trailing slash, so that a collection and its members compare by segments. */
function collectionKey(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * `/a/b/c/` → `/a/b/`, `/a/`, `/`. The list is its parent's lineage (the parent and the
 * parent's ancestors), made once per collection: the members of one collection, most of a
 * large batch, share it.
 */
function ancestorsOf(key: string, lineages: Map<string, readonly string[]>): readonly string[] {
  const end = key.length < 2 ? -1 : key.lastIndexOf('/', key.length - 2);
  return end < 0 ? [] : lineageOf(key.slice(0, end + 1), lineages);
}

/** A collection key and its ancestors: `/a/b/` → `/a/b/`, `/a/`, `/`. */
function lineageOf(key: string, lineages: Map<string, readonly string[]>): readonly string[] {
  let lineage = lineages.get(key);
  if (lineage === undefined) {
    lineage = [key, ...ancestorsOf(key, lineages)];
    lineages.set(key, lineage);
  }
  return lineage;
}

function push(index: Map<string, number[]>, key: string, value: number): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

function append(target: number[], values: readonly number[] | undefined): void {
  if (values !== undefined) for (const value of values) target.push(value);
}

/** Ascending, each index once (an operation can be reached through several paths). */
function sortedUnique(values: number[]): number[] {
  if (values.length < 2) return values;
  values.sort((a, b) => a - b);
  let n = 1;
  for (let i = 1; i < values.length; i++) if (values[i] !== values[n - 1]) values[n++] = values[i] as number;
  values.length = n;
  return values;
}
