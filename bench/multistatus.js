'use strict';
/**
 * The multistatus bench: CalDAV PROPFIND Depth:1 listings of 1k, 10k and 100k responses,
 * parsed by davgate, raw fast-xml-parser (default options), the `webdav` client and tsdav,
 * in process and over loopback HTTP; davgate's build; targets checked at the end.
 *
 * The parent generates each document once, writes it to a temporary file, serves it from a
 * loopback HTTP server (in this process, so the server runs on the other core), and forks
 * one child (multistatus-child.js) per (task, N).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { fork } = require('node:child_process');
const { generate } = require('./generate.js');
const { gitRevision, envList, envNumber, quick, repetitionPlan, childPlan, median, cpuModel, versionOf, markdownTable, fixed, ms } = require('./common.js');

const CHILD = path.join(__dirname, 'multistatus-child.js');
const RESULTS_DIR = path.join(__dirname, 'results');

/** Rows, in table order. `fxp` is the baseline of the ratios; `transport` the row HTTP rows subtract. */
const TASKS = [
  { id: 'davgate-parse', label: 'davgate parse → results', kind: 'parse' },
  { id: 'fxp-default', label: 'fast-xml-parser parse, default options', kind: 'parse' },
  { id: 'webdav-listing', label: 'webdav getDirectoryContents (fetch stubbed in memory)', kind: 'parse' },
  { id: 'webdav-parsexml', label: 'webdav parseXML (exported parser only)', kind: 'parse' },
  { id: 'tsdav-davrequest', label: 'tsdav davRequest (fetch stubbed in memory)', kind: 'parse' },
  { id: 'davgate-build', label: 'davgate build (join buildMultiStatusChunks)', kind: 'build' },
  { id: 'http-transport-undici', label: 'HTTP transport only: fetch (undici) → bytes', kind: 'transport' },
  { id: 'http-transport-node-fetch', label: 'HTTP transport only: node-fetch → bytes', kind: 'transport' },
  { id: 'http-davgate', label: 'HTTP davgate: fetch + parse → results', kind: 'http', transport: 'http-transport-undici' },
  { id: 'http-webdav', label: 'HTTP webdav getDirectoryContents', kind: 'http', transport: 'http-transport-node-fetch' },
  { id: 'http-tsdav', label: 'HTTP tsdav davRequest', kind: 'http', transport: 'http-transport-undici' },
];

function sizes() {
  const fallback = quick ? ['1000', '10000'] : ['1000', '10000', '100000'];
  return envList('BENCH_SIZES', fallback).map(Number).filter((n) => Number.isInteger(n) && n >= 2);
}

function selectedTasks() {
  const only = envList('BENCH_ONLY', []);
  if (only.length === 0) return TASKS;
  // The ratios need the fast-xml-parser row, and HTTP rows their transport row.
  const wanted = new Set(TASKS.filter((t) => only.some((o) => t.id.includes(o))).map((t) => t.id));
  wanted.add('fxp-default');
  for (const t of TASKS) if (wanted.has(t.id) && t.transport) wanted.add(t.transport);
  return TASKS.filter((t) => wanted.has(t.id));
}

/** Serves the current document to any request; `x-bench-doc: warm` gets the 1k warm-up document. */
function startServer() {
  const state = { doc: Buffer.alloc(0), warm: generate(1000).bytes };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.headers['x-bench-doc'] === 'warm' ? state.warm : state.doc;
      res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, state, port: server.address().port }));
  });
}

