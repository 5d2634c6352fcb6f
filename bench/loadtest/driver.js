'use strict';
/**
 * The load itself: workers (virtual users) that each send one iteration (workload.js) at a
 * time to a target (targets.js) until their step's deadline, the answers settled in the
 * phase's ledger and every request noted (when it started, how long it took, how it ended).
 * A step ends when its last iteration has been answered, so its numbers are for its
 * concurrency alone.
 */

const { performance } = require('node:perf_hooks');
const { nextIteration } = require('./workload.js');
const { cpuSecondsOf, groupCpuSeconds } = require('./procs.js');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * What a polite client does before its next batch: after a shed 503, what Retry-After says
 * (1 s when absent, 5 s at most); after a batch of which nothing succeeded, 100 ms. Without
 * it a worker would spin on instant refusals, which measures the load generator.
 */
function backoffMs(outcome, answer) {
  if (outcome === 'shed') {
    const seconds = Number(answer.retryAfter);
    return Math.min(5000, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000);
  }
  return outcome === 'failed' || outcome === 'request failed' || outcome === 'no answer' ? 100 : 0;
}

let idCounter = 0;
const nextId = () => `o${(++idCounter).toString(36)}`;

/** Set by run.js on SIGINT or the watchdog: workers stop after their current iteration. */
const control = { stop: false };

function faceFor(target, face, worker) {
  if (target.kind === 'direct') return 'direct';
  if (face !== 'mixed') return face;
  return (worker.index + worker.iteration) % 2 === 0 ? 'rest' : 'graphql';
}

/** How a request ended, from its answer: ok, partial, failed, shed, request failed, no answer. */
function outcomeOf(answer) {
  if (answer.shed) return { outcome: 'shed', okOps: 0 };
  if (answer.failed !== undefined) return { outcome: /^(no answer|client)/.test(answer.failed) ? 'no answer' : 'request failed', okOps: 0 };
  const okOps = answer.results.filter((r) => r.kind === 'Success' || r.kind === 'Created').length;
  const outcome = okOps === answer.results.length ? 'ok' : okOps === 0 ? 'failed' : 'partial';
  return { outcome, okOps };
}

function codesOf(answer) {
  if (answer.results === undefined) return answer.shed ? { [answer.code]: 1 } : { [answer.failed]: 1 };
  const codes = {};
  for (const r of answer.results) {
    if (r.kind === 'Success' || r.kind === 'Created') continue;
    const code = r.code ?? r.kind;
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return codes;
}

/**
 * Runs `steps` ([{ concurrency, seconds, label, timed }]) of a phase against `target`; the
 * workers are the phase's (workers[0..C-1] in a step of concurrency C). Returns every request
 * and per-step times and CPU (this process, the gateway, Apache's group).
 */
async function runSteps({ target, face, workers, steps, ledger, phaseStart, cpu }) {
  const requests = [];
  const stepsOut = [];
  for (const [index, step] of steps.entries()) {
    if (control.stop) break;
    const cpu0 = cpuNow(cpu);
    const start = performance.now();
    const deadline = start + step.seconds * 1000;
    const loop = async (worker) => {
      while (performance.now() < deadline && !control.stop) {
        const ops = nextIteration(worker, nextId);
        const via = faceFor(target, face, worker);
        const t0 = performance.now();
        const answer = await target.send(ops, via);
        const ms = performance.now() - t0;
        ledger.settle(ops, answer);
        const { outcome, okOps } = outcomeOf(answer);
        const pause = backoffMs(outcome, answer);
        requests.push({
          step: index,
          t: Math.round(t0 - phaseStart),
          ms: Number(ms.toFixed(2)),
          face: via,
          worker: worker.index,
          http: answer.http,
          outcome,
          ops: ops.length,
          okOps,
          ...(outcome === 'ok' ? {} : { codes: codesOf(answer) }),
          ...(answer.retryAfter === undefined ? {} : { retryAfter: answer.retryAfter }),
        });
        if (pause > 0) await sleep(Math.min(pause, deadline - performance.now()));
      }
    };
    await Promise.all(workers.slice(0, step.concurrency).map(loop));
    const end = performance.now();
    const cpu1 = cpuNow(cpu);
    stepsOut.push({ ...step, index, start: start - phaseStart, durationMs: end - start, cpu: cpuShare(cpu0, cpu1, end - start) });
  }
  return { requests, steps: stepsOut };
}

function cpuNow(cpu) {
  const own = process.cpuUsage();
  return {
    client: (own.user + own.system) / 1e6,
    gateway: cpu?.gatewayPid === undefined ? undefined : cpuSecondsOf(cpu.gatewayPid),
    apache: cpu?.apachePgid === undefined ? undefined : groupCpuSeconds(cpu.apachePgid()),
  };
}

/** CPU use over an interval, in % of one core. */
function cpuShare(a, b, ms) {
  const pct = (k) => (a[k] === undefined || b[k] === undefined ? undefined : (100 * (b[k] - a[k])) / (ms / 1000));
  return { client: pct('client'), gateway: pct('gateway'), apache: pct('apache') };
}

/** Nearest-rank percentile of a sorted array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Throughput, latency and errors of a set of requests over `durationMs`. */
function summarize(requests, durationMs) {
  const lat = requests.map((r) => r.ms).sort((a, b) => a - b);
  const ops = requests.reduce((n, r) => n + r.ops, 0);
  const okOps = requests.reduce((n, r) => n + r.okOps, 0);
  const outcomes = {};
  for (const r of requests) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return {
    batches: requests.length,
    ops,
    opsPerS: ops / (durationMs / 1000),
    batchesPerS: requests.length / (durationMs / 1000),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat.at(-1),
    errorRate: ops === 0 ? 0 : (ops - okOps) / ops,
    outcomes,
    byFace: latencyByFace(requests),
  };
}

/** p50 and p99 per face (rest, graphql, direct). */
function latencyByFace(requests) {
  const out = {};
  for (const face of new Set(requests.map((r) => r.face))) {
    const lat = requests.filter((r) => r.face === face).map((r) => r.ms).sort((a, b) => a - b);
    out[face] = { n: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99) };
  }
  return out;
}

module.exports = { runSteps, summarize, control, nextId };
