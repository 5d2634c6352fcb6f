/**
 * One davgate replica as it is deployed: the installed command (`node bin/davgate.js serve`,
 * the compiled CLI in dist/) in a process of its own, configured by environment variables
 * only: in front of the test Apache's /dav/ with configured credentials (test/scale), or of a
 * stub backend (test/cli/shutdown.test.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ServerInfo } from '../servers';
import { type Child, spawnGroup, stopGroup, tailOf } from '../servers/proc';
import { forgetOnStop, killOnExit } from '../servers/exit-guard';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'davgate.js');
const LISTENING = /^davgate listening on (\S+)$/m;

export interface Replica {
  readonly name: string;
  /** Its own base URL, e.g. http://127.0.0.1:PORT, for reading /metrics past the balancer. */
  readonly url: string;
  readonly child: Child;
  /** SIGTERM, then waits for the exit; resolves with how it ended ("code 0"). Runs once. */
  stop(): Promise<string>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The environment of a replica: this process's, without any DAVGATE_ variable it may carry
 * (a developer's backend or token) and without jest's NODE_ENV=test, which changes what
 * libraries do (Apollo, for one, installs its signal handlers only outside tests), plus the
 * replica's own configuration: it runs as `npm start` runs it. `vars` win over the defaults
 * (a free port, warn logs).
 */
function replicaEnv(vars: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DAVGATE_') && k !== 'NODE_ENV') env[k] = v;
  return { ...env, DAVGATE_PORT: '0', DAVGATE_LOG_LEVEL: 'warn', ...vars };
}

/** The variables of a replica in front of `backend` with configured credentials. */
export function configuredBackend(backend: ServerInfo): Record<string, string> {
  return { DAVGATE_BACKEND_URL: backend.url, DAVGATE_BACKEND_USERNAME: backend.username, DAVGATE_BACKEND_PASSWORD: backend.password };
}

/** `davgate serve` through test/servers/proc.ts's spawnGroup (own process group, output to a fresh log file). */
function spawnReplica(name: string, logFile: string, env: NodeJS.ProcessEnv): Child {
  writeFileSync(logFile, '');
  return spawnGroup(name, process.execPath, [BIN, 'serve'], { cwd: ROOT, outputFile: logFile, env });
}

/** Waits for the `davgate listening on <url>` line on stderr; fails with the output when it exits or takes too long. */
async function listeningUrl(child: Child, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !child.hasExited()) {
    const url = LISTENING.exec(readFileSync(child.logFiles[0] as string, 'utf8'))?.[1];
    if (url !== undefined) return url;
    await Promise.race([sleep(25), child.exited]);
  }
  const how = child.hasExited() ? `exited (${await child.exited})` : `did not say it was listening within ${timeoutMs} ms`;
  throw new Error(`${child.name} (pid ${child.pid}) ${how}\n${tailOf(child.logFiles)}`);
}

/** Starts `node bin/davgate.js serve` configured by `vars` on a free port (DAVGATE_PORT=0); output in `runDir/<name>.log`. */
export async function startReplica(name: string, runDir: string, vars: Readonly<Record<string, string>>): Promise<Replica> {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)');
  const child = spawnReplica(name, path.join(runDir, `${name}.log`), replicaEnv(vars));
  killOnExit(child);
  const stopped = forgetOnStop(child, () => stopGroup(child));
  const stop = async (): Promise<string> => {
    await stopped();
    return child.exited;
  };
  try {
    return { name, url: await listeningUrl(child, 10000), child, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Requests a replica counted, by face, summed over outcomes. */
export interface Served {
  readonly rest: number;
  readonly graphql: number;
}

/**
 * `davgate_requests_total` of one replica, read from its own `GET /metrics` (past the balancer).
 * That request is counted under the `ops` face, which is left out.
 */
export async function served(replica: Replica): Promise<Served> {
  const res = await fetch(`${replica.url}/metrics`);
  if (res.status !== 200) throw new Error(`${replica.name}: GET /metrics answered ${res.status}`);
  const counts = { rest: 0, graphql: 0 };
  for (const m of (await res.text()).matchAll(/^davgate_requests_total\{([^}]*)\} (\S+)$/gm)) {
    const face = /(?:^|,)face="([^"]*)"/.exec(m[1] as string)?.[1];
    if (face === 'rest' || face === 'graphql') counts[face] += Number(m[2]);
  }
  return counts;
}
