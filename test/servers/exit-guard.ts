/**
 * The process groups the tests started and have not stopped yet are killed with SIGKILL when
 * this process exits or is interrupted (SIGINT, SIGTERM, SIGHUP): a crash, a timeout in
 * afterAll, Ctrl-C. No server, replica or balancer outlives the run. After the kills, the
 * clean-ups given to `atExit` run (the servers' run directories). On a signal the guard then
 * raises it again, unless someone else handles it, so that the process still ends as asked.
 */
import { type Child, killGroupSync } from './proc';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const live = new Set<number>();
const cleanups: (() => void)[] = [];
let installed = false;

function killLive(): void {
  for (const pgid of live) killGroupSync(pgid);
  live.clear();
  for (const cleanup of cleanups.splice(0)) cleanup();
}

function onSignal(signal: NodeJS.Signals): void {
  killLive();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killLive);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** Kills `child`'s process group if this process exits or is interrupted while it is still live. */
export function killOnExit(child: Child): void {
  live.add(child.pid);
  install();
}

/** `child` has been stopped: nothing to kill at exit. */
export function forget(child: Child): void {
  live.delete(child.pid);
}

/** Runs `cleanup`, which must not throw, after the kills when this process exits or is interrupted. */
export function atExit(cleanup: () => void): void {
  cleanups.push(cleanup);
  install();
}

/** Wraps a stop function: once it has run, `child` no longer needs killing at exit. Runs once. */
export function forgetOnStop(child: Child, stop: () => Promise<void>): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => (stopped ??= stop().then(() => forget(child)));
}
