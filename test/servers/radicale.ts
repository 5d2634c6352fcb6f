/**
 * Radicale (Debian radicale) with htpasswd auth, users alice and bob (same password; owner_only
 * rights, so neither sees the other's collections). Config: radicale.conf beside this
 * file plus per-run command-line options; state under `<runDir>/radicale`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type Child, freePort, spawnGroup, startWithRetry, stopGroup, waitUntilAnswering } from './proc';

export const RADICALE_CONFIG = path.join(__dirname, 'radicale.conf');
const USER = 'alice';
/** A second user, for tests that two callers never see each other's data. */
export const SECOND_USER = 'bob';

export interface RadicaleHandle {
  readonly port: number;
  readonly version: string;
  readonly child: Child;
  stop(): Promise<void>;
}

/** "Radicale 3.1.8" from `radicale --version`. */
export async function radicaleVersion(binary: string): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ['--version']);
  return `Radicale ${stdout.trim()}`;
}

async function startOnce(binary: string, root: string): Promise<Omit<RadicaleHandle, 'version'>> {
  const port = await freePort();
  const output = path.join(root, 'radicale.log');
  writeFileSync(output, ''); // a retry must not see the previous attempt's errors
  // The `radicale` script, not `python3 -m radicale`: it names /usr/bin/python3, while the
  // python3 first on PATH (pyenv, venv) may not have the Debian package's module.
  const args = [
    '--config', RADICALE_CONFIG,
    '--server-hosts', `127.0.0.1:${port}`,
    '--auth-htpasswd-filename', path.join(root, 'users'),
    '--storage-filesystem-folder', path.join(root, 'collections'),
  ];
  const child = spawnGroup('radicale', binary, args, { cwd: root, outputFile: output });
  try {
    await waitUntilAnswering(child, `http://127.0.0.1:${port}/`, 20000);
  } catch (err) {
    await stopGroup(child, 2000);
    throw err;
  }
  return { port, child, stop: () => stopGroup(child) };
}

/** Starts Radicale on a free port, retrying on another port when the first was taken meanwhile. */
export async function startRadicale(binary: string, runDir: string, password: string): Promise<RadicaleHandle> {
  const root = path.join(runDir, 'radicale');
  mkdirSync(path.join(root, 'collections'), { recursive: true });
  // htpasswd_encryption = plain: "user:password" lines.
  writeFileSync(path.join(root, 'users'), `${USER}:${password}\n${SECOND_USER}:${password}\n`, { mode: 0o600 });
  return startWithRetry(() => startOnce(binary, root), radicaleVersion(binary));
}
