'use strict';
/**
 * The batch bench's numbers (batch.js): per path and C the medians of the samples and their
 * ratios to direct undici, the markdown table, the targets of the issue (the gateway within
 * 1.15× of direct undici, faster than the webdav package) and the floor gateway's INFO lines,
 * which are not targets.
 */

const { median, prng, markdownTable, fixed, ms } = require('./common.js');

const RATIO_TARGET = 1.15;

/** Resamples of the bootstrap interval of a ratio of medians. */
const RESAMPLES = 4000;

/**
 * The 95% bootstrap interval (percentile method) of median(a) ÷ median(b): both sample lists
 * resampled with replacement, RESAMPLES times. How far the ratio of one run's medians can be
 * trusted: with 31 rounds the interval was 0.06 to 0.11 wide, about as wide as the margin
 * the target leaves (bench/README.md). A fixed seed, so that the same samples always
 * give the same interval.
 */
function ratioInterval(a, b) {
  const random = prng(0x5eed);
  const pick = (xs) => {
    const out = new Array(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(random() * xs.length)];
    return out;
  };
  const ratios = new Float64Array(RESAMPLES);
  for (let i = 0; i < RESAMPLES; i++) ratios[i] = median(pick(a)) / median(pick(b));
  ratios.sort();
  return { low: ratios[Math.floor(RESAMPLES * 0.025)], high: ratios[Math.ceil(RESAMPLES * 0.975) - 1] };
}

/** One row per C and path: medians of the samples, ratios to direct undici (of the medians, and the median same-round ratio), CPU, the samples. */
function rowsFor(s, collected) {
  const rows = [];
  for (const c of s.concurrencies) {
    const base = collected.get(`undici/${c}`);
    for (const p of s.paths) {
      const samples = collected.get(`${p.id}/${c}`);
      const med = median(samples.map((x) => x.totalMs));
      const baseMed = base === undefined ? undefined : median(base.map((x) => x.totalMs));
      // Same-round ratios: a slow moment of the machine hits both sides of one.
      const paired = base === undefined ? undefined : median(samples.map((x, i) => x.totalMs / base[i].totalMs));
      rows.push({
        path: p.id,
        label: p.label,
        concurrency: c,
        runs: samples.length,
        medianMs: med,
        minMs: Math.min(...samples.map((x) => x.totalMs)),
        maxMs: Math.max(...samples.map((x) => x.totalMs)),
        putMedianMs: median(samples.map((x) => x.putMs)),
        deleteMedianMs: median(samples.map((x) => x.deleteMs)),
        opsPerS: (2 * s.n) / (med / 1000),
        ratioToUndici: baseMed === undefined ? undefined : med / baseMed,
        ratioInterval: base === undefined || p.id !== 'gateway' ? undefined : ratioInterval(samples.map((x) => x.totalMs), base.map((x) => x.totalMs)),
        pairedRatioToUndici: paired,
        clientCpuMs: median(samples.map((x) => x.clientCpuMs)),
        // The gateway's, the baseline's or the floor's process serving the path; 0 for the direct paths.
        serverCpuMs: median(samples.map((x) => x.serverCpuMs)),
        ...(samples[0].gwPrepMs === undefined
          ? {}
          : Object.fromEntries(['gwBodyMs', 'gwPrepMs', 'gwUpstreamMs', 'gwFinishMs', 'outsideGatewayMs'].map((k) => [`${k.replace(/Ms$/, '')}MedianMs`, median(samples.map((x) => x[k]))]))),
        samples: samples.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, Number(v.toFixed(3))]))),
      });
    }
  }
  return rows;
}

/** The paths served by a process of their own, whose CPU the table gives beside the client's. */
const SERVED = new Set(['gateway', 'baseline', 'floor']);

const TABLE_NAMES = { gateway: 'davgate gateway (POST /v1/batch)', baseline: 'davgate baseline build', floor: 'floor gateway (POST /v1/batch)', undici: 'direct undici', webdav: 'webdav package' };

