/**
 * Apache httpd (Debian apache2) with mod_dav: /dav/ behind Basic auth, /digest/ behind Digest
 * auth, both as user alice. Config: apache.conf beside this file; state under `<runDir>/apache`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type Child, freePort, spawnGroup, startWithRetry, stopGroup, waitUntilAnswering } from './proc';

export const APACHE_CONFIG = path.join(__dirname, 'apache.conf');
export const DIGEST_REALM = 'davgate-digest';
const USER = 'alice';
const RUN_AS = 'www-data';

export interface ApacheHandle {
  readonly port: number;
  readonly version: string;
  readonly child: Child;
  stop(): Promise<void>;
}

/** alice's password for /dav/ (Basic) and for /digest/ (Digest). */
export interface ApachePasswords {
  readonly basic: string;
  readonly digest: string;
}

/** uid and gid of a local user, from /etc/passwd (Node has no getpwnam). */
function lookupUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const fields = line?.split(':');
  if (fields === undefined || fields.length < 4) {
    throw new Error(`Apache runs its workers as ${name} when started as root, but there is no such user (apt-get install -y apache2 creates it)`);
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** `alice:{SHA}base64(sha1(password))`, a format Apache's htpasswd files accept on every platform. */
export function htpasswdLine(user: string, password: string): string {
  return `${user}:{SHA}${createHash('sha1').update(password, 'utf8').digest('base64')}\n`;
}

/** The line `htdigest` would write: `user:realm:md5(user:realm:password)`. */
export function htdigestLine(user: string, realm: string, password: string): string {
  return `${user}:${realm}:${createHash('md5').update(`${user}:${realm}:${password}`, 'utf8').digest('hex')}\n`;
}

/** "Apache/2.4.71 (Debian)" from `apache2 -v`. */
export async function apacheVersion(binary: string): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ['-v']);
  return /Server version:\s*(.+)/.exec(stdout)?.[1]?.trim() ?? stdout.split('\n')[0] ?? 'unknown';
}

/** Creates the ServerRoot tree, auth files included; returns it. */
function prepare(runDir: string, passwords: ApachePasswords): string {
  const root = path.join(runDir, 'apache');
  for (const d of ['run', 'logs', 'htdocs/dav', 'htdocs/digest', 'lock', 'auth']) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, 'auth/htpasswd'), htpasswdLine(USER, passwords.basic), { mode: 0o600 });
  writeFileSync(path.join(root, 'auth/htdigest'), htdigestLine(USER, DIGEST_REALM, passwords.digest), { mode: 0o600 });
  if (process.getuid?.() === 0) {
    // The workers run as www-data: they must reach the tree (mkdtemp makes it 0700), write
    // the document roots and the lock database, and read the auth files.
    const { uid, gid } = lookupUser(RUN_AS);
    for (let d = path.dirname(runDir); d !== path.dirname(d); d = path.dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) {
        throw new Error(`Apache's workers (user ${RUN_AS}) can not reach ${runDir}: ${d} is not world-searchable. Point TMPDIR elsewhere.`);
      }
    }
    chmodSync(runDir, 0o711);
    chmodSync(root, 0o711);
    for (const d of ['htdocs', 'htdocs/dav', 'htdocs/digest', 'lock', 'auth', 'auth/htpasswd', 'auth/htdigest']) {
      chownSync(path.join(root, d), uid, gid);
    }
  }
  return root;
}

/** One Apache httpd run in the foreground (runApache). */
export interface ApacheRun {
  /** A loopback config under test/ (apache.conf, scale/balancer.conf). */
  readonly config: string;
  /** Its ServerRoot, with logs/ and run/ in it. */
  readonly root: string;
  /** More `-C Define` lines besides DAVGATE_ROOT and DAVGATE_PORT. */
  readonly defines?: Readonly<Record<string, string>>;
  /** A path that answers once the server is up. */
  readonly alivePath: string;
  /** The name in messages ("apache2", "apache2 (balancer)"). */
  readonly name: string;
  /** Hears of the process as soon as it is spawned (an exit guard). */
  readonly spawned?: (child: Child) => void;
  /** The port, for a restart on the same one; a free one otherwise. */
  readonly port?: number;
  /** Keep what an earlier run logged (a restart) instead of emptying the logs first. */
  readonly keepLogs?: boolean;
}

/**
 * Starts Apache on a loopback port with `run.config` and resolves once `run.alivePath`
 * answers; a server that never does is stopped and the start fails. As root it runs with
 * DAVGATE_AS_ROOT (the configs switch the workers to www-data). The stderr and error logs are
 * emptied first unless `keepLogs`: a retry must not see the previous attempt's errors.
 */
export async function runApache(binary: string, run: ApacheRun): Promise<{ port: number; child: Child; stop(): Promise<void> }> {
  const port = run.port ?? (await freePort());
  const args = ['-f', run.config, '-D', 'FOREGROUND', '-C', `Define DAVGATE_ROOT "${run.root}"`, '-C', `Define DAVGATE_PORT ${port}`];
  for (const [name, value] of Object.entries(run.defines ?? {})) args.push('-C', `Define ${name} ${value}`);
  if (process.getuid?.() === 0) args.splice(4, 0, '-D', 'DAVGATE_AS_ROOT');
  const logs = [path.join(run.root, 'logs', 'stderr.log'), path.join(run.root, 'logs', 'error.log')] as const;
  if (run.keepLogs !== true) for (const f of logs) writeFileSync(f, '');
  const child = spawnGroup(run.name, binary, args, { cwd: run.root, outputFile: logs[0], extraLogFiles: [logs[1]] });
  run.spawned?.(child);
  try {
    await waitUntilAnswering(child, `http://127.0.0.1:${port}${run.alivePath}`, 15000);
  } catch (err) {
    await stopGroup(child, 2000);
    throw err;
  }
  return { port, child, stop: () => stopGroup(child) };
}

/** Starts Apache on a free port, retrying on another port when the first was taken meanwhile. */
export async function startApache(binary: string, runDir: string, passwords: ApachePasswords): Promise<ApacheHandle> {
  const root = prepare(runDir, passwords);
  return startWithRetry(() => runApache(binary, { name: 'apache2', config: APACHE_CONFIG, root, alivePath: '/' }), apacheVersion(binary));
}
