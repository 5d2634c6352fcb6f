'use strict';
/**
 * Process plumbing of the batch bench: the forked helpers driven over IPC (batch-servers.js,
 * batch-gateway.js, loadtest/floor-gateway.js), where the servers' run directory goes, and the
 * per-phase CPU profiler.
 */

const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { fork, execFileSync } = require('node:child_process');
const { cpuProfiler } = require('./cpu-profiler.js');

/**
 * Where Apache's run directory (document root included) goes: BENCH_BATCH_TMPDIR, else
 * /dev/shm when it is a writable tmpfs, so that the disk's noise stays out of the numbers.
 */
function serversTmpdir() {
  const wanted = process.env.BENCH_BATCH_TMPDIR;
  if (wanted !== undefined && wanted !== '') return wanted;
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    if (fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/dev/shm' && l.split(' ')[2] === 'tmpfs')) return '/dev/shm';
  } catch {
    // no /dev/shm or no /proc: the default temporary directory
  }
  return os.tmpdir();
}

function filesystemOf(dir) {
  try {
    return execFileSync('df', ['--output=fstype', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').at(-1);
  } catch {
    return 'unknown';
  }
}

/** A forked child driven by request/answer messages, one at a time. */
function driven(file, execArgv, name, env = process.env) {
  const child = fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending;
  let exitInfo;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exitInfo = signal ?? code))));
  child.on('message', (message) => {
    const p = pending;
    if (p === undefined) return;
    if (message?.type === 'error') {
      pending = undefined;
      p.reject(new Error(`${name}: ${message.message}`));
    } else if (p.answer.includes(message?.type)) {
      pending = undefined;
      p.resolve(message);
    }
  });
  void exited.then(() => pending?.reject(new Error(`${name} exited (${exitInfo}) while the bench waited for it`)));
  return {
    child,
    exited,
    /** Sends `message` (unless undefined) and resolves with the next answer whose type is in `answer`. */
    call(message, answer, timeoutMs = 60000) {
      if (exitInfo !== undefined) return Promise.reject(new Error(`${name} has exited (${exitInfo})`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no ${answer.join('/')} within ${timeoutMs} ms`)), timeoutMs);
        pending = { answer, resolve: (m) => (clearTimeout(timer), resolve(m)), reject: (e) => (clearTimeout(timer), reject(e)) };
        if (message !== undefined) child.send(message);
      });
    },
    /** Asks it to stop; SIGTERM after `graceMs`, SIGKILL after twice that. */
    async stop(graceMs = 20000) {
      if (exitInfo !== undefined) return undefined;
      const answer = child.connected ? this.call({ type: 'stop' }, ['stopped'], graceMs).catch(() => undefined) : Promise.resolve(undefined);
      const term = setTimeout(() => child.kill('SIGTERM'), graceMs);
      const kill = setTimeout(() => child.kill('SIGKILL'), 2 * graceMs);
      const result = await answer;
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
      return result;
    },
  };
}

/**
 * Forks the floor gateway (loadtest/floor-gateway.js) in front of Apache with these node
 * options (credentials in LOADTEST_FLOOR_* variables, 'ready' with the port), for the batch
 * bench and the load test. Resolves with the driven child and its port; stops it when it never
 * gets ready.
 */
async function startFloor(apache, execArgv = []) {
  const floor = driven(path.join(__dirname, 'loadtest', 'floor-gateway.js'), execArgv, 'floor-gateway', {
    ...process.env,
    LOADTEST_FLOOR_BACKEND_URL: apache.url,
    LOADTEST_FLOOR_USERNAME: apache.username,
    LOADTEST_FLOOR_PASSWORD: apache.password,
  });
  try {
    const { port } = await floor.call(undefined, ['ready'], 20000);
    return { floor, port };
  } catch (error) {
    await floor.stop(2000);
    throw error;
  }
}

/**
 * The CPU profiler of the process doing a path's work (the gateway's or the floor's process
 * for those paths, this one for the others), switched on for the timed phases only; collects
 * one profile per phase. `procs`: { gateway, floor }, the driven children.
 */
function phaseProfiler(target, procs) {
  const profiles = [];
  const proc = procs[target]; // the gateway or the floor: profiled in its own process, over IPC
  if (proc !== undefined) {
    return {
      profiles,
      start: () => proc.call({ type: 'profile-start' }, ['profile-started']),
      stop: async () => profiles.push((await proc.call({ type: 'profile-stop' }, ['profile'], 120000)).profile),
    };
  }
  const profiler = cpuProfiler();
  return {
    profiles,
    start: () => profiler.start(),
    stop: async () => profiles.push(await profiler.stop()),
  };
}

module.exports = { serversTmpdir, filesystemOf, driven, startFloor, phaseProfiler };