function table(rows, n) {
  return markdownTable(
    ['path', 'C', `median ms (${n} PUT + ${n} DELETE)`, 'min ms', 'PUT ms', 'DELETE ms', 'ops/s', '× direct undici', 'CPU ms client + gateway/floor', 'runs'],
    rows.map((r) => [
      TABLE_NAMES[r.path],
      r.concurrency,
      ms(r.medianMs),
      ms(r.minMs),
      ms(r.putMedianMs),
      ms(r.deleteMedianMs),
      fixed(r.opsPerS, 0),
      r.ratioToUndici === undefined ? '—' : `${fixed(r.ratioToUndici, 2)}×`,
      SERVED.has(r.path) ? `${fixed(r.clientCpuMs, 0)} + ${fixed(r.serverCpuMs, 0)}` : fixed(r.clientCpuMs, 0),
      r.runs,
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function targets(rows, s) {
  const lines = [];
  const get = (p, c) => rows.find((r) => r.path === p && r.concurrency === c);
  for (const c of s.concurrencies) {
    const g = get('gateway', c);
    const u = get('undici', c);
    const w = get('webdav', c);
    if (g && u) {
      const ok = g.ratioToUndici <= RATIO_TARGET;
      const ci = g.ratioInterval;
      lines.push({ ok, text: `C=${c}: gateway ${ms(g.medianMs)} ms ≤ ${RATIO_TARGET}× direct undici ${ms(u.medianMs)} ms: ${fixed(g.ratioToUndici, 3)}× (95% interval ${fixed(ci.low, 3)}–${fixed(ci.high, 3)}×${ci.high > RATIO_TARGET ? `, reaching past ${RATIO_TARGET}×` : ''}; same-round ratios: median ${fixed(g.pairedRatioToUndici, 3)}×)` });
    }
    if (g && w) lines.push({ ok: g.medianMs < w.medianMs, text: `C=${c}: gateway ${ms(g.medianMs)} ms < webdav ${ms(w.medianMs)} ms (${fixed(g.medianMs / w.medianMs, 2)}×)` });
  }
  return lines.map((l) => ({ ...l, line: `${l.ok ? 'PASS' : 'FAIL'} ${l.text}` }));
}

/**
 * INFO lines, not targets: what the floor gateway reaches of direct undici at each C (the
 * machine's price for any gateway process: a second hop, and a process doing the client's
 * HTTP work) and what davgate reaches of the floor (the part of the gap that is davgate's);
 * with BENCH_BATCH_BASELINE, davgate against the baseline build.
 */
function floorInfo(rows, s) {
  const lines = [];
  const get = (p, c) => rows.find((r) => r.path === p && r.concurrency === c);
  for (const c of s.concurrencies) {
    const f = get('floor', c);
    if (f === undefined) continue;
    const u = get('undici', c);
    const g = get('gateway', c);
    // Same-round ratio of davgate to the floor, beside the ratio of the medians.
    const paired = g === undefined ? undefined : median(g.samples.map((x, i) => x.totalMs / f.samples[i].totalMs));
    const parts = [
      u === undefined ? undefined : `${fixed(f.ratioToUndici, 2)}× direct undici (same-round ${fixed(f.pairedRatioToUndici, 2)}×)`,
      g === undefined ? undefined : `davgate ${fixed(g.medianMs / f.medianMs, 2)}× the floor (same-round ${fixed(paired, 2)}×)`,
    ].filter((x) => x !== undefined);
    if (parts.length > 0) lines.push(`INFO floor gateway at C=${c}: ${ms(f.medianMs)} ms, ${parts.join('; ')}`);
  }
  for (const c of s.concurrencies) {
    const b = get('baseline', c);
    const g = get('gateway', c);
    if (b === undefined || g === undefined) continue;
    const paired = median(g.samples.map((x, i) => x.totalMs / b.samples[i].totalMs));
    lines.push(`INFO baseline build at C=${c}: ${ms(b.medianMs)} ms against davgate's ${ms(g.medianMs)} ms: davgate ${fixed(g.medianMs / b.medianMs, 2)}× the baseline (same-round ${fixed(paired, 2)}×), CPU ${fixed(g.serverCpuMs, 1)} against ${fixed(b.serverCpuMs, 1)} ms per run`);
  }
  return lines;
}

module.exports = { rowsFor, table, targets, floorInfo, ratioInterval, RATIO_TARGET };