function runChild(task, n, file, port, plan) {
  const timeoutMs = envNumber('BENCH_CHILD_TIMEOUT_S', 300) * 1000;
  return new Promise((resolve) => {
    const child = fork(CHILD, [task, String(n), file, String(port), JSON.stringify(plan)], {
      execArgv: ['--expose-gc', `--max-old-space-size=${envNumber('BENCH_MAX_OLD_SPACE_MB', 8192)}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let message;
    const timer = setTimeout(() => {
      message = { ok: false, message: `timed out after ${timeoutMs / 1000} s` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m) => {
      message = m;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (message === undefined) message = { ok: false, message: `exited with ${signal ?? code} and no result` };
      resolve(message);
    });
  });
}

function tableFor(n, rows) {
  const fxp = rows.find((r) => r.id === 'fxp-default');
  const header = ['implementation', 'median ms', 'min ms', 'net of transport ms', 'MB/s', '× fxp default', 'peak RSS MB', 'items', 'runs'];
  const body = rows.map((r) => {
    if (r.error) return [r.label, 'FAILED', '—', '—', '—', '—', '—', '—', '—'];
    const ratio = fxp && !fxp.error && r.kind !== 'transport' ? `${(r.medianMs / fxp.medianMs).toFixed(2)}×` : '—';
    return [r.label, ms(r.medianMs), ms(r.minMs), r.netMs === undefined ? '—' : ms(r.netMs), fixed(r.mbPerS, 1), ratio, fixed(r.peakRssMB, 0), r.items ?? '—', r.runs];
  });
  return markdownTable(header, body, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
}

function summarise(rows) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of rows) {
    if (r.error) continue;
    const transport = TASKS.find((t) => t.id === r.id)?.transport;
    const t = transport && byId.get(transport);
    if (t && !t.error) r.netMs = r.medianMs - t.medianMs;
  }
}

/** PASS/FAIL lines for the issue's targets. */
function targets(all) {
  const lines = [];
  const get = (n, id) => all.find((r) => r.n === n && r.id === id && !r.error);
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  const ns = [...new Set(all.map((r) => r.n))].sort((a, b) => a - b);
  const compare = (n, a, b, what) => {
    const x = get(n, a);
    const y = get(n, b);
    if (!x || !y) return;
    lines.push({ ok: x.medianMs <= y.medianMs, text: `N=${n}: ${what}: ${ms(x.medianMs)} ms vs ${ms(y.medianMs)} ms (${(x.medianMs / y.medianMs).toFixed(2)}×)` });
  };
  for (const n of ns) {
    compare(n, 'davgate-parse', 'fxp-default', 'davgate parse → results ≤ raw fast-xml-parser (default options)');
    compare(n, 'davgate-parse', 'webdav-listing', 'davgate parse → results ≤ webdav listing (in process)');
    compare(n, 'davgate-parse', 'tsdav-davrequest', 'davgate parse → results ≤ tsdav davRequest (in process)');
    compare(n, 'http-davgate', 'http-webdav', 'over HTTP: davgate ≤ webdav');
    compare(n, 'http-davgate', 'http-tsdav', 'over HTTP: davgate ≤ tsdav');
    compare(n, 'davgate-build', 'davgate-parse', 'davgate build ≤ davgate parse → results');
  }
  const builds = ns.map((n) => get(n, 'davgate-build')).filter(Boolean);
  if (builds.length >= 2) {
    const small = builds[0];
    const large = builds[builds.length - 1];
    const perSmall = (small.medianMs * 1000) / small.n;
    const perLarge = (large.medianMs * 1000) / large.n;
    const ratio = perLarge / perSmall;
    lines.push({
      ok: ratio <= 1.2,
      text: `build linear in N: ${fixed(perLarge, 1)} µs/response at N=${large.n} vs ${fixed(perSmall, 1)} µs/response at N=${small.n}: ${ratio.toFixed(2)}× (target ≤ 1.20×${large.n === 100000 && small.n === 1000 ? '' : '; not the 1k/100k pair'})`,
    });
  }
  for (const b of builds) lines.push({ info: true, text: `N=${b.n}: build ${fixed((b.medianMs * 1000) / b.n, 1)} µs/response` });
  const parses = ns.map((n) => get(n, 'davgate-parse')).filter(Boolean);
  for (const p of parses) lines.push({ info: true, text: `N=${p.n}: parse → results ${fixed((p.medianMs * 1000) / p.n, 1)} µs/response` });
  const roundTrips = all.filter((r) => r.id === 'davgate-build');
  for (const r of roundTrips) {
    lines.push({ ok: !r.error, text: `N=${r.n}: calendar data CRLF survives parse → build → parse byte for byte${r.error ? `: ${r.error.split('\n')[0]}` : ` (${r.checks})`}` });
  }
  return lines.map((l) => ({ ...l, line: `${l.info ? 'INFO' : verdict(l.ok)} ${l.text}` }));
}

async function run() {
  const started = Date.now();
  const tasks = selectedTasks();
  const header = [
    '# davgate multistatus bench',
    '',
    `- date: ${new Date().toISOString()}`,
    `- davgate: ${gitRevision()}`,
    `- node: ${process.version} (${process.platform} ${process.arch})`,
    `- cpu: ${cpuModel()}; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- libraries: fast-xml-parser ${versionOf('fast-xml-parser')}, webdav ${versionOf('webdav')}, tsdav ${versionOf('tsdav')} (xml-js ${versionOf('xml-js')}), node-fetch ${versionOf('node-fetch')}, xmlbuilder2 ${versionOf('xmlbuilder2')}`,
    `- mode: ${quick ? 'BENCH_QUICK' : 'full'}; sizes ${sizes().join(', ')}; every row in its own child processes; medians of all timed runs, a full GC before each (not timed)`,
    '- in-process rows get the document as a Buffer and decode it inside the timing; MB/s = document bytes (build: output bytes) / median, 1 MB = 10^6 bytes',
    '',
  ];
  console.log(header.join('\n'));

  const { server, state, port } = await startServer();
  const all = [];
  const failures = [];
  try {
    for (const n of sizes()) {
      const { bytes } = generate(n);
      const file = path.join(os.tmpdir(), `davgate-bench-${process.pid}-${n}.xml`);
      fs.writeFileSync(file, bytes);
      state.doc = bytes;
      const plan = repetitionPlan(n);
      const perChild = childPlan(plan);
      console.log(
        `## N = ${n} responses (${(bytes.length / 1e6).toFixed(1)} MB; per row ${plan.rounds} child process${plan.rounds > 1 ? 'es, interleaved with the other rows,' : ''} ` +
          `${plan.reps}+ timed runs${plan.minMs ? ` and ${plan.minMs} ms` : ''} in all; each child warms up ${plan.warmup}+ runs / ${plan.warmMs} ms on a 1k document)\n`,
      );
      const collected = new Map(tasks.map((t) => [t.id, { samples: [], maxRssKB: 0, startedAt: [] }]));
      for (let round = 0; round < plan.rounds; round++) {
        // Rotate the order, so that no row always follows the same one.
        const order = tasks.map((_, i) => tasks[(i + round) % tasks.length]);
        for (const task of order) {
          const acc = collected.get(task.id);
          if (acc.error !== undefined) continue;
          const t0 = Date.now();
          acc.startedAt.push(new Date(t0).toISOString());
          process.stderr.write(`  N=${n} round ${round + 1}/${plan.rounds} ${task.id} … `);
          const message = await runChild(task.id, n, file, port, perChild);
          process.stderr.write(`${message.ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
          if (message.ok) {
            const r = message.result;
            acc.samples.push(...r.samples);
            acc.maxRssKB = Math.max(acc.maxRssKB, r.maxRssKB);
            acc.info = r;
          } else {
            acc.error = message.message;
            failures.push({ n, task: task.id, check: message.check === true, message: message.message });
            console.error(`\n${task.id} N=${n} FAILED${message.check ? ' (correctness check)' : ''}:\n${message.message}\n`);
          }
        }
      }
      const rows = tasks.map((task) => {
        const acc = collected.get(task.id);
        const row = { n, id: task.id, label: task.label, kind: task.kind, docBytes: bytes.length, startedAt: acc.startedAt };
        if (acc.error !== undefined) return { ...row, error: acc.error };
        const r = acc.info;
        const medianMs = median(acc.samples);
        const outBytes = task.kind === 'build' ? r.outBytes : bytes.length;
        return {
          ...row,
          medianMs,
          minMs: Math.min(...acc.samples),
          maxMs: Math.max(...acc.samples),
          runs: acc.samples.length,
          processes: acc.startedAt.length,
          samplesMs: acc.samples.map((x) => Number(x.toFixed(3))),
          mbPerS: outBytes / 1e6 / (medianMs / 1000),
          usPerResponse: (medianMs * 1000) / n,
          peakRssMB: acc.maxRssKB / 1024,
          items: r.items,
          ...(r.outBytes === undefined ? {} : { outBytes: r.outBytes }),
          ...(r.checks === undefined ? {} : { checks: r.checks }),
          ...(r.note === undefined ? {} : { note: r.note }),
        };
      });
      fs.rmSync(file, { force: true });
      summarise(rows);
      all.push(...rows);
      console.log(tableFor(n, rows));
      const notes = rows.filter((r) => r.checks || r.note).map((r) => `- ${r.id}: ${r.checks ?? r.note}`);
      if (notes.length) console.log(`\n${notes.join('\n')}`);
      console.log('');
    }
  } finally {
    server.close();
    server.closeAllConnections?.();
  }

  const verdicts = targets(all);
  console.log('## Targets\n');
  console.log(verdicts.map((v) => `- ${v.line}`).join('\n'));
  const elapsed = (Date.now() - started) / 1000;
  console.log(`\n(bench took ${elapsed.toFixed(0)} s)`);

  const report = {
    date: new Date().toISOString(),
    davgate: gitRevision(),
    node: process.version,
    cpu: cpuModel(),
    quick,
    sizes: sizes(),
    versions: Object.fromEntries(['fast-xml-parser', 'webdav', 'tsdav', 'xml-js', 'node-fetch', 'xmlbuilder2'].map((p) => [p, versionOf(p)])),
    rows: all,
    targets: verdicts.map((v) => (v.info ? { info: v.line } : { pass: v.ok, line: v.line })),
    failures,
    elapsedSeconds: elapsed,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), path.join(RESULTS_DIR, 'latest.json'))}`);

  if (failures.length > 0) {
    console.error(`\n${failures.length} measurement(s) failed:${failures.map((f) => `\n- ${f.task} N=${f.n}${f.check ? ' (correctness check)' : ''}: ${f.message.split('\n')[0]}`).join('')}`);
    return 1;
  }
  if (process.env.BENCH_STRICT === '1' && verdicts.some((v) => !v.info && !v.ok)) return 2;
  return 0;
}

module.exports = { run, description: 'CalDAV PROPFIND Depth:1 multistatus: parse, build, client libraries' };
