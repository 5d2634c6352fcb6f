'use strict';
/**
 * The phases of a run: the comparison (the same load through the gateway, straight to Apache
 * and through the floor gateway, step by step at rising concurrency) and the fault phases.
 * Each phase sets up its workers' collections straight on Apache, runs, then checks its ledger
 * against Apache.
 */

const { performance } = require('node:perf_hooks');
const { Ledger } = require('./ledger.js');
const { verify } = require('./verify.js');
const { createWorker, setupOperations } = require('./workload.js');
const { gatewayTarget, directTarget } = require('./targets.js');
const { runSteps, summarize, nextId } = require('./driver.js');
const { memoryOf, startFloorGateway } = require('./procs.js');
const { FAULT_INFO, gatewayFor, inject, timeline, nowSince } = require('./faults.js');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** After a phase, before the check: a SIGCONTed or restarted Apache may still be working off requests sent earlier. */
const SETTLE_MS = 2000;

/** MKCOL of each worker's collection and PUT of its b-0.bin, straight on Apache. */
async function setupWorkers(ctx, tag, n, ledger) {
  const workers = [];
  for (let i = 0; i < n; i++) {
    const worker = createWorker(i, `${ctx.root}lt-${ctx.runTag}-${tag}-w${i}/`);
    const { collection, put } = setupOperations(worker, nextId);
    await ctx.adminRequest('MKCOL', collection, {}, undefined, 201);
    await ctx.adminRequest('PUT', put.href, { 'content-type': put.contentType }, put.body, 201);
    ledger.seeded(collection, put);
    workers.push(worker);
  }
  return workers;
}

function ledgerSummary(ledger) {
  return { ...ledger.counts, stray: ledger.stray, anomalies: ledger.anomalies, outcomes: ledger.outcomeList() };
}

