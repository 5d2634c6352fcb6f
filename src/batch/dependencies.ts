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
  // One operation is kept as its index, several as a list: most paths of a large batch have one.
  const at = new Map<string, Indexes>(); // operations on exactly this path
  const under = new Map<string, Indexes>(); // operations strictly inside this path
  const lockIds = new Map<string, number>();
  const lineages = new Lineages();
  const out: number[][] = [];
  const deps: number[] = []; // the current operation's, copied out when it has any
  for (let j = 0; j < placed.length; j++) {
    const { op, paths } = placed[j] as Placed;
    deps.length = 0;
    const key = pathKey(paths[0] as string);
    const up = lineages.ancestorsOf(key);
    relatives(deps, key, up, at, under);
    // A COPY's or MOVE's destination: its relatives too, and it is indexed like the href.
    const other = paths.length > 1 ? pathKey(paths[1] as string) : key;
    const otherUp = other === key ? up : lineages.ancestorsOf(other);
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
function relatives(deps: number[], key: string, up: readonly string[], at: ReadonlyMap<string, Indexes>, under: ReadonlyMap<string, Indexes>): void {
  for (const ancestor of up) append(deps, at.get(ancestor));
  append(deps, at.get(key));
  append(deps, under.get(key));
}

/** Indexes operation `j` under its path and under every ancestor of it. */
function index(j: number, key: string, up: readonly string[], at: Map<string, Indexes>, under: Map<string, Indexes>): void {
  push(at, key, j);
  for (const ancestor of up) push(under, ancestor, j);
}

/**
 * A path without its trailing slash, so that a collection and its members compare by segments
 * (`/a/b/` and `/a/b` are one resource; the root is `''`). A member's path is its own key: no
 * new string per operation.
 */
function pathKey(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * The ancestors of keys, each collection's list made once: `/a/b/c` → `/a/b`, `/a`, `''`. The
 * members of one collection, most of a large batch, share their parent's list; the last parent
 * is remembered, so that its members, which usually come one after the other, find it without
 * cutting their parent's path out of theirs.
 */
class Lineages {
  readonly #byKey = new Map<string, readonly string[]>();
  #lastParent = '\0'; // no key: keys start with `/` or are the root's ''
  #lastLineage: readonly string[] = [];

  ancestorsOf(key: string): readonly string[] {
    const slash = key.lastIndexOf('/');
    if (slash < 0) return NONE_KEYS; // the root
    if (slash === this.#lastParent.length && key.startsWith(this.#lastParent)) return this.#lastLineage;
    const parent = key.slice(0, slash);
    const lineage = this.#lineageOf(parent);
    this.#lastParent = parent;
    this.#lastLineage = lineage;
    return lineage;
  }

  /** A collection's key and its ancestors. */
  #lineageOf(key: string): readonly string[] {
    let lineage = this.#byKey.get(key);
    if (lineage === undefined) {
      const slash = key.lastIndexOf('/');
      lineage = slash < 0 ? [key] : [key, ...this.#lineageOf(key.slice(0, slash))];
      this.#byKey.set(key, lineage);
    }
    return lineage;
  }
}

const NONE_KEYS: readonly string[] = [];

/** The operations indexed under a path: one index, or a list of them. */
type Indexes = number | number[];

function push(index: Map<string, Indexes>, key: string, value: number): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, value);
  else if (typeof list === 'number') index.set(key, [list, value]);
  else list.push(value);
}

function append(target: number[], values: Indexes | undefined): void {
  if (values === undefined) return;
  if (typeof values === 'number') target.push(values);
  else for (const value of values) target.push(value);
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
