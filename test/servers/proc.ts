/**
 * Process plumbing for the test servers: free ports, children in their own process group,
 * readiness polling, stopping a whole group, and the error text when a server will not start.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

/** A port on 127.0.0.1 that was free a moment ago (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}

const APACHE_MODULES = '/usr/lib/apache2/modules';

/**
 * The executables' absolute paths, by name. When any of them or of the Apache modules is
 * missing it throws, naming all that is and how to install it: a test that needs a server
 * fails rather than skips. `why` opens the message, `install` ends it.
 */
export function requireTools(why: string, executables: readonly string[], apacheModules: readonly string[], install: string): Record<string, string> {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of executables) {
    const file = findExecutable(name);
    if (file === undefined) missing.push(name);
    else found[name] = file;
  }
  if (found['apache2'] !== undefined) {
    for (const m of apacheModules) if (!existsSync(path.join(APACHE_MODULES, m))) missing.push(`${APACHE_MODULES}/${m}`);
  }
  if (missing.length > 0) throw new Error(`${why} Missing: ${missing.join(', ')}.\n${install}`);
  return found;
}

/** Absolute path of an executable from PATH or the sbin directories (apache2 lives in /usr/sbin). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The last `lines` lines of each existing file, labelled, for error messages. */
export function tailOf(files: readonly string[], lines = 25): string {
  const parts: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8').trimEnd();
    if (text === '') continue;
    parts.push(`--- ${file} (last ${lines} lines)\n${text.split('\n').slice(-lines).join('\n')}`);
  }
  return parts.length > 0 ? parts.join('\n') : '(no output)';
}

export interface Child {
  readonly name: string;
  /** Also the process group id: children are spawned detached (setsid). */
  readonly pid: number;
  /** Files holding the child's stdout/stderr and its own logs, for error messages. */
  readonly logFiles: readonly string[];
  /** Resolves with a description of how the process ended ("code 1", "signal SIGTERM"). */
  readonly exited: Promise<string>;
  hasExited(): boolean;
}

export interface SpawnOptions {
  readonly cwd: string;
  /** stdout and stderr both go to this file (appended). */
  readonly outputFile: string;
  /** More files worth showing when start-up fails (the server's error log). */
  readonly extraLogFiles?: readonly string[];
  /** The child's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts `command` as the leader of a new process group, output to a file (no pipes into the
 * jest process), unref'ed so a forgotten child can never keep jest alive.
 */
export function spawnGroup(name: string, command: string, args: readonly string[], opts: SpawnOptions): Child {
  const out = openSync(opts.outputFile, 'a');
  let child;
  try {
    child = spawn(command, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', out, out], env: opts.env ?? process.env });
  } finally {
    closeSync(out);
  }
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal !== null ? `signal ${signal}` : `code ${String(code)}`);
    });
    child.once('error', (err) => {
      done = true;
      resolve(`spawn error: ${err.message}`);
    });
  });
  child.unref();
  if (child.pid === undefined) {
    throw new Error(`${name}: could not spawn ${command}`);
  }
  return {
    name,
    pid: child.pid,
    logFiles: [opts.outputFile, ...(opts.extraLogFiles ?? [])],
    exited,
    hasExited: () => done,
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the whole group, wait up to `graceMs` for every member to go, then SIGKILL. */
export async function stopGroup(child: Child, graceMs = 5000): Promise<void> {
  signalGroup(child.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (child.hasExited() && !groupAlive(child.pid)) return;
    await sleep(25);
  }
  signalGroup(child.pid, 'SIGKILL');
  const hard = Date.now() + 2000;
  while (Date.now() < hard && (groupAlive(child.pid) || !child.hasExited())) await sleep(25);
  if (groupAlive(child.pid)) throw new Error(`${child.name}: process group ${child.pid} survived SIGKILL`);
}

/** For process 'exit' handlers: no waiting possible, so SIGKILL straight away. */
export function killGroupSync(pgid: number): void {
  signalGroup(pgid, 'SIGKILL');
}

/** One HTTP request with no connection reuse; resolves with the status, rejects on any network error. */
function probe(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'OPTIONS', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('timeout', () => req.destroy(new Error('probe timed out')));
    req.once('error', reject);
    req.end();
  });
}

export class ServerStartError extends Error {
  constructor(
    message: string,
    /** True when the server reported the port as taken: worth retrying on another port. */
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = 'ServerStartError';
  }
}

/**
 * Starts a server with `startOnce`, again on another port (up to 5 tries) when the port it
 * chose was taken meanwhile, and adds its version, read concurrently with the start-up; a
 * server whose version cannot be read is stopped again.
 */
export async function startWithRetry<H extends { stop(): Promise<void> }>(
  startOnce: () => Promise<H>,
  version: Promise<string>,
): Promise<H & { version: string }> {
  version.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
  let handle: H;
  for (let attempt = 1; ; attempt++) {
    try {
      handle = await startOnce();
      break;
    } catch (err) {
      if (!(err instanceof ServerStartError && err.addressInUse && attempt < 5)) throw err;
    }
  }
  try {
    return { ...handle, version: await version };
  } catch (err) {
    await handle.stop();
    throw err;
  }
}

/**
 * Waits until `url` answers any HTTP status (401 counts: the server is up). Fails early when the
 * child exits, and after `timeoutMs` otherwise, with the tail of the child's output and logs.
 */
export async function waitUntilAnswering(child: Child, url: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  let lastError = '';
  while (Date.now() - started < timeoutMs) {
    if (child.hasExited()) break;
    try {
      await probe(url, 1000);
      return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await Promise.race([sleep(50), child.exited]);
  }
  const how = child.hasExited() ? `exited (${await child.exited}) before answering` : `did not answer within ${timeoutMs} ms (last error: ${lastError})`;
  const tail = tailOf(child.logFiles);
  throw new ServerStartError(`${child.name} (pid ${child.pid}) ${how} at ${url}\n${tail}`, /address already in use/i.test(tail));
}
