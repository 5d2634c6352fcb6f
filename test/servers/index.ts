/**
 * Real WebDAV/CalDAV servers on loopback for the integration tests: Apache httpd with mod_dav
 * (Basic auth on /dav/, Digest auth on /digest/) and Radicale. jest's globalSetup starts them
 * once per run (test/global-setup.ts) and writes a JSON file whose path it puts in
 * DAVGATE_TEST_SERVERS; tests call testServers() to read it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ApacheHandle, startApache } from './apache';
import { atExit, forget, killOnExit } from './exit-guard';
import { type Child, killGroupSync, requireTools } from './proc';
import { type RadicaleHandle, startRadicale } from './radicale';

export interface ServerInfo {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:PORT/dav/ */
  url: string;
  username: string;
  password: string;
  /** e.g. "Apache/2.4.71 (Debian)", "Radicale 3.1.8" */
  version: string;
}

export interface TestServers {
  /** Apache mod_dav at /dav/, Basic auth, DavDepthInfinity On. */
  apache: ServerInfo;
  /** The same Apache at /digest/, Digest auth (realm "davgate-digest", MD5, qop=auth). */
  apacheDigest: ServerInfo;
  /** Radicale at http://127.0.0.1:PORT/ ; alice's calendars and address books live under /alice/. */
  radicale: ServerInfo;
}

/** Environment variable holding the path of the JSON file with the TestServers. */
export const SERVERS_ENV = 'DAVGATE_TEST_SERVERS';
/** Set to 1 to keep the run directory (logs, document roots) after the run. */
export const KEEP_ENV = 'DAVGATE_KEEP_SERVERS_DIR';
const DIR_PREFIX = 'davgate-servers-';
const OWNER_FILE = 'owner.json';

/** The `Authorization` header value for Basic auth with the server's credentials. */
export function basicAuth(info: ServerInfo): string {
  return `Basic ${Buffer.from(`${info.username}:${info.password}`, 'utf8').toString('base64')}`;
}

/** The server's credentials as davgate's configured Basic auth for a backend. */
export function basicCredentials(info: ServerInfo): { mode: 'basic'; username: string; password: string } {
  return { mode: 'basic', username: info.username, password: info.password };
}

let cached: TestServers | undefined;

/** The servers global setup started. Throws when the tests run without that setup. */
export function testServers(): TestServers {
  if (cached !== undefined) return cached;
  const file = process.env[SERVERS_ENV];
  if (file === undefined || file === '' || !existsSync(file)) {
    throw new Error(
      `${SERVERS_ENV} is ${file === undefined || file === '' ? 'not set' : `set to a missing file (${file})`}: the test servers ` +
        'are started by jest\'s globalSetup (test/global-setup.ts). Run the tests with `npm test` or `npx jest` from the ' +
        'repository root, so that jest.config.js is used.',
    );
  }
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<TestServers>;
  if (parsed.apache === undefined || parsed.apacheDigest === undefined || parsed.radicale === undefined) {
    throw new Error(`${file} (from ${SERVERS_ENV}) does not describe the test servers`);
  }
  cached = parsed as TestServers;
  return cached;
}

/** Fails with the install command when a server binary or Apache module is missing. */
function requireInstalled(): { apache2: string; radicale: string } {
  const tools = requireTools(
    'The tests need real servers on loopback: Apache httpd with mod_dav and Radicale.',
    ['apache2', 'radicale'],
    ['mod_dav.so', 'mod_dav_fs.so', 'mod_auth_digest.so', 'mod_auth_basic.so', 'mod_mpm_event.so'],
    'Install them (Debian/Ubuntu, as root):  apt-get install -y apache2 radicale\n(.ci/run does this and keeps the packaged services from starting on :80 and :5232.)',
  );
  return { apache2: tools['apache2'] as string, radicale: tools['radicale'] as string };
}

