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
 */
export function dependencies(placed: readonly Placed[]): number[][] {
  return placed.map((current, j) => {
    const deps: number[] = [];
    for (let i = 0; i < j; i++) {
      const earlier = placed[i] as Placed;
      if (usesLockOf(current.op, earlier.op) || overlaps(current.paths, earlier.paths)) deps.push(i);
    }
    return deps;
  });
}

function usesLockOf(op: Operation, lock: Operation): boolean {
  return lock.method === 'LOCK' && op.lockToken === `$${lock.id}`;
}

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.some((y) => related(x, y)));
}

/** Same resource, or one inside the other, comparing whole segments (`/a` is not inside `/ab`). */
function related(a: string, b: string): boolean {
  const x = a.endsWith('/') ? a : `${a}/`;
  const y = b.endsWith('/') ? b : `${b}/`;
  return x.startsWith(y) || y.startsWith(x);
}
