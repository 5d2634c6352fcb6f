'use strict';
/**
 * The load test's processes: the Apache holder, the slow proxy and the floor gateway (forked,
 * driven over IPC with bench/batch-procs.js's `driven`), the gateway as `node bin/davgate.js
 * serve` (its own process, configured by environment only), and what is read of them from
 * /proc: resident memory and CPU time. Everything started here is registered so that
 * `killAllSync` can end it from an exit handler; the gateway also watches its parent
 * (gateway-preload.js), the forked helpers their IPC channel.
 */

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn, execFileSync } = require('node:child_process');
const { driven, startFloor } = require('../batch-procs.js');

const ROOT = path.join(__dirname, '..', '..');
const live = { gateways: new Set(), apachePgid: undefined };

let clockTicks;
/** Clock ticks per second of /proc/<pid>/stat's CPU times. */
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** { rssKB, hwmKB } of a process from /proc/<pid>/status; undefined when it is gone. */
function memoryOf(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKB: kb('VmRSS'), hwmKB: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The fields of /proc/<pid>/stat after the command name (state is [0], pgrp [2], utime [11], stime [12]). */
function statFields(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) of one process. */
function cpuSecondsOf(pid) {
  const f = statFields(pid);
  return f === undefined ? 0 : (Number(f[11]) + Number(f[12])) / ticksPerSecond();
}

/** CPU seconds of every live process of a process group (Apache's parent and its children). */
function groupCpuSeconds(pgid) {
  let total = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(name);
    if (f !== undefined && Number(f[2]) === pgid) total += (Number(f[11]) + Number(f[12])) / ticksPerSecond();
  }
  return total;
}

/** Forks the Apache holder; resolves with it and Apache's description once Apache answers. */
async function startApacheHolder(tmpdir) {
  const holder = driven(path.join(__dirname, 'apache-holder.js'), [], 'apache-holder', { ...process.env, LOADTEST_SERVERS_TMPDIR: tmpdir });
  const info = await holder.call(undefined, ['ready'], 90000);
  live.apachePgid = info.pgid;
  return { holder, info };
}

async function startSlowProxy(targetPort) {
  const proxy = driven(path.join(__dirname, 'slow-proxy.js'), [], 'slow-proxy', { ...process.env, LOADTEST_PROXY_TARGET_PORT: String(targetPort) });
  const { port } = await proxy.call(undefined, ['ready'], 20000);
  return { proxy, port };
}

/**
 * Forks the floor gateway (floor-gateway.js, the benchmark baseline) in front of Apache; it
 * answers { type: 'ready', port } and exits when this process goes away (IPC disconnect).
 */
async function startFloorGateway(apache) {
  const { floor, port } = await startFloor(apache);
  return { label: 'floor', url: `http://127.0.0.1:${port}`, pid: floor.child.pid, stop: () => floor.stop(5000) };
}

/**
 * Starts `node bin/davgate.js serve` with the given DAVGATE_* variables (on top of this
 * process's environment, minus any DAVGATE_* of its own, with NODE_ENV=production) and waits for
 * "davgate listening on <url>". Log lines (pino JSON on stdout, anything on stderr) are
 * counted by level and message; the first ones are kept.
 */
