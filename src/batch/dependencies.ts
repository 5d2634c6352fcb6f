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
  return placed.map(({ op, paths }, j) => {
    const deps = new Set<number>();
    const keys = paths.map(collectionKey);
    for (const key of keys) {
      for (const ancestor of ancestorsOf(key)) for (const i of at.get(ancestor) ?? []) deps.add(i);
      for (const i of at.get(key) ?? []) deps.add(i);
      for (const i of under.get(key) ?? []) deps.add(i);
    }
    const lock = op.lockToken?.startsWith('$') === true ? lockIds.get(op.lockToken.slice(1)) : undefined;
    if (lock !== undefined) deps.add(lock);
    for (const key of new Set(keys)) {
      push(at, key, j);
      for (const ancestor of ancestorsOf(key)) push(under, ancestor, j);
    }
    if (op.method === 'LOCK') lockIds.set(op.id, j);
    return [...deps].sort((a, b) => a - b);
  });
}

/** A path with a trailing slash, so that a collection and its members compare by segments. */
function collectionKey(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** `/a/b/c/` → `/a/b/`, `/a/`, `/`. */
function* ancestorsOf(key: string): Generator<string> {
  for (let end = key.lastIndexOf('/', key.length - 2); end >= 0; end = key.lastIndexOf('/', end - 1)) {
    yield key.slice(0, end + 1);
    if (end === 0) return;
  }
}

function push(index: Map<string, number[]>, key: string, value: number): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}
