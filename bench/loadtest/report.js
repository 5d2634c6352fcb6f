'use strict';
/** The load test's markdown report and its verdicts (targets and accounting checks). */

const { markdownTable, fixed, median } = require('../common.js');

const OUTCOMES = ['ok', 'partial', 'failed', 'shed', 'request failed', 'no answer'];

const num = (x, d = 0) => fixed(x, d);
const msText = (x) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const pct = (x) => (x === undefined ? '—' : `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`);

/** Median RSS of the first and last third of a series of samples. */
function thirds(samples) {
  if (samples.length < 6) return undefined;
  const n = Math.floor(samples.length / 3);
  const first = median(samples.slice(0, n).map((x) => x.rssMB));
  const last = median(samples.slice(-n).map((x) => x.rssMB));
  return { first, last, growth: (last - first) / first, n: samples.length };
}

function memory(report) {
  const samples = (report.samples ?? []).filter((x) => x.gateway === 'main');
  const topC = Math.max(...report.settings.concurrency);
  const labels = [...new Set(samples.map((x) => x.label))];
  const rows = labels.map((label) => {
    const mb = samples.filter((x) => x.label === label).map((x) => x.rssMB);
    return [label, mb.length, num(Math.min(...mb)), num(median(mb)), num(Math.max(...mb))];
  });
  const main = report.faults.find((f) => f.gateway === 'main');
  const heap = [...(report.comparison.heap ?? []), ...(main?.heapAfterGc ? [{ after: `the ${main.name} fault phase`, ...main.heapAfterGc }] : [])].filter((h) => h.heapUsedMB !== undefined);
  const heapGrowth = heap.length < 2 ? undefined : { first: heap[0], last: heap.at(-1), growth: (heap.at(-1).heapUsedMB - heap[0].heapUsedMB) / heap[0].heapUsedMB };
  return {
    rows,
    top: thirds(samples.filter((x) => x.label === `C=${topC}`)),
    rising: thirds(samples.filter((x) => x.label.startsWith('C='))),
    topC,
    heap,
    heapGrowth,
  };
}

/** Every phase with a ledger: the comparison's, then each fault's (its name after `faultLabel`). */
function phasesOf(report, faultLabel) {
  return [
    ...Object.entries(report.comparison.ledgers).map(([name, ledger]) => ({ name, ledger, check: report.comparison.checks[name] })),
    ...report.faults.map((f) => ({ name: `${faultLabel}${f.name}`, ledger: f.ledger, check: f.check })),
  ];
}

/** Verdicts: accounting checks (the exit status) and performance targets (PASS/FAIL lines). */
function verdicts(report) {
  const lines = [];
  let accountingOk = true;
  let targetsOk = true;
  for (const { name, ledger, check } of phasesOf(report, 'fault ')) {
    const bad = ledger.unaccounted + ledger.duplicated + ledger.stray + check.mismatches.length + ledger.anomalies.length;
    accountingOk &&= bad === 0;
    lines.push(
      `${bad === 0 ? 'PASS' : 'FAIL'} accounting, ${name}: ${ledger.ops} operations, ${ledger.unaccounted} unaccounted, ${ledger.duplicated} duplicated, ${ledger.stray} stray results; ` +
        `backend: ${check.mismatches.length} mismatches, ${ledger.anomalies.length} double writes or losses seen in the answers`,
    );
  }
  for (const row of report.comparison.rows) {
    if (row.ratio === undefined) continue;
    const ok = row.ratio >= report.settings.ratioTarget;
    targetsOk &&= ok;
    lines.push(`${ok ? 'PASS' : 'FAIL'} throughput C=${row.concurrency}: gateway ${num(row.gateway.opsPerS)} ops/s = ${fixed(row.ratio, 2)}× direct ${num(row.direct.opsPerS)} ops/s (target ≥ ${report.settings.ratioTarget})`);
  }
  const floorRows = report.comparison.rows.filter((row) => row.floorRatio !== undefined);
  if (floorRows.length > 0) {
    lines.push(
      `INFO floor gateway reaches ${floorRows.map((row) => `${fixed(row.floorRatio, 2)}× (C=${row.concurrency})`).join(', ')} of direct: the machine's ceiling for any gateway process here; ` +
        `davgate reaches ${floorRows.map((row) => `${fixed(row.gatewayFloorRatio, 2)}× (C=${row.concurrency})`).join(', ')} of the floor`,
    );
  }
  const m = memory(report);
  if (m.heapGrowth !== undefined) {
    const g = m.heapGrowth;
    const ok = g.growth <= report.settings.memoryGrowthTarget;
    targetsOk &&= ok;
    lines.push(`${ok ? 'PASS' : 'FAIL'} memory flat: the main gateway's heap after a full GC ${fixed(g.first.heapUsedMB, 1)} MB after ${g.first.after}, ${fixed(g.last.heapUsedMB, 1)} MB after ${g.last.after} (${g.growth >= 0 ? '+' : ''}${pct(g.growth)}; target ≤ +${pct(report.settings.memoryGrowthTarget)})`);
  }
  if (m.top !== undefined) {
    lines.push(`INFO RSS at C=${m.topC}: median ${num(m.top.first)} MB in the first third of the step, ${num(m.top.last)} MB in the last (${m.top.growth >= 0 ? '+' : ''}${pct(m.top.growth)}); peak ${num(report.comparison.peakRssMB)} MB`);
  }
  return { accountingOk, targetsOk, lines };
}

