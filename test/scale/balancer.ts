/**
 * Apache httpd with mod_proxy_balancer as a round-robin load balancer (lbmethod=byrequests, no
 * stickiness) in front of davgate replicas. Config: balancer.conf beside this file; state under
 * the run directory it is given. Started the way test/servers/apache.ts starts the DAV server.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { apacheVersion, runApache } from '../servers/apache';
import { forget, forgetOnStop, killOnExit } from '../servers/exit-guard';
import { type Child, requireTools, startWithRetry } from '../servers/proc';

export const BALANCER_CONFIG = path.join(__dirname, 'balancer.conf');
const MODULES = [
  'mod_mpm_event.so', 'mod_authz_core.so', 'mod_headers.so', 'mod_slotmem_shm.so',
  'mod_proxy.so', 'mod_proxy_http.so', 'mod_proxy_balancer.so', 'mod_lbmethod_byrequests.so',
];

/** The response header naming the member that served a request (balancer.conf). */
export const MEMBER_HEADER = 'x-balancer-member';

export interface BalancerHandle {
  /** The balancer's base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  readonly version: string;
  readonly child: Child;
  stop(): Promise<void>;
}

/** The apache2 binary; fails with the install command when it or a module is missing (never skips). */
function requireApache(): string {
  const tools = requireTools('The scale-out test runs Apache httpd with mod_proxy_balancer as its load balancer.', ['apache2'], MODULES, 'Install it (Debian/Ubuntu, as root):  apt-get install -y apache2');
  return tools['apache2'] as string;
}

async function startOnce(binary: string, root: string, members: readonly [string, string]): Promise<Omit<BalancerHandle, 'version'>> {
  let spawned: Child | undefined;
  const guard = (child: Child): void => {
    spawned = child;
    killOnExit(child);
  };
  try {
    const run = await runApache(binary, {
      name: 'apache2 (balancer)', config: BALANCER_CONFIG, root, alivePath: '/balancer-alive',
      defines: { DAVGATE_MEMBER_1: members[0], DAVGATE_MEMBER_2: members[1] }, spawned: guard,
    });
    return { url: `http://127.0.0.1:${run.port}`, child: run.child, stop: forgetOnStop(run.child, run.stop) };
  } catch (err) {
    // runApache stopped it: the exit guard must not SIGKILL a group id that may be reused.
    if (spawned !== undefined) forget(spawned);
    throw err;
  }
}

/**
 * Starts the balancer on a free loopback port in front of the two members (base URLs), with
 * its ServerRoot in `runDir`; retries on another port when the first was taken meanwhile.
 */
export async function startBalancer(runDir: string, members: readonly [string, string]): Promise<BalancerHandle> {
  const binary = requireApache();
  const root = path.join(runDir, 'balancer');
  for (const d of ['run', 'logs']) mkdirSync(path.join(root, d), { recursive: true });
  return startWithRetry(() => startOnce(binary, root, members), apacheVersion(binary));
}