interface Owner {
  pid: number;
  groups: number[];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes run directories of earlier runs whose jest process is gone (killed with SIGKILL, say),
 * first killing their server groups, but only those whose command line names that directory.
 */
function sweepStaleRuns(): void {
  const tmp = os.tmpdir();
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = path.join(tmp, name);
    try {
      const ownerFile = path.join(dir, OWNER_FILE);
      if (existsSync(ownerFile)) {
        const owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as Owner;
        if (processAlive(owner.pid)) continue; // another run, still going
        for (const pgid of owner.groups) {
          const cmdline = `/proc/${pgid}/cmdline`;
          if (existsSync(cmdline) && readFileSync(cmdline, 'utf8').includes(dir)) killGroupSync(pgid);
        }
      } else if (Date.now() - statSync(dir).mtimeMs < 60_000) {
        continue; // being created right now
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours to judge; leave it
    }
  }
}

/**
 * The run directory of each server group still live: if jest exits or is interrupted without
 * global teardown, the exit guard kills the groups and then removes their directories.
 */
const live = new Map<number, string>();
let dirsGuarded = false;
function guard(child: Child, dir: string): void {
  live.set(child.pid, dir);
  killOnExit(child);
  if (dirsGuarded) return;
  dirsGuarded = true;
  atExit(() => {
    const dirs = new Set(live.values());
    live.clear();
    if (process.env[KEEP_ENV] === '1') return;
    for (const d of dirs) {
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        // the next run's sweep removes it
      }
    }
  });
}

function unguard(child: Child): void {
  live.delete(child.pid);
  forget(child);
}

function writeOwner(dir: string): void {
  const owner: Owner = { pid: process.pid, groups: [...live].filter(([, d]) => d === dir).map(([pgid]) => pgid) };
  writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner));
}

/**
 * Starts Apache and Radicale on free loopback ports with fresh state in a new temp directory.
 * `stop()` ends both process groups and removes the directory (unless DAVGATE_KEEP_SERVERS_DIR=1).
 */
export async function startServers(): Promise<{ servers: TestServers; stop(): Promise<void>; dir: string }> {
  const bin = requireInstalled();
  sweepStaleRuns();
  const dir = mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX));
  writeOwner(dir);
  const pw = (): string => randomBytes(12).toString('base64url');
  const passwords = { basic: pw(), digest: pw(), radicale: pw() };

  const track = <T extends ApacheHandle | RadicaleHandle>(p: Promise<T>): Promise<T> =>
    p.then((h) => {
      guard(h.child, dir);
      writeOwner(dir);
      return h;
    });
  const [apache, radicale] = await Promise.allSettled([
    track(startApache(bin.apache2, dir, { basic: passwords.basic, digest: passwords.digest })),
    track(startRadicale(bin.radicale, dir, passwords.radicale)),
  ]);

  const stopBoth = async (): Promise<void> => {
    await Promise.all(
      [apache, radicale].map(async (r) => {
        if (r.status !== 'fulfilled') return;
        await r.value.stop();
        unguard(r.value.child);
      }),
    );
  };
  if (apache.status === 'rejected' || radicale.status === 'rejected') {
    await stopBoth();
    const reasons = [apache, radicale].flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message ?? r.reason)] : []));
    throw new Error(`Could not start the test servers (run directory kept: ${dir})\n${reasons.join('\n\n')}`);
  }

  const a = `http://127.0.0.1:${apache.value.port}`;
  const servers: TestServers = {
    apache: { url: `${a}/dav/`, username: 'alice', password: passwords.basic, version: apache.value.version },
    apacheDigest: { url: `${a}/digest/`, username: 'alice', password: passwords.digest, version: apache.value.version },
    radicale: { url: `http://127.0.0.1:${radicale.value.port}/`, username: 'alice', password: passwords.radicale, version: radicale.value.version },
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await stopBoth();
      if (process.env[KEEP_ENV] !== '1') rmSync(dir, { recursive: true, force: true });
    })());
  return { servers, stop, dir };
}
