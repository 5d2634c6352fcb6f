import fc from 'fast-check';
import { dependencies, type Placed } from '../../src/batch/dependencies';
import type { Operation } from '../../src/operations/operation';

/** The definition, compared pair by pair: the indexed implementation must agree with it exactly. */
function byDefinition(placed: readonly Placed[]): number[][] {
  const related = (a: string, b: string) => {
    const x = a.endsWith('/') ? a : `${a}/`;
    const y = b.endsWith('/') ? b : `${b}/`;
    return x.startsWith(y) || y.startsWith(x);
  };
  return placed.map((current, j) => {
    const deps: number[] = [];
    for (let i = 0; i < j; i++) {
      const earlier = placed[i] as Placed;
      const usesLock = earlier.op.method === 'LOCK' && current.op.lockToken === `$${earlier.op.id}`;
      if (usesLock || current.paths.some((x) => earlier.paths.some((y) => related(x, y)))) deps.push(i);
    }
    return deps;
  });
}

const segment = fc.constantFrom('a', 'b', 'ab', 'c%20d');
const path = fc.tuple(fc.array(segment, { maxLength: 3 }), fc.boolean()).map(([segments, slash]) => `/${segments.join('/')}${slash && segments.length > 0 ? '/' : ''}`);
const operation = fc.record({ method: fc.constantFrom('PUT', 'LOCK', 'MOVE'), paths: fc.array(path, { minLength: 1, maxLength: 2 }), lock: fc.option(fc.nat(6), { nil: undefined }) });

describe('dependencies', () => {
  it('agrees with the pairwise definition on random batches', () => {
    fc.assert(fc.property(fc.array(operation, { maxLength: 14 }), (ops) => {
      const placed = ops.map((o, i): Placed => ({
        op: { id: String(i), index: i, method: o.method, href: o.paths[0], ...(o.lock === undefined ? {} : { lockToken: `$${o.lock}` }) } as unknown as Operation,
        paths: o.paths,
      }));
      expect(dependencies(placed)).toEqual(byDefinition(placed));
    }), { numRuns: 3000 });
  });

  it('compares whole segments: /a is not inside /ab', () => {
    const op = (i: number, href: string) => ({ op: { id: String(i), index: i, method: 'PUT', href } as unknown as Operation, paths: [href] });
    expect(dependencies([op(0, '/dav/a'), op(1, '/dav/ab'), op(2, '/dav/a/x'), op(3, '/dav/')])).toEqual([[], [], [0], [0, 1, 2]]);
  });
});
