'use strict';
/** Small helpers shared by the benches: environment knobs, timing, statistics, formatting. */

const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const v8 = require('node:v8');

function envNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

function envList(name, fallback, separator = ',') {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(separator).map((s) => s.trim()).filter((s) => s !== '');
}

const quick = process.env.BENCH_QUICK === '1';

/**
 * How a document of n responses is measured: `rounds` child processes per row, interleaved
 * with the other rows (so a burst of load from elsewhere on the machine spreads over all
 * rows instead of landing on one); in total at least `reps` timed runs and, for small
 * documents, more until `minMs` of timed work (capped at `maxReps`), so that a 1k median is
 * not a handful of noisy milliseconds. Each child first warms up for `warmup` runs and at
 * least `warmMs` on a 1k document.
 */
function repetitionPlan(n) {
  const large = n >= 50000;
  return {
    rounds: Math.max(1, large ? envNumber('BENCH_ROUNDS_LARGE', quick ? 1 : 2) : envNumber('BENCH_ROUNDS', quick ? 2 : 3)),
    reps: large ? envNumber('BENCH_REPS_LARGE', quick ? 2 : 6) : envNumber('BENCH_REPS', quick ? 5 : 9),
    minMs: large ? 0 : envNumber('BENCH_MIN_MS', quick ? 400 : 1500),
    maxReps: envNumber('BENCH_MAX_REPS', 300),
    warmup: envNumber('BENCH_WARMUP', 3),
    warmMs: envNumber('BENCH_WARM_MS', quick ? 200 : 500),
  };
}

/** One child's share of a plan. */
function childPlan(plan) {
  return {
    reps: Math.ceil(plan.reps / plan.rounds),
    minMs: plan.minMs / plan.rounds,
    maxReps: Math.ceil(plan.maxReps / plan.rounds),
    warmup: plan.warmup,
    warmMs: plan.warmMs,
  };
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1); good enough for test data and resampling. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A full GC, or with kind 'minor' a scavenge of the young generation only (V8's gc({ type: 'minor' })). */
function gc(kind = 'full') {
  if (typeof globalThis.gc !== 'function') return;
  if (kind === 'minor') globalThis.gc({ type: 'minor' });
  else globalThis.gc();
}

/** Bytes in use in the old generation (old space and large objects), where what a scavenge promotes lands. */
function oldGenerationBytes() {
  let bytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name === 'old_space' || space.space_name === 'large_object_space') bytes += space.space_used_size;
  return bytes;
}

/**
 * `gc(kind)`, answering for a scavenge ('minor') how much the old generation grew across it:
 * the bytes it promoted, young objects it found alive after surviving an earlier one. 0 for a
 * full GC, which shrinks the old generation instead.
 */
function gcPromoted(kind) {
  if (kind !== 'minor') {
    gc(kind);
    return 0;
  }
  const before = oldGenerationBytes();
  gc(kind);
  return Math.max(0, oldGenerationBytes() - before);
}

function isPromise(value) {
  return value !== null && typeof value === 'object' && typeof value.then === 'function';
}

/**
 * Times `fn` (sync or async). `warm` runs first, untimed, `plan.warmup` times and at least
 * `plan.warmMs` (usually the same work on a small document, so the JIT is warm without
 * paying for a large one). A full
 * GC precedes every timed run and is not part of it. Returns the samples in ms and the
 * last result.
 */
async function measure(fn, warm, plan) {
  const warmStart = performance.now();
  for (let i = 0; i < plan.warmup || performance.now() - warmStart < plan.warmMs; i++) {
    const r = warm();
    if (isPromise(r)) await r;
  }
  const samples = [];
  let last;
  let total = 0;
  while (samples.length < plan.reps || (total < plan.minMs && samples.length < plan.maxReps)) {
    last = undefined;
    gc();
    const t0 = performance.now();
    let r = fn();
    if (isPromise(r)) r = await r;
    const dt = performance.now() - t0;
    last = r;
    samples.push(dt);
    total += dt;
  }
  return { samples, last };
}

function cpuModel() {
  const cpus = os.cpus();
  return cpus.length === 0 ? 'unknown' : `${cpus[0].model.trim()} (${cpus.length} logical cores)`;
}

function versionOf(pkg) {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    try {
      const fs = require('node:fs');
      const file = path.join(__dirname, '..', 'node_modules', pkg, 'package.json');
      return JSON.parse(fs.readFileSync(file, 'utf8')).version;
    } catch {
      return 'not installed';
    }
  }
}

/** A markdown table from a header row and rows of cells. */
function markdownTable(header, rows, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (text, i) => (align?.[i] === 'r' ? String(text).padStart(widths[i]) : String(text).padEnd(widths[i]));
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (align?.[i] === 'r' ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function fixed(value, digits) {
  return value === undefined || value === null || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

function ms(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}


/** The commit dist/ was built from, and whether the tree had changes. */
function gitRevision() {
  try {
    const opts = { cwd: path.join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], opts).trim() !== '';
    return `${head}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}

module.exports = { gitRevision, envNumber, envList, quick, repetitionPlan, childPlan, prng, median, gc, gcPromoted, measure, cpuModel, versionOf, markdownTable, fixed, ms };
