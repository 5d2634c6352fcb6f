/**
 * Apache httpd with mod_proxy_balancer as a round-robin load balancer (lbmethod=byrequests, no
 * stickiness) in front of davgate replicas. Config: balancer.conf beside this file; state under
 * the run directory it is given. Started the way test/servers/apache.ts starts the DAV server.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { apacheVersion } from '../servers/apache';
import { type Child, findExecutable, freePort, spawnGroup, startWithRetry, stopGroup, waitUntilAnswering } from '../servers/proc';
import { forgetOnStop, killOnExit } from './exit-guard';

export const BALANCER_CONFIG = path.join(__dirname, 'balancer.conf');
const MODULES_DIR = '/usr/lib/apache2/modules';
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
  const binary = findExecutable('apache2');
  const missing = [
    ...(binary === undefined ? ['apache2'] : []),
    ...MODULES.filter((m) => !existsSync(path.join(MODULES_DIR, m))).map((m) => `${MODULES_DIR}/${m}`),
  ];
  if (binary === undefined || missing.length > 0) {
    throw new Error(
      `The scale-out test runs Apache httpd with mod_proxy_balancer as its load balancer. Missing: ${missing.join(', ')}.\n` +
        'Install it (Debian/Ubuntu, as root):  apt-get install -y apache2',
    );
  }
  return binary;
}

async function startOnce(binary: string, root: string, members: readonly [string, string]): Promise<Omit<BalancerHandle, 'version'>> {
  const port = await freePort();
  const args = [
    '-f', BALANCER_CONFIG, '-D', 'FOREGROUND',
    '-C', `Define DAVGATE_ROOT "${root}"`, '-C', `Define DAVGATE_PORT ${port}`,
    '-C', `Define DAVGATE_MEMBER_1 ${members[0]}`, '-C', `Define DAVGATE_MEMBER_2 ${members[1]}`,
  ];
  // Root can not serve requests: the workers switch to www-data, which needs nothing under root/.
  if (process.getuid?.() === 0) args.splice(4, 0, '-D', 'DAVGATE_AS_ROOT');
  const logs = [path.join(root, 'logs', 'stderr.log'), path.join(root, 'logs', 'error.log')] as const;
  for (const f of logs) writeFileSync(f, ''); // a retry must not see the previous attempt's errors
  const child = spawnGroup('apache2 (balancer)', binary, args, { cwd: root, outputFile: logs[0], extraLogFiles: [logs[1]] });
  killOnExit(child);
  const stop = forgetOnStop(child, () => stopGroup(child));
  try {
    await waitUntilAnswering(child, `http://127.0.0.1:${port}/balancer-alive`, 15000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, child, stop };
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
