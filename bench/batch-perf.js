'use strict';
/**
 * BENCH_BATCH_PERF=1: where the gateway processes' CPU goes, from Linux `perf` rather than
 * V8's profiler. `perf record -e cpu-clock -g` samples the gateway (and the floor, and the
 * baseline build, when their paths run) through the timed rounds of the last concurrency;
 * they run with --perf-basic-prof-only-functions so that JIT code has names. Each sample is
 * charged to the package of its innermost JavaScript frame, so that the builtins, runtime
 * calls and syscalls a function makes count as its own; V8's GC and compiler count apart, as
 * does native work with no JavaScript on the stack (the event loop, socket reads and writes
 * libuv does itself, IPC). The forced GCs between phases are left out, as they are not timed:
 * the main thread's by its stack, the helper threads' share of them by the time (a helper's GC
 * sample within a millisecond of one of the main thread's forced-GC samples).
 *
 * Why not the inspector's profiler (BENCH_BATCH_PROFILE): its samples land where the main
 * thread was when the sampling thread got to run, so time the process spent preempted inside
 * a syscall shows up as that syscall's self time (writev and writeLatin1String took 40% of
 * the gateway's profile while being the same in the floor's), and it cannot see V8's helper
 * threads (GC, compilation). `perf` counts CPU time only, on every thread.
 *
 * Each process is sampled for whole rounds; it is idle during the other paths' phases, so its
 * CPU per round is its CPU per run of its own path, plus the IPC of the bench's probes.
 */

const fs = require('node:fs');
const { spawn, spawnSync } = require('node:child_process');

/** The node options the sampled processes need: names for JIT code in /tmp/perf-<pid>.map. */
const PERF_NODE_ARGS = ['--perf-basic-prof-only-functions'];

/** V8's collector, on the main thread or a helper, by C++ symbol. */
const GC = /Scaveng|Heap::|MarkCompact|Marking|Sweeper|Evacuat|heap::|MemoryAllocator|NewSpace|PagedSpace/;
const COMPILER = /compiler::|maglev::|Maglev|OptimizingCompile|Compiler::|interpreter::|parsing::|Parser/;