function startGateway(vars, label) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DAVGATE_')));
  // LOADTEST_GATEWAY_NODE_OPTIONS: extra node options for the gateway, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof.
  const extra = (process.env.LOADTEST_GATEWAY_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--expose-gc', '--require', path.join(__dirname, 'gateway-preload.js'), path.join(ROOT, 'bin', 'davgate.js'), 'serve'], {
    cwd: ROOT,
    // NODE_ENV=production as the image runs it (Dockerfile): graphql-js then skips its development-mode
    // instanceOf checks on every type test, which cost the GraphQL face a few per cent of its CPU.
    env: { ...env, NODE_ENV: 'production', DAVGATE_HOST: '127.0.0.1', DAVGATE_PORT: '0', DAVGATE_LOG_LEVEL: 'warn', ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.gateways.add(child.pid);
  const logs = { lines: 0, byLevel: {}, byMessage: new Map(), first: [], other: [] };
  let exitInfo;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exitInfo = signal ?? `code ${code}`))));
  void exited.then(() => live.gateways.delete(child.pid));
  const heapWaiters = [];
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway ${label}: no "davgate listening on" within 30 s; log: ${[...logs.other, ...logs.first].join(' | ')}`)), 30000);
    void exited.then((how) => reject(new Error(`gateway ${label} exited (${how}) before listening; log: ${[...logs.other, ...logs.first].join(' | ')}`)));
    const onLine = (line) => {
      if (line.startsWith('davgate-loadtest-heap ')) {
        const heap = JSON.parse(line.slice('davgate-loadtest-heap '.length));
        for (const w of heapWaiters.splice(0)) w(heap);
        return;
      }
      const m = /davgate listening on (\S+)/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]);
        return;
      }
      noteLog(logs, line);
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
  });
  return url.then((u) => ({
    label,
    url: u,
    pid: child.pid,
    logs,
    exited: () => exitInfo,
    /** Heap used after a full GC in the gateway, in MB (gateway-preload.js); undefined if it does not answer in 10 s. */
    async heapAfterGc() {
      if (exitInfo !== undefined) return undefined;
      const answer = new Promise((resolve) => {
        heapWaiters.push(resolve);
        setTimeout(() => resolve(undefined), 10000).unref();
      });
      child.kill('SIGUSR2');
      const heap = await answer;
      return heap === undefined ? undefined : { heapUsedMB: heap.heapUsed / 2 ** 20, rssMB: heap.rss / 2 ** 20, externalMB: heap.external / 2 ** 20 };
    },
    /** SIGTERM (the gateway's clean stop), SIGKILL after `graceMs`; resolves with how long it took and how it ended. */
    async stop(graceMs = 15000) {
      const t0 = Date.now();
      if (exitInfo === undefined) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const how = await exited;
      clearTimeout(kill);
      return { stopMs: Date.now() - t0, how };
    },
  }));
}

const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function noteLog(logs, line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    // Not pino JSON: the start-up banner's other lines, kept as text apart from the log.
    if (logs.other.length < 20) logs.other.push(line.slice(0, 400));
    return;
  }
  logs.lines++;
  const level = LEVELS[entry.level] ?? String(entry.level);
  const message = `${entry.msg ?? ''}${entry.err?.code ? ` (${entry.err.code})` : entry.err?.message ? ` (${String(entry.err.message).slice(0, 120)})` : ''}`;
  logs.byLevel[level] = (logs.byLevel[level] ?? 0) + 1;
  logs.byMessage.set(`${level}: ${message}`, (logs.byMessage.get(`${level}: ${message}`) ?? 0) + 1);
  if (logs.first.length < 20) logs.first.push(line.slice(0, 400));
}

/** Samples a process's RSS every `intervalMs`, tagged with the current label. */
function rssSampler(intervalMs, t0) {
  const samples = [];
  let target;
  const timer = setInterval(() => {
    if (target === undefined) return;
    const mem = memoryOf(target.pid);
    if (mem !== undefined) samples.push({ t: (Date.now() - t0) / 1000, gateway: target.gateway, label: target.label, rssMB: mem.rssKB / 1024 });
  }, intervalMs);
  timer.unref();
  return {
    samples,
    watch(gateway, label) {
      target = gateway === undefined ? undefined : { pid: gateway.pid, gateway: gateway.label, label };
    },
    stop: () => clearInterval(timer),
  };
}

/** For exit handlers: no waiting possible. Wakes a stopped Apache (the holder stops it when its IPC channel closes) and kills the gateways. */
function killAllSync() {
  if (live.apachePgid !== undefined) {
    try {
      process.kill(-live.apachePgid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  for (const pid of live.gateways) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

module.exports = { startApacheHolder, startSlowProxy, startFloorGateway, startGateway, rssSampler, memoryOf, cpuSecondsOf, groupCpuSeconds, killAllSync, live };
