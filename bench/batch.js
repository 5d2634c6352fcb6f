'use strict';
/**
 * The batch bench: N PUTs (1 KB bodies) then N DELETEs against Apache mod_dav on loopback,
 * four ways side by side in one run: through davgate (`POST /v1/batch`, one batch of PUTs
 * and one of DELETEs), through the floor gateway (the same batches to loadtest/floor-gateway.js,
 * the least a gateway process can do: node:http and an undici Pool), straight to Apache with
 * undici, and with the `webdav` package, all at the same concurrency C and with the same
 * connection count. Targets: the gateway within 1.15× of direct undici, and faster than
 * webdav. The floor is a baseline, not a target: what any process in the gateway's place costs
 * on this machine (INFO lines: floor ÷ direct undici, davgate ÷ floor).
 *
 * Processes: this one is the client of all four paths; the gateway runs in its own process
 * (batch-gateway.js), the floor gateway in another (forked only when its path runs), the
 * servers are held by a fourth (batch-servers.js, test/servers through tsx). Each sample uses a
 * fresh collection (MKCOL, and the PROPFIND checks, outside the timing); the paths take turns
 * within a round, in rotating order.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { gitRevision, envList, envNumber, quick, gc, cpuModel, versionOf, markdownTable, fixed, ms } = require('./common.js');
const { createPaths, BenchError, CONNECTIONS } = require('./batch-paths.js');
const { summarize } = require('./batch-profile.js');
const { rowsFor, table, targets, floorInfo } = require('./batch-report.js');
const { serversTmpdir, filesystemOf, driven, startFloor, phaseProfiler } = require('./batch-procs.js');
const { perfRecorder, PERF_NODE_ARGS, checkPerf } = require('./batch-perf.js');

const RESULTS_DIR = path.join(__dirname, 'results');
const PATHS = [
  { id: 'gateway', label: 'davgate gateway: POST /v1/batch (PUTs), POST /v1/batch (DELETEs)' },
  // Only with BENCH_BATCH_BASELINE: another build of davgate, for a same-run comparison of two builds.
  { id: 'baseline', label: 'davgate baseline build (BENCH_BATCH_BASELINE): the same two POST /v1/batch' },
  { id: 'floor', label: 'floor gateway (loadtest/floor-gateway.js): the same two POST /v1/batch' },
  { id: 'undici', label: 'direct undici Pool' },
  { id: 'webdav', label: 'webdav client (putFileContents / deleteFile)' },
];
/** The paths BENCH_BATCH_PROFILE can profile (gateway and floor in their own processes, the others in this one). */
const PROFILED = ['gateway', 'floor', 'undici', 'webdav'];

function settings() {
  const raw = process.env.BENCH_BATCH_PROFILE ?? '';
  const profile = raw === '' || raw === '0' ? undefined : raw === '1' ? 'gateway' : raw;
  if (profile !== undefined && !PROFILED.includes(profile)) throw new Error(`BENCH_BATCH_PROFILE must be 1, gateway, floor, undici or webdav, got "${raw}"`);
  const baseline = process.env.BENCH_BATCH_BASELINE ? path.resolve(process.env.BENCH_BATCH_BASELINE) : undefined;
  if (baseline !== undefined && !fs.existsSync(path.join(baseline, 'app.js'))) throw new Error(`BENCH_BATCH_BASELINE must be a built dist/ folder (with app.js), got "${process.env.BENCH_BATCH_BASELINE}"`);
  const available = PATHS.filter((p) => p.id !== 'baseline' || baseline !== undefined);
  const perf = process.env.BENCH_BATCH_PERF === '1';
  if (perf && profile !== undefined) throw new Error('BENCH_BATCH_PERF and BENCH_BATCH_PROFILE do not go together: each samples the gateway its own way');
  return {
    baseline,
    perf,
    n: envNumber('BENCH_BATCH_N', 200),
    bodyBytes: envNumber('BENCH_BATCH_BODY_BYTES', 1024),
    concurrencies: envList('BENCH_BATCH_CONCURRENCY', ['1', '8', '32']).map(Number),
    rounds: Math.max(1, envNumber('BENCH_BATCH_ROUNDS', quick ? 3 : 101)),
    warmup: envNumber('BENCH_BATCH_WARMUP', quick ? 1 : 2),
    // The first C also warms up the processes and Apache: its first rounds ran 30–50% slow (bench/README.md).
    warmupFirst: envNumber('BENCH_BATCH_WARMUP_FIRST', quick ? 2 : 6),
    phaseTimeoutMs: envNumber('BENCH_BATCH_TIMEOUT_S', 60) * 1000,
    gc: gcKind(process.env.BENCH_BATCH_GC),
    profile,
    paths: profile !== undefined ? available.filter((p) => p.id === profile) : available.filter((p) => envList('BENCH_BATCH_PATHS', available.map((x) => x.id)).includes(p.id)),
  };
}

