'use strict';
/**
 * Holder of the load test's Apache (forked by run.js): starts Apache httpd with mod_dav
 * through test/servers (startApache, via tsx as bench/batch-servers.js does; Basic auth on
 * /dav/, loopback, its own process group), and restarts it on demand on the same port with the
 * same document root, which startServers() cannot (it picks a new port each time).
 *
 *   ← { type: 'ready', url, username, password, version, pgid, root }
 *   → { type: 'restart', downMs }   stop the group (SIGTERM, SIGKILL after 5 s), wait downMs, start again
 *                                   ← { type: 'stopped-apache', stopMs } then { type: 'restarted', pgid, downMs }
 *   → { type: 'stop' }      stop the group, remove the run directory                   ← { type: 'stopped' }
 *
 * The parent SIGSTOPs and SIGCONTs the group itself (the "stops answering" fault). It stops
 * Apache when the parent goes away (IPC disconnect) or on SIGINT/SIGTERM/SIGHUP; a run
 * directory left by a holder killed with SIGKILL is swept at the next start.
 */

require('tsx/cjs');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { startApache, runApache, APACHE_CONFIG } = require('../../test/servers/apache.ts');
const { findExecutable, stopGroup, killGroupSync } = require('../../test/servers/proc.ts');

const PREFIX = 'davgate-loadtest-';
const tmp = process.env.LOADTEST_SERVERS_TMPDIR || os.tmpdir();

let dir;
let child;
let port;
let stopping;
let started;

/** Removes run directories of earlier holders that are gone, killing their Apache first. */
function sweep() {
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith(PREFIX)) continue;
    const stale = path.join(tmp, name);
    try {
      const owner = JSON.parse(fs.readFileSync(path.join(stale, 'owner.json'), 'utf8'));
      if (alive(owner.pid)) continue;
      const cmdline = `/proc/${owner.pgid}/cmdline`;
      if (fs.existsSync(cmdline) && fs.readFileSync(cmdline, 'utf8').includes(stale)) {
        process.kill(-owner.pgid, 'SIGCONT');
        killGroupSync(owner.pgid);
      }
      fs.rmSync(stale, { recursive: true, force: true });
    } catch {
      // not ours, or being created: leave it
    }
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function writeOwner() {
  fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, pgid: child.pid }));
}

/** Apache again as startApache ran it (test/servers/apache.ts runApache), on the same port, its logs kept. */
async function startAgain(binary) {
  const spawned = (c) => {
    child = c;
    writeOwner();
  };
  await runApache(binary, { name: 'apache2', config: APACHE_CONFIG, root: path.join(dir, 'apache'), alivePath: '/', port, keepLogs: true, spawned });
}

async function stopApache() {
  if (child === undefined) return;
  try {
    process.kill(-child.pid, 'SIGCONT'); // a stopped group would not act on SIGTERM
  } catch {
    // already gone
  }
  await stopGroup(child);
}

function stopAndExit(code) {
  stopping ??= (async () => {
    setTimeout(() => process.exit(code === 0 ? 1 : code), 20000).unref();
    try {
      await started;
      await stopApache();
      if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
      if (process.connected) process.send({ type: 'stopped' });
    } catch (error) {
      console.error(`apache-holder: stopping failed: ${error?.stack ?? error}`);
      code = code === 0 ? 1 : code;
    } finally {
      process.exit(code);
    }
  })();
  return stopping;
}

async function main() {
  const binary = findExecutable('apache2');
  if (binary === undefined) throw new Error('apache2 is not installed (apt-get install -y apache2; see test/servers/README.md)');
  sweep();
  dir = fs.mkdtempSync(path.join(tmp, PREFIX));
  fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, pgid: 0 }));
  const passwords = { basic: randomBytes(12).toString('base64url'), digest: randomBytes(12).toString('base64url') };
  const handle = await startApache(binary, dir, passwords);
  ({ child, port } = handle);
  writeOwner();
  process.on('message', (message) => {
    if (message?.type === 'restart') {
      const t0 = Date.now();
      stopApache()
        .then(() => process.send({ type: 'stopped-apache', stopMs: Date.now() - t0 }))
        .then(() => new Promise((resolve) => setTimeout(resolve, Number(message.downMs) || 0)))
        .then(() => startAgain(binary))
        .then(
          () => process.send({ type: 'restarted', pgid: child.pid, downMs: Date.now() - t0 }),
          (error) => process.send({ type: 'error', message: String(error?.stack ?? error) }),
        );
    }
  });
  return { url: `http://127.0.0.1:${port}/dav/`, username: 'alice', password: passwords.basic, version: handle.version, pgid: child.pid, root: path.join(dir, 'apache') };
}

process.on('message', (message) => {
  if (message?.type === 'stop') void stopAndExit(0);
});
process.on('disconnect', () => void stopAndExit(0));
for (const [signal, code] of Object.entries({ SIGHUP: 129, SIGINT: 130, SIGTERM: 143 })) process.on(signal, () => void stopAndExit(code));
// The last resort when this process dies without stopping: no Apache left running.
process.on('exit', () => {
  if (child !== undefined && !child.hasExited()) {
    try {
      process.kill(-child.pid, 'SIGCONT');
    } catch {
      // gone
    }
    killGroupSync(child.pid);
  }
});

started = main().then(
  (info) => {
    if (stopping === undefined && process.connected) process.send({ type: 'ready', ...info });
  },
  (error) => {
    if (process.connected) process.send({ type: 'error', message: String(error?.stack ?? error) });
    void stopAndExit(1);
  },
);