function header(r) {
  const s = r.settings;
  return [
    `# davgate load test, ${r.date}`,
    '',
    `- machine: ${r.cpu}, ${r.cores} cores, ${r.memoryGiB.toFixed(1)} GiB; node ${r.node}; davgate ${r.davgate}; undici ${r.versions.undici}, fastify ${r.versions.fastify}`,
    `- \`uptime\` at the start: ${r.start.uptime}`,
    `- \`uptime\` at the end: ${r.end.uptime}`,
    `- backend: ${r.apache}, mod_dav_fs with its run directory on ${r.serversTmpdir}, Basic auth, 127.0.0.1 (test/servers/apache.conf: event MPM, up to 100 workers)`,
    '- gateway: `node bin/davgate.js serve` in its own process, default settings (16 upstream connections, 8 operations in flight per batch), DAVGATE_LOG_LEVEL=warn',
    `- load: each worker owns a collection and sends one batch at a time of 5 operations on new names (PUT, PROPPATCH of that file, PUT, DELETE of the previous iteration's file, MKCOL); faces: ${s.face === 'mixed' ? 'REST `POST /v1/batch` and GraphQL `batch` alternating' : s.face}`,
    `- comparison: C = ${s.concurrency.join(', ')}, ${s.stepSeconds.toFixed(1)} s per step through the gateway (${s.seconds} s in all), then the same step straight to Apache: the same operations as single requests over an undici Pool of 16 connections, the independent ones concurrently${s.floor ? ', then the same step, REST only, through the floor gateway (floor-gateway.js: a plain node:http baseline, the direct path\'s requests behind one HTTP hop)' : ''}; ${s.warmupSeconds} s of warm-up each way first (not in the table, in the accounting)`,
    `- faults: ${s.faults.length === 0 ? 'none' : `${s.faults.join(', ')}, ${s.faultSeconds} s each (C=${s.faultConcurrency}; slow: C=${s.slowConcurrency})`}; client timeout ${s.clientTimeoutMs / 1000} s; a worker waits Retry-After (1 s if none) after a shed 503 and 100 ms after a batch of which nothing succeeded${s.quick ? '; LOADTEST_QUICK=1 (smoke run)' : ''}`,
    `- took ${r.elapsedSeconds.toFixed(0)} s`,
    '',
  ];
}