function httpCounts(requests) {
  const out = {};
  for (const r of requests) {
    const key = r.http === null ? (r.outcome === 'no answer' ? 'none' : 'direct') : String(r.http);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/**
 * Gateway, direct and floor, one step of each per concurrency (the floor when s.floor, REST
 * only: it has no GraphQL), then every ledger checked. The floor gateway lives for the
 * comparison only.
 */
async function runComparison(ctx) {
  const { s, sampler, mainGateway, apache } = ctx;
  const maxC = Math.max(...s.concurrency);
  const gwLedger = new Ledger('gateway');
  const directLedger = new Ledger('direct');
  const floorLedger = new Ledger('floor');
  const gwWorkers = await setupWorkers(ctx, 'gw', maxC, gwLedger);
  const directWorkers = s.direct ? await setupWorkers(ctx, 'direct', maxC, directLedger) : [];
  const floorWorkers = s.floor ? await setupWorkers(ctx, 'floor', maxC, floorLedger) : [];
  const gw = gatewayTarget(mainGateway.url, { connections: maxC + 4, timeoutMs: s.clientTimeoutMs });
  const direct = directTarget(new URL(apache.url).origin, ctx.authorization);
  let floorGateway;
  let floor;
  const apachePgid = () => apache.pgid;
  const run = (target, workers, ledger, concurrency, seconds, { face = s.face, gatewayPid = mainGateway.pid } = {}) =>
    runSteps({ target, face, workers, ledger, steps: [{ concurrency, seconds }], phaseStart: performance.now(), cpu: { gatewayPid, apachePgid } });
  try {
    if (s.floor) {
      floorGateway = await startFloorGateway(apache);
      floor = gatewayTarget(floorGateway.url, { connections: maxC + 4, timeoutMs: s.clientTimeoutMs });
      process.stderr.write(`loadtest: floor gateway ${floorGateway.url} (pid ${floorGateway.pid})\n`);
    }
    const runFloor = (concurrency, seconds) => run(floor, floorWorkers, floorLedger, concurrency, seconds, { face: 'rest', gatewayPid: floorGateway.pid });
    const warmC = Math.min(4, maxC);
    sampler.watch(mainGateway, 'warm-up');
    const warm = await run(gw, gwWorkers, gwLedger, warmC, s.warmupSeconds);
    // The heap that survives a full GC, after each gateway step (the gateway is idle then): what a leak would grow.
    const heap = [{ after: 'warm-up', ...(await mainGateway.heapAfterGc()) }];
    if (s.direct) await run(direct, directWorkers, directLedger, warmC, s.warmupSeconds);
    if (s.floor) await runFloor(warmC, s.warmupSeconds);
    const rows = [];
    const requests = { gateway: [...warm.requests], direct: [], floor: [] };
    for (const c of s.concurrency) {
      sampler.watch(mainGateway, `C=${c}`);
      const g = await run(gw, gwWorkers, gwLedger, c, s.stepSeconds);
      sampler.watch(mainGateway, 'idle (direct step)');
      heap.push({ after: `C=${c}`, ...(await mainGateway.heapAfterGc()) });
      const d = s.direct ? await run(direct, directWorkers, directLedger, c, s.stepSeconds) : undefined;
      if (s.floor) sampler.watch(mainGateway, 'idle (floor step)');
      const f = s.floor ? await runFloor(c, s.stepSeconds) : undefined;
      requests.gateway.push(...g.requests.map((r) => ({ ...r, step: `C=${c}` })));
      if (d !== undefined) requests.direct.push(...d.requests.map((r) => ({ ...r, step: `C=${c}` })));
      if (f !== undefined) requests.floor.push(...f.requests.map((r) => ({ ...r, step: `C=${c}` })));
      const gs = summarize(g.requests, g.steps[0].durationMs);
      const ds = d === undefined ? undefined : summarize(d.requests, d.steps[0].durationMs);
      const fl = f === undefined ? undefined : summarize(f.requests, f.steps[0].durationMs);
      rows.push({
        concurrency: c,
        gateway: { ...gs, cpu: g.steps[0].cpu },
        direct: ds === undefined ? undefined : { ...ds, cpu: d.steps[0].cpu },
        floor: fl === undefined ? undefined : { ...fl, cpu: f.steps[0].cpu },
        ratio: ds === undefined ? undefined : gs.opsPerS / ds.opsPerS,
        floorRatio: ds === undefined || fl === undefined ? undefined : fl.opsPerS / ds.opsPerS,
        gatewayFloorRatio: fl === undefined ? undefined : gs.opsPerS / fl.opsPerS,
      });
      process.stderr.write(
        `  C=${c}: gateway ${gs.opsPerS.toFixed(0)} ops/s p99 ${gs.p99?.toFixed(1)} ms` +
          `${ds ? `, direct ${ds.opsPerS.toFixed(0)} ops/s p99 ${ds.p99?.toFixed(1)} ms, ratio ${(gs.opsPerS / ds.opsPerS).toFixed(2)}` : ''}` +
          `${fl ? `, floor ${fl.opsPerS.toFixed(0)} ops/s p99 ${fl.p99?.toFixed(1)} ms${ds ? ` (${(fl.opsPerS / ds.opsPerS).toFixed(2)} of direct)` : ''}, gateway/floor ${(gs.opsPerS / fl.opsPerS).toFixed(2)}` : ''}\n`,
      );
    }
    sampler.watch(mainGateway, 'idle after the comparison');
    await sleep(SETTLE_MS);
    const idleMem = memoryOf(mainGateway.pid);
    heap.push({ after: 'the comparison and 2 s idle', ...(await mainGateway.heapAfterGc()) });
    const checks = {
      gateway: await verify(apache, gwLedger),
      ...(s.direct ? { direct: await verify(apache, directLedger) } : {}),
      ...(s.floor ? { floor: await verify(apache, floorLedger) } : {}),
    };
    return {
      rows,
      warmup: summarize(warm.requests, warm.steps[0]?.durationMs ?? 1),
      ledgers: { gateway: ledgerSummary(gwLedger), ...(s.direct ? { direct: ledgerSummary(directLedger) } : {}), ...(s.floor ? { floor: ledgerSummary(floorLedger) } : {}) },
      checks,
      http: { gateway: httpCounts(requests.gateway), ...(s.floor ? { floor: httpCounts(requests.floor) } : {}) },
      // Every request of the comparison would be 100k records; the ones that did not fully succeed are kept.
      notOk: { gateway: requests.gateway.filter((r) => r.outcome !== 'ok'), direct: requests.direct.filter((r) => r.outcome !== 'ok'), floor: requests.floor.filter((r) => r.outcome !== 'ok') },
      idleRssMB: idleMem === undefined ? undefined : idleMem.rssKB / 1024,
      peakRssMB: idleMem === undefined ? undefined : idleMem.hwmKB / 1024,
      heap,
    };
  } finally {
    await gw.close();
    await direct.close();
    await floor?.close();
    await floorGateway?.stop();
  }
}

/** One fault phase: its gateway, its workers, the load and the fault together, then the check. */
async function runFault(ctx, name) {
  const { s, sampler, apache } = ctx;
  const { gateway, release, proxy } = await gatewayFor(name, ctx);
  const ledger = new Ledger(`fault ${name}`);
  let target;
  try {
    const concurrency = name === 'slow' ? s.slowConcurrency : s.faultConcurrency;
    const workers = await setupWorkers(ctx, `f-${name}`, concurrency, ledger);
    target = gatewayTarget(gateway.url, { connections: concurrency + 4, timeoutMs: s.clientTimeoutMs });
    sampler.watch(gateway, `fault ${name}`);
    const start = performance.now();
    const since = nowSince(start);
    const [load, fault] = await Promise.all([
      runSteps({ target, face: s.face, workers, ledger, steps: [{ concurrency, seconds: s.faultSeconds }], phaseStart: start, cpu: { gatewayPid: gateway.pid, apachePgid: () => apache.pgid } }),
      inject(name, ctx, since, { proxy }),
    ]);
    const durationMs = since();
    sampler.watch(gateway, `after fault ${name}`);
    await sleep(SETTLE_MS);
    const check = await verify(apache, ledger);
    const mem = memoryOf(gateway.pid);
    const heapAfter = await gateway.heapAfterGc();
    const windowed = (pick) => summarize(load.requests.filter(pick), durationMs);
    const w = fault.window;
    process.stderr.write(`  fault ${name}: ${load.requests.length} requests, ${check.mismatches.length} mismatches, ${ledger.counts.unaccounted} unaccounted\n`);
    return {
      name,
      concurrency,
      info: FAULT_INFO[name](s),
      gateway: gateway.label,
      window: w,
      events: fault.events,
      durationMs,
      all: summarize(load.requests, durationMs),
      before: windowed((r) => r.t < w.start),
      during: windowed((r) => r.t >= w.start && r.t < w.end),
      after: windowed((r) => r.t >= w.end),
      timeline: timeline(load.requests, w, durationMs / 1000),
      http: httpCounts(load.requests),
      retryAfter: load.requests.filter((r) => r.http === 503).reduce((n, r) => n + (r.retryAfter === undefined ? 0 : 1), 0),
      ledger: ledgerSummary(ledger),
      check,
      peakRssMB: mem === undefined ? undefined : mem.hwmKB / 1024,
      rssMB: mem === undefined ? undefined : mem.rssKB / 1024,
      heapAfterGc: heapAfter,
      logs: gateway.logs,
      requests: load.requests,
      release: await release(),
    };
  } finally {
    await target?.close();
    if (gateway !== ctx.mainGateway && gateway.exited() === undefined) await gateway.stop();
    await proxy?.stop(5000);
  }
}

module.exports = { runComparison, runFault };