function checkPerf() {
  const probe = spawnSync('perf', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error('BENCH_BATCH_PERF needs Linux perf (Debian: apt-get install -y linux-perf), and the right to sample these processes (root, or kernel.perf_event_paranoid ≤ 1)');
}

/** The package a JIT frame's source belongs to. */
function ownerOf(frame) {
  if (frame.includes('wasm-function')) return 'undici (llhttp, wasm)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame);
  if (pkg !== null) return pkg[1];
  if (/\/dist\//.test(frame)) return 'davgate (dist/)';
  if (/\/bench\//.test(frame)) return 'bench code';
  return 'node internals';
}

/** Whether a perf frame is JIT code with a name from the perf map (`JS:*name file:line:col`). */
function isJsFrame(frame) {
  return frame.includes(' JS:') || frame.startsWith('JS:');
}

/** One sample's category: its innermost JS frame's (`js`) package, GC, compiler, or native. */
function categoryOf(frames, js) {
  if (frames.some((f) => GC.test(f))) return 'V8 GC';
  if (js === undefined && frames.some((f) => COMPILER.test(f))) return 'V8 compiler';
  if (js === undefined) return 'native, no JS on the stack (event loop, I/O, IPC)';
  return ownerOf(js);
}

/**
 * Starts `perf record` on the processes (`{ name: pid }`; checkPerf first), writing to `file`;
 * `stop()` ends it and answers the CPU per round by category and process, in ms, main thread
 * and helper threads apart (`rows`), and each process's hottest JavaScript functions on the
 * main thread, by innermost JS frame, in ms per round (`functions`).
 */
async function perfRecorder(processes, file) {
  const pids = Object.values(processes);
  const perf = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '2000', '-g', '-p', pids.join(','), '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  perf.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => perf.once('exit', (code, signal) => resolve(signal ?? code)));
  // perf writes its header once it is attached.
  for (let i = 0; i < 100 && !(fs.existsSync(file) && fs.statSync(file).size > 0); i++) await new Promise((r) => setTimeout(r, 20));
  return {
    async stop(rounds) {
      perf.kill('SIGINT');
      const how = await exited;
      if (how !== 0 && how !== 'SIGINT') throw new Error(`perf record ended with ${how}: ${stderr.trim().slice(-300)}`);
      try {
        return attribute(file, processes, rounds);
      } finally {
        fs.rmSync(file, { force: true });
        for (const pid of pids) fs.rmSync(`/tmp/perf-${pid}.map`, { force: true });
      }
    },
  };
}

/** How near (ms) a helper thread's GC sample must be to the main thread's forced GC to count as part of it. */
const FORCED_SLACK_MS = 1;

function attribute(file, processes, rounds) {
  const names = new Map(Object.entries(processes).map(([name, pid]) => [String(pid), name]));
  const script = spawnSync('perf', ['script', '-i', file, '-F', 'pid,tid,time,period,ip,sym'], { encoding: 'utf8', maxBuffer: 2 ** 31 - 1 });
  if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr.trim().slice(-300)}`);
  const samples = [];
  const forced = new Map(); // pid → times (ms) of the main thread's samples in the forced GC between phases
  for (const block of script.stdout.split('\n\n')) {
    const lines = block.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const head = /^(\d+)\/(\d+)\s+([\d.]+):\s+(\d+)/.exec(lines[0] ?? '');
    if (head === null || !names.has(head[1])) continue;
    const frames = lines.slice(1).map((l) => l.replace(/^[0-9a-f]+\s+/, ''));
    const sample = { pid: head[1], main: head[1] === head[2], ms: Number(head[3]) * 1000, ns: Number(head[4]), frames };
    if (frames.some((f) => f.includes('bench/common.js'))) (forced.get(sample.pid) ?? forced.set(sample.pid, []).get(sample.pid)).push(sample.ms);
    else samples.push(sample);
  }
  const ms = {}; // category → name → { main, helpers } in ns
  const fns = {}; // name → innermost JS frame → ns, main thread
  for (const sample of samples) {
    const js = sample.frames.find(isJsFrame);
    const category = categoryOf(sample.frames, js);
    if (sample.main && js !== undefined && category !== 'V8 GC') {
      const fn = shortFrame(js);
      const own = (fns[names.get(sample.pid)] ??= new Map());
      own.set(fn, (own.get(fn) ?? 0) + sample.ns);
    }
    // The helpers' share of a forced (parallel) scavenge: a GC sample while the main thread was in one.
    if (!sample.main && category === 'V8 GC' && near(forced.get(sample.pid), sample.ms)) continue;
    ((ms[category] ??= {})[names.get(sample.pid)] ??= { main: 0, helpers: 0 })[sample.main ? 'main' : 'helpers'] += sample.ns;
  }
  const perRound = (ns) => ns / 1e6 / rounds;
  const rows = Object.entries(ms)
    .map(([category, byName]) => ({ category, ...Object.fromEntries(Object.entries(byName).map(([name, t]) => [name, { main: perRound(t.main), helpers: perRound(t.helpers) }])) }))
    .sort((a, b) => total(b) - total(a));
  const functions = Object.fromEntries(Object.entries(fns).map(([name, byFrame]) => [name, [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS).map(([frame, ns]) => ({ frame, ms: perRound(ns) }))]));
  return { rows, functions };
}

/** How many of each process's hottest JavaScript functions (main thread, by innermost frame) the report lists. */
const TOP_FUNCTIONS = 25;

/**
 * A JIT frame as `name file:line:col`, the tier mark left out and the file shortened: from its
 * package on (`node_modules/@apollo/server/dist/…`, the innermost package of a nested
 * node_modules), else from davgate's `dist/` or `bench/`.
 */
function shortFrame(frame) {
  const text = frame.replace(/^.*?JS:[*~^+]?/, '').replace(/\s+\(.*\)$/, '');
  const at = text.lastIndexOf(' ');
  const name = text.slice(0, at + 1);
  const file = text.slice(at + 1);
  const pkg = file.lastIndexOf('/node_modules/');
  if (pkg >= 0) return name + file.slice(pkg + 1);
  const own = /\/(?:dist|bench)\//.exec(file);
  return own === null ? text : name + file.slice(own.index + 1);
}

/** Whether some time in the sorted list `times` is within FORCED_SLACK_MS of `t`. */
function near(times, t) {
  if (times === undefined) return false;
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return (lo < times.length && times[lo] - t <= FORCED_SLACK_MS) || (lo > 0 && t - times[lo - 1] <= FORCED_SLACK_MS);
}

function total(row) {
  return Object.entries(row).reduce((sum, [key, t]) => (key === 'category' ? sum : sum + t.main + t.helpers), 0);
}

module.exports = { perfRecorder, PERF_NODE_ARGS, checkPerf };