function comparison(r) {
  const cpuText = (c, withGateway) => `${num(c?.client)} / ${withGateway ? `${num(c?.gateway)} / ` : ''}${num(c?.apache)}`;
  const ratio = (x) => (x === undefined ? '—' : `${fixed(x, 2)}×`);
  const withFloor = r.comparison.rows.some((row) => row.floor);
  // [header, cell] pairs; the floor's columns only when the floor ran.
  const columns = [
    ['C', (row) => row.concurrency],
    ['gateway ops/s', (row) => num(row.gateway.opsPerS)],
    ['batches/s', (row) => num(row.gateway.batchesPerS)],
    ['p50 ms', (row) => msText(row.gateway.p50)],
    ['p99 ms', (row) => msText(row.gateway.p99)],
    ['errors', (row) => pct(row.gateway.errorRate)],
    ['direct ops/s', (row) => (row.direct ? num(row.direct.opsPerS) : '—')],
    ['direct p50 ms', (row) => (row.direct ? msText(row.direct.p50) : '—')],
    ['direct p99 ms', (row) => (row.direct ? msText(row.direct.p99) : '—')],
    ['direct errors', (row) => (row.direct ? pct(row.direct.errorRate) : '—')],
    ['gateway ÷ direct', (row) => ratio(row.ratio)],
    ...(withFloor
      ? [
          ['floor ops/s', (row) => (row.floor ? num(row.floor.opsPerS) : '—')],
          ['floor ÷ direct', (row) => ratio(row.floorRatio)],
          ['gateway ÷ floor', (row) => ratio(row.gatewayFloorRatio)],
        ]
      : []),
    ['CPU % client / gateway / Apache', (row) => cpuText(row.gateway.cpu, true)],
    ['gateway CPU µs/op', (row) => num((row.gateway.cpu?.gateway * 1e4) / row.gateway.opsPerS)],
    ['CPU % direct: client / Apache', (row) => (row.direct ? cpuText(row.direct.cpu, false) : '—')],
    ...(withFloor
      ? [
          ['CPU % floor: client / floor / Apache', (row) => (row.floor ? cpuText(row.floor.cpu, true) : '—')],
          ['floor CPU µs/op', (row) => (row.floor ? num((row.floor.cpu?.gateway * 1e4) / row.floor.opsPerS) : '—')],
        ]
      : []),
  ];
  return [
    '## Gateway and direct, same load',
    '',
    markdownTable(
      columns.map(([name]) => name),
      r.comparison.rows.map((row) => columns.map(([, cell]) => cell(row))),
      columns.map(() => 'r'),
    ),
    '',
    `Whole requests through the gateway (warm-up included): ${Object.entries(r.comparison.http.gateway).map(([k, n]) => `${k} × ${n}`).join(', ')}${r.comparison.http.floor ? `; through the floor: ${Object.entries(r.comparison.http.floor).map(([k, n]) => `${k} × ${n}`).join(', ')}` : ''}.`,
    '',
    'ops/s: operations of the step\'s batches over the step (until its last answer); latency: one batch through the gateway, one iteration\'s requests (all of them answered) direct; errors: operations not Success/Created; CPU: % of one core over the step (client: this process; Apache: its whole process group).',
    ...(withFloor
      ? [
          '',
          'Floor: the same steps, REST only, through floor-gateway.js, a benchmark baseline (a `node:http` server that parses the batch, sends each operation to Apache over the direct path\'s undici Pool in the same order, reads only the statuses and answers the ledger\'s JSON; no davgate code, no validation, limits, metrics or logs). What it reaches of direct is the ceiling of any gateway process on this machine; gateway ÷ floor is what is left to davgate. Its latency and errors:',
          '',
          markdownTable(
            ['C', 'floor ops/s', 'floor p50 ms', 'floor p99 ms', 'floor errors'],
            r.comparison.rows.filter((row) => row.floor).map((row) => [row.concurrency, num(row.floor.opsPerS), msText(row.floor.p50), msText(row.floor.p99), pct(row.floor.errorRate)]),
            ['r', 'r', 'r', 'r', 'r'],
          ),
        ]
      : []),
    '',
    'Gateway latency by face (the same steps):',
    '',
    markdownTable(
      ['C', 'REST batches', 'REST p50 ms', 'REST p99 ms', 'GraphQL batches', 'GraphQL p50 ms', 'GraphQL p99 ms'],
      r.comparison.rows.map((row) => {
        const f = row.gateway.byFace;
        return [row.concurrency, f.rest?.n ?? 0, msText(f.rest?.p50), msText(f.rest?.p99), f.graphql?.n ?? 0, msText(f.graphql?.p50), msText(f.graphql?.p99)];
      }),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  ];
}

function memorySection(r) {
  const m = memory(r);
  const main = r.faults.find((f) => f.gateway === 'main');
  return [
    '## Gateway memory (RSS of the main gateway, sampled every 500 ms)',
    '',
    markdownTable(['while', 'samples', 'min MB', 'median MB', 'max MB'], m.rows, ['l', 'r', 'r', 'r', 'r']),
    '',
    `- peak RSS (VmHWM) after the comparison: ${num(r.comparison.peakRssMB)} MB; idle ${num(r.comparison.idleRssMB)} MB after it${main ? `; after the restart fault ${num(main.rssMB)} MB (peak ${num(main.peakRssMB)} MB)` : ''}`,
    m.top ? `- at C=${m.topC} (constant load): first third ${num(m.top.first)} MB, last third ${num(m.top.last)} MB (${m.top.growth >= 0 ? '+' : ''}${pct(m.top.growth)})` : '- too few samples at the top step to judge flatness',
    m.rising ? `- over the comparison's gateway steps (concurrency rising): first third ${num(m.rising.first)} MB, last third ${num(m.rising.last)} MB (${m.rising.growth >= 0 ? '+' : ''}${pct(m.rising.growth)})` : '',
    '',
    'Heap that survives a full GC (SIGUSR2 to the gateway, gateway-preload.js), taken while it is idle: what a leak would grow, unlike RSS, which also grows when V8 keeps more room after a busy spell.',
    '',
    markdownTable(['after', 'heap used MB', 'external MB', 'RSS MB'], m.heap.map((h) => [h.after, fixed(h.heapUsedMB, 1), fixed(h.externalMB, 1), num(h.rssMB)]), ['l', 'r', 'r', 'r']),
    '',
  ];
}

function accounting(r) {
  const phases = phasesOf(r, 'fault: ');
  const rows = phases.map(({ name, ledger, check }) => [
    name, ledger.ops, `${ledger.accounted} (${ledger.shed})`, ledger.unaccounted, ledger.duplicated, ledger.stray, check.names,
    check.present, check.absent, check.unknownPresent, check.unknownAbsent, check.mismatches.length, ledger.anomalies.length,
  ]);
  const details = phases.flatMap(({ name, ledger, check }) => [
    ...ledger.anomalies.slice(0, 5).map((a) => `- ${name}: ${a.kind}: ${a.method} ${a.href} (${a.op}): ${a.detail}`),
    ...check.mismatches.slice(0, 8).map((x) => `- ${name}: ${x.kind}: ${x.href}: ${x.detail}; operations: ${(x.ops ?? []).join(', ')}`),
  ]);
  return [
    '## Accounting',
    '',
    markdownTable(
      ['phase', 'operations', 'accounted (shed)', 'unaccounted', 'duplicated', 'stray results', 'names checked', 'present ✓', 'absent ✓', 'unknown → present', 'unknown → absent', 'mismatches', 'double / lost in answers'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    'Accounted: exactly one result for the operation\'s href, or its whole request shed (503 BACKEND_OVERLOADED / BACKEND_FAILING / GATEWAY_SHUTTING_DOWN: nothing sent). Checked against Apache (PROPFIND Depth 1 of every collection): names reported written must be there with their length and property, names reported not written, deleted or shed must not; "unknown" (UPSTREAM_OUTCOME_UNKNOWN, no answer) may go either way.',
    ...(details.length > 0 ? ['', ...details] : []),
    '',
  ];
}

function faultSection(f) {
  const win = (name, x) => [name, x.batches, ...OUTCOMES.map((o) => x.outcomes[o] ?? 0), msText(x.p50), msText(x.p99), msText(x.max)];
  const t = f.timeline;
  const timelineRows = t.buckets.map((b) => [b.second, ...OUTCOMES.map((o) => b.counts[o] ?? 0), msText(b.maxMs)]);
  const logs = [...(f.logs.byMessage instanceof Map ? f.logs.byMessage : new Map(Object.entries(f.logs.byMessage ?? {}))).entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return [
    `### ${f.name}`,
    '',
    `${f.info}.`,
    '',
    `Events (ms from the phase start): ${f.events.map((e) => `${e.t}: ${e.what}`).join('; ')}.`,
    '',
    markdownTable(['requests started', 'batches', ...OUTCOMES, 'p50 ms', 'p99 ms', 'max ms'], [win('before the fault', f.before), win('during', f.during), win('after', f.after), win('all', f.all)], ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
    `- HTTP statuses of whole requests: ${Object.entries(f.http).map(([k, n]) => `${k} × ${n}`).join(', ')}${f.http['503'] ? ` (Retry-After on ${f.retryAfter} of the 503s)` : ''}`,
    `- operations by result: ${f.ledger.outcomes.slice(0, 14).map((o) => `${o.outcome} × ${o.n}`).join(', ')}`,
    `- recovery: ${t.recoveryMs === undefined ? 'no fully successful batch after the fault' : `the first fully successful batch started after the fault ended ${msText(t.recoveryMs)} ms after it`}; the last batch with a failure ended ${t.lastNotOkEndsMs === undefined ? '— (none)' : `${Math.round(t.lastNotOkEndsMs)} ms into the phase`}`,
    `- gateway: peak RSS ${num(f.peakRssMB)} MB, heap after a full GC at the end ${fixed(f.heapAfterGc?.heapUsedMB, 1)} MB; log lines ${Object.entries(f.logs.byLevel).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}${logs.length > 0 ? ` (most frequent: ${logs.map(([m, n]) => `"${m.slice(0, 120)}" × ${n}`).join('; ')})` : ''}${f.release?.stopMs !== undefined ? `; stopped in ${f.release.stopMs} ms (${f.release.how})` : ''}`,
    '',
    'Per second, by the time the batch started:',
    '',
    markdownTable(['s', ...OUTCOMES, 'max ms'], timelineRows, ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
  ];
}

/** The report in markdown; `verdictLines` are what verdicts(r) answered (run.js keeps them in the report too). */
function renderReport(r, verdictLines) {
  return [
    ...header(r),
    ...comparison(r),
    ...memorySection(r),
    ...accounting(r),
    ...(r.faults.length > 0 ? ['## Faults', '', ...r.faults.flatMap(faultSection)] : []),
    '## Verdicts',
    '',
    ...verdictLines.map((l) => `- ${l}`),
    '',
  ].join('\n');
}

module.exports = { renderReport, verdicts };