const GC_TEXT = {
  minor: 'a minor GC (scavenge) in client, gateway and floor before each phase (not timed; BENCH_BATCH_GC=minor)',
  full: 'a full GC in client, gateway and floor before each phase (not timed; BENCH_BATCH_GC=full: optimized code that embeds objects the GC frees is thrown away, so each phase partly re-optimizes)',
  none: 'no GC between phases (BENCH_BATCH_GC=none)',
};

/** BENCH_BATCH_GC: what GC the client, the gateway and the floor do before each timed phase (see bench/README.md). */
function gcKind(raw) {
  if (raw === undefined || raw === '') return 'minor';
  if (['full', 'minor', 'none'].includes(raw)) return raw;
  throw new Error(`BENCH_BATCH_GC must be full, minor or none, got "${raw}"`);
}

function withTimeout(promise, timeoutMs, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new BenchError(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function cpuMs(start) {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/**
 * One measurement: fresh collection, N PUTs (timed), check, N DELETEs (timed), check, cleanup.
 * `procs`: the gateway and (when their paths run) the floor gateway and the baseline build, by
 * path id, all GC'd before each phase and their CPU read around it, whichever path is measured;
 * `serverCpuMs` is the CPU of the one serving the measured path (0 for the direct paths).
 */
async function sample(ctx, s, procs, pathId, c, tag, profiler) {
  const collection = `${ctx.root}bench-${process.pid}-${tag}/`;
  const p = ctx.paths[pathId];
  const running = Object.values(procs).filter((proc) => proc !== undefined);
  const own = running.indexOf(procs[pathId]);
  await ctx.mkcol(collection);
  const phase = async (name, fn) => {
    if (s.gc !== 'none') gc(s.gc);
    const before = s.gc === 'none' ? { type: 'cpu' } : { type: 'gc', kind: s.gc };
    const starts = await Promise.all(running.map((proc) => proc.call(before, ['gc', 'cpu'])));
    await profiler?.start();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await withTimeout(fn(collection, c), s.phaseTimeoutMs, `${pathId} C=${c} ${name}`);
    const elapsed = performance.now() - t0;
    const client = cpuMs(c0);
    await profiler?.stop();
    const ends = await Promise.all(running.map((proc) => proc.call({ type: 'cpu' }, ['cpu'])));
    return {
      ms: elapsed,
      clientCpuMs: client,
      serverCpuMs: own < 0 ? 0 : (ends[own].cpu - starts[own].cpu) / 1000,
      trace: own < 0 ? undefined : ends[own].trace,
    };
  };
  const put = await phase('PUT', p.put);
  const afterPut = await ctx.members(collection);
  if (afterPut !== s.n) throw new BenchError(`${pathId} C=${c}: ${afterPut} members after the PUTs, expected ${s.n}`);
  const del = await phase('DELETE', p.del);
  const afterDelete = await ctx.members(collection);
  if (afterDelete !== 0) throw new BenchError(`${pathId} C=${c}: ${afterDelete} members left after the DELETEs`);
  await ctx.rmcol(collection);
  return {
    totalMs: put.ms + del.ms,
    putMs: put.ms,
    deleteMs: del.ms,
    clientCpuMs: put.clientCpuMs + del.clientCpuMs,
    serverCpuMs: put.serverCpuMs + del.serverCpuMs,
    ...(put.trace === undefined || del.trace === undefined ? {} : traceOf(put, del)),
  };
}

/** Where a gateway run's time went (BENCH_BATCH_TRACE=1), both phases added. */
function traceOf(put, del) {
  const sum = (k) => put.trace[k] + del.trace[k];
  return {
    gwBodyMs: sum('bodyMs'),
    gwPrepMs: sum('prepMs'),
    gwUpstreamMs: sum('upstreamMs'),
    gwFinishMs: sum('finishMs'),
    // The rest of the client's time: its JSON, both HTTP hops to the gateway, and reading the answer.
    outsideGatewayMs: put.ms + del.ms - sum('totalMs'),
  };
}

/** The processes BENCH_BATCH_PERF samples: the gateway, and the floor and the baseline when their paths run. */
function perfTargets(procs) {
  return Object.fromEntries(Object.entries(procs).filter(([, proc]) => proc !== undefined).map(([name, proc]) => [name, proc.child.pid]));
}

/** BENCH_BATCH_PERF's table: CPU per run by category, main thread + V8's helper threads, per process. */
function perfTable({ concurrency, rounds, names, rows, functions }) {
  const cell = (t) => (t === undefined ? '—' : `${fixed(t.main, 2)} + ${fixed(t.helpers, 2)}`);
  const sums = Object.fromEntries(names.map((n) => [n, rows.reduce((a, r) => ({ main: a.main + (r[n]?.main ?? 0), helpers: a.helpers + (r[n]?.helpers ?? 0) }), { main: 0, helpers: 0 })]));
  return [
    `## Where the CPU went, C=${concurrency} (BENCH_BATCH_PERF=1: perf cpu-clock over ${rounds} rounds; ms per run, main thread + V8 helper threads)`,
    '',
    markdownTable(['charged to', ...names], [...rows.map((r) => [r.category, ...names.map((n) => cell(r[n]))]), ['all (the forced GCs between phases left out)', ...names.map((n) => cell(sums[n]))]], ['l', ...names.map(() => 'r')]),
    '',
    'Each sample goes to the package of its innermost JavaScript frame (builtins, runtime calls and syscalls included), else to V8\'s GC or compiler, or to native work with no JavaScript on the stack (bench/batch-perf.js).',
    ...names.filter((n) => functions[n] !== undefined).flatMap((n) => [
      '',
      `### The ${n} process's hottest JavaScript functions (main thread, innermost JS frame, ms per run)`,
      '',
      markdownTable(['function', 'ms'], functions[n].map((f) => [f.frame, fixed(f.ms, 2)]), ['l', 'r']),
    ]),
  ].join('\n');
}

async function run() {
  const started = Date.now();
  const s = settings();
  if (s.perf) checkPerf();
  // With BENCH_BATCH_PERF, the sampled processes name their JIT code for perf.
  const perfArgs = s.perf ? PERF_NODE_ARGS : [];
  const gatewayNodeArgs = [...envList('BENCH_BATCH_GATEWAY_NODE_ARGS', [], ' '), ...perfArgs];
  let servers;
  let gateway;
  let floor;
  let baseline;
  let ctx;
  let interrupted;
  const onSignal = (signal) => {
    interrupted ??= signal;
    console.error(`\nbatch bench: ${signal}, stopping the gateway and the servers …`);
    void Promise.allSettled([gateway?.stop(5000), floor?.stop(5000), baseline?.stop(5000), servers?.stop(15000)]).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, onSignal);
  const report = { date: new Date().toISOString(), davgate: gitRevision(), ...(process.env.NODE_OPTIONS ? { nodeOptions: process.env.NODE_OPTIONS } : {}), node: process.version, cpu: cpuModel(), quick, settings: { ...s, paths: s.paths.map((p) => p.id) } };
  let code = 0;
  try {
    const tmpdir = serversTmpdir();
    report.serversTmpdir = `${tmpdir} (${filesystemOf(tmpdir)})`;
    if (gatewayNodeArgs.length > 0) report.gatewayNodeArgs = gatewayNodeArgs;
    servers = driven(path.join(__dirname, 'batch-servers.js'), [], 'batch-servers', { ...process.env, BENCH_BATCH_SERVERS_TMPDIR: tmpdir });
    const { servers: info } = await servers.call(undefined, ['ready'], 60000);
    const apache = info.apache;
    gateway = driven(path.join(__dirname, 'batch-gateway.js'), ['--expose-gc', ...gatewayNodeArgs], 'batch-gateway');
    const ready = await gateway.call({ type: 'start', apache }, ['ready']);
    let floorPort;
    // --expose-gc: the floor takes the same GC before each phase as the gateway and the client.
    if (s.paths.some((p) => p.id === 'floor')) ({ floor, port: floorPort } = await startFloor(apache, ['--expose-gc', ...envList('BENCH_BATCH_FLOOR_NODE_ARGS', [], ' '), ...perfArgs]));
    let baselinePort;
    if (s.paths.some((p) => p.id === 'baseline')) {
      baseline = driven(path.join(__dirname, 'batch-gateway.js'), ['--expose-gc', ...gatewayNodeArgs], 'batch-gateway (baseline)', { ...process.env, BENCH_BATCH_GATEWAY_DIST: s.baseline });
      ({ port: baselinePort } = await baseline.call({ type: 'start', apache }, ['ready']));
    }
    ctx = await createPaths({ apache, gatewayPort: ready.port, floorPort, baselinePort, n: s.n, bodyBytes: s.bodyBytes });

    const header = [
      '# davgate batch bench',
      '',
      `- date: ${report.date}; davgate: ${report.davgate}; node ${process.version}; ${cpuModel()}; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
      `- backend: ${apache.version}, mod_dav_fs on ${report.serversTmpdir}, Basic auth, 127.0.0.1 (test/servers/apache.conf: event MPM, KeepAlive On, MaxKeepAliveRequests default 100)`,
      `- work: ${s.n} PUTs of ${ctx.bodyBytes} bytes into a fresh collection, then ${s.n} DELETEs of them; the time is the two phases added (MKCOL and the PROPFIND checks in between are not timed)`,
      `- gateway: its own process, fastify + UpstreamClient (basic auth, DEFAULT_LIMITS: ${ready.connections} connections, pipelining 1) with upstream metrics as davgate serve has them, logs silent; the client sends one POST /v1/batch per phase with "concurrency": C over a keep-alive undici Client and checks 207 and every result`,
      ...(baseline === undefined ? [] : [`- baseline: another build of davgate, ${s.baseline}, in a second gateway process set up like the first (BENCH_BATCH_BASELINE); a same-run comparison of two builds, not a target`]),
      ...(floor === undefined ? [] : [`- floor gateway: bench/loadtest/floor-gateway.js in its own process, node:http + an undici Pool (${CONNECTIONS} connections, pipelining 1), at most C upstream requests in flight per batch, no davgate code, no validation, metrics or logs; driven like the gateway (same POSTs, same checks). A baseline, not a target`]),
      `- direct undici ${versionOf('undici')}: Pool with ${CONNECTIONS} connections, pipelining 1, C requests in flight; webdav ${versionOf('webdav')} (node-fetch ${versionOf('node-fetch')}): keep-alive http.Agent with ${CONNECTIONS} sockets, C calls in flight`,
      `- ${s.rounds} timed runs per row (untimed warm-up runs per path first: ${s.warmupFirst} at the first C, ${s.warmup} at each other), the paths taking turns in rotating order within each round; ${GC_TEXT[s.gc]}`,
      ...(process.env.NODE_OPTIONS ? [`- NODE_OPTIONS=${process.env.NODE_OPTIONS} (inherited by the gateway: not a plain run)`] : []),
      ...(gatewayNodeArgs.length > 0 ? [`- BENCH_BATCH_GATEWAY_NODE_ARGS=${gatewayNodeArgs.join(' ')} (gateway process: not a plain run)`] : []),
      ...(s.perf ? [`- BENCH_BATCH_PERF=1: gateway processes run with ${PERF_NODE_ARGS.join(' ')} and are sampled by perf through the last C's timed rounds (a little slower than a plain run)`] : []),
      `- mode: ${s.profile !== undefined ? `PROFILE (${s.profile} path only, inspector CPU profiler, 200 µs, on in the ${s.profile === 'gateway' || s.profile === 'floor' ? s.profile : 'client'} process during the timed phases; timings inflated by it)` : quick ? 'BENCH_QUICK' : 'full'}${process.env.BENCH_BATCH_TRACE === '1' ? '; BENCH_BATCH_TRACE=1 (the gateway notes its phases: a wrapper around the backend and three fastify hooks)' : ''}`,
      '',
    ];
    console.log(header.join('\n'));

    const collected = new Map();
    let seq = 0;
    let perfRows;
    const profiler = s.profile === undefined ? undefined : phaseProfiler(s.profile, { gateway, floor });
    const procs = { gateway, floor, baseline };
    for (const [ci, c] of s.concurrencies.entries()) {
      for (const p of s.paths) collected.set(`${p.id}/${c}`, []);
      for (let w = 0; w < (ci === 0 ? s.warmupFirst : s.warmup); w++) for (const p of s.paths) await sample(ctx, s, procs, p.id, c, `warm-${seq++}`);
      // BENCH_BATCH_PERF: the gateway processes sampled through the last C's timed rounds.
      const sampled = s.perf && ci === s.concurrencies.length - 1 ? perfTargets(procs) : undefined;
      const recording = sampled === undefined ? undefined : await perfRecorder(sampled, path.join(os.tmpdir(), `davgate-bench-perf-${process.pid}.data`));
      for (let round = 0; round < s.rounds; round++) {
        const order = s.paths.map((_, i) => s.paths[(i + round) % s.paths.length]);
        for (const p of order) {
          const r = await sample(ctx, s, procs, p.id, c, `${p.id}-c${c}-r${round}-${seq++}`, profiler);
          collected.get(`${p.id}/${c}`).push(r);
        }
        process.stderr.write(`  C=${c} round ${round + 1}/${s.rounds}: ${order.map((p) => `${p.id} ${ms(collected.get(`${p.id}/${c}`).at(-1).totalMs)} ms`).join(', ')}\n`);
      }
      if (recording !== undefined) perfRows = { concurrency: c, rounds: s.rounds, names: Object.keys(sampled), ...(await recording.stop(s.rounds)) };
    }
    let profileSummary;
    if (profiler !== undefined) {
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      const file = path.join(RESULTS_DIR, `profile-batch-${s.profile}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profiler.profiles.at(-2))); // the last run's PUT phase
      if (process.env.BENCH_BATCH_PROFILE_DUMP) fs.writeFileSync(process.env.BENCH_BATCH_PROFILE_DUMP, JSON.stringify(profiler.profiles));
      profileSummary = summarize(profiler.profiles, s.rounds * s.concurrencies.length, s.profile === 'gateway' ? 'Gateway process' : s.profile === 'floor' ? 'Floor gateway process' : `Client process (${s.profile} path)`);
      profileSummary.file = path.relative(process.cwd(), file);
    }
    await ctx.close();
    ctx = undefined;
    const stopped = await gateway.stop();
    const floorStopped = await floor?.stop(5000);
    const baselineStopped = await baseline?.stop(5000);
    // What the forced scavenges promoted, per run of the process's own path (warm-ups included): garbage that reached the old generation.
    const runsPerPath = s.warmupFirst + s.warmup * (s.concurrencies.length - 1) + s.rounds * s.concurrencies.length;
    const promotedKB = (answer, pathId) => (s.gc === 'minor' && answer?.promotedBytes !== undefined && s.paths.some((p) => p.id === pathId) ? answer.promotedBytes / 1024 / runsPerPath : undefined);
    const promoted = { gateway: promotedKB(stopped, 'gateway'), floor: promotedKB(floorStopped, 'floor'), baseline: promotedKB(baselineStopped, 'baseline') };
    const promotedNote = (kb) => (kb === undefined ? '' : `; ${fixed(kb, 0)} KB promoted to the old generation per run by the forced scavenges`);
    const rows = rowsFor(s, collected);
    const verdicts = s.profile !== undefined ? [] : targets(rows, s);
    const floorLines = s.profile !== undefined ? [] : floorInfo(rows, s);
    console.log(`\n## ${s.n} PUTs then ${s.n} DELETEs against Apache on loopback\n`);
    console.log(table(rows, s.n));
    console.log(`\nops/s = ${2 * s.n} requests / median; × direct undici = ratio of the medians at the same C; CPU = median user + system ms of the client process (and, for the gateway and floor paths, of the gateway or floor process) per run.`);
    console.log(`Gateway process: peak RSS ${fixed((stopped?.maxRssKB ?? NaN) / 1024, 0)} MB (maxRSS over the whole run, Node and fastify included)${promotedNote(promoted.gateway)}.`);
    if (baseline !== undefined) console.log(`Baseline gateway process: peak RSS ${fixed((baselineStopped?.maxRssKB ?? NaN) / 1024, 0)} MB${promotedNote(promoted.baseline)}.`);
    if (floor !== undefined) console.log(`Floor gateway process: peak RSS ${fixed((floorStopped?.maxRssKB ?? NaN) / 1024, 0)} MB (maxRSS over the whole run)${promotedNote(promoted.floor)}.`);
    const traced = rows.filter((r) => r.gwPrepMedianMs !== undefined);
    if (traced.length > 0) {
      console.log('\n## Gateway path, where the time goes (BENCH_BATCH_TRACE=1; medians over runs, PUT and DELETE phases added)\n');
      console.log(
        markdownTable(
          ['C', 'total ms', 'POST in → body parsed', 'POST in → first upstream request', 'first upstream request → last answer', 'last answer → 207 sent', 'client side + hops', 'direct undici ms'],
          traced.map((r) => [r.concurrency, ms(r.medianMs), ms(r.gwBodyMedianMs), ms(r.gwPrepMedianMs), ms(r.gwUpstreamMedianMs), ms(r.gwFinishMedianMs), ms(r.outsideGatewayMedianMs), ms(rows.find((u) => u.path === 'undici' && u.concurrency === r.concurrency)?.medianMs)]),
          ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        ),
      );
    }
    if (verdicts.length > 0) {
      console.log('\n## Targets\n');
      console.log(verdicts.map((v) => `- ${v.line}`).join('\n'));
    }
    if (floorLines.length > 0) console.log(`${verdicts.length > 0 ? '' : '\n## Floor gateway\n\n'}${floorLines.map((l) => `- ${l}`).join('\n')}`);
    if (perfRows !== undefined) console.log(`\n${perfTable(perfRows)}`);
    if (profileSummary !== undefined) console.log(`\n## CPU profile, ${s.profile} path\n\n${profileSummary.text}\n\nraw profile (the last run's PUT phase): ${profileSummary.file}`);
    Object.assign(report, {
      apache: apache.version,
      versions: Object.fromEntries(['undici', 'webdav', 'node-fetch', 'fastify'].map((p) => [p, versionOf(p)])),
      gatewayPeakRssMB: (stopped?.maxRssKB ?? NaN) / 1024,
      ...(floor === undefined ? {} : { floorPeakRssMB: (floorStopped?.maxRssKB ?? NaN) / 1024 }),
      promotedKBPerRun: promoted,
      rows,
      targets: verdicts.map((v) => ({ pass: v.ok, line: v.line })),
      info: floorLines,
      ...(perfRows === undefined ? {} : { perf: perfRows }),
      ...(profileSummary === undefined ? {} : { profile: { file: profileSummary.file, busyMsPerRun: profileSummary.busyMsPerRun, categories: profileSummary.categories } }),
    });
    if (process.env.BENCH_STRICT === '1' && verdicts.some((v) => !v.ok)) code = 2;
  } catch (error) {
    if (interrupted) return 130;
    console.error(`\nbatch bench FAILED: ${error instanceof BenchError ? error.message : (error?.stack ?? error)}`);
    report.error = String(error?.message ?? error);
    code = 1;
  } finally {
    await ctx?.close();
    await gateway?.stop(5000);
    await floor?.stop(5000);
    await baseline?.stop(5000);
    await servers?.stop();
    for (const sig of ['SIGINT', 'SIGTERM']) process.removeListener(sig, onSignal);
  }
  report.elapsedSeconds = (Date.now() - started) / 1000;
  console.log(`\n(batch bench took ${report.elapsedSeconds.toFixed(0)} s)`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const out = path.join(RESULTS_DIR, s.profile !== undefined ? `latest-batch-profile-${s.profile}.json` : 'latest-batch.json');
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), out)}`);
  return code;
}

module.exports = { run, description: 'N PUTs then N DELETEs against Apache: davgate /v1/batch vs the floor gateway vs direct undici vs the webdav package' };
