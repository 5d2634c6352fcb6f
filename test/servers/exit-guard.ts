/**
 * The process groups this test started and has not stopped yet are killed when the jest process
 * exits without stopping them (a crash, a timeout in afterAll), so no replica or balancer
 * outlives the run. The run directory needs no guard: it lies inside the test servers' own,
 * which global teardown (or the next run's sweep) removes.
 */
import { type Child, killGroupSync } from '../servers/proc';

const live = new Set<number>();
let installed = false;

function killLive(): void {
  for (const pgid of live) killGroupSync(pgid);
  live.clear();
}

/** Kills `child`'s process group with SIGKILL if this process exits while it is still live. */
export function killOnExit(child: Child): void {
  live.add(child.pid);
  if (installed) return;
  installed = true;
  process.once('exit', killLive);
}

/** Wraps a stop function: once it has run, `child` no longer needs killing at exit. Runs once. */
export function forgetOnStop(child: Child, stop: () => Promise<void>): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () =>
    (stopped ??= stop().then(() => {
      live.delete(child.pid);
    }));
}
