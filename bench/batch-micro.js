'use strict';
/**
 * davgate's own CPU time for the batch bench's work, without sockets: parseBatch, runBatch
 * through the real UpstreamClient (headers, retries, exchange, the Collector) and the results'
 * JSON, for 200 PUTs then 200 DELETEs at concurrency C, against an undici dispatcher stand-in
 * that answers each request on the next turns of the event loop with Apache's recorded 201
 * (Location, its HTML body) or 204. Neither the kernel's loopback nor Apache nor fastify is in
 * the numbers, so load from elsewhere on the machine distorts them far less than the batch
 * bench's, and a change of a few hundred µs per run shows.
 *
 *   node --expose-gc bench/batch-micro.js                     # dist/
 *   node --expose-gc bench/batch-micro.js /tmp/a/dist dist    # builds compared, in alternation
 *
 * Each build runs in its own child processes (BENCH_MICRO_ROUNDS of them, interleaved with the
 * other builds'), each warming up, then timing BENCH_MICRO_RUNS runs with process.cpuUsage()
 * (user + system) and a scavenge every 10 runs outside the timing; the table gives the median
 * over all runs of a build, its quartiles and the median of each child.
 */

const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { envNumber, gc, median, markdownTable } = require('./common.js');

const N = envNumber('BENCH_BATCH_N', 200);
const CONCURRENCY = envNumber('BENCH_MICRO_CONCURRENCY', 8);
const RUNS = envNumber('BENCH_MICRO_RUNS', 300);
const WARMUP = envNumber('BENCH_MICRO_WARMUP', 150);
const ROUNDS = envNumber('BENCH_MICRO_ROUNDS', 3);
/** `core` (parseBatch, runBatch, the results' JSON) or `app` (the same batches through the fastify app with app.inject). */
const FACE = process.env.BENCH_MICRO_FACE ?? 'core';
if (FACE !== 'core' && FACE !== 'app') throw new Error(`BENCH_MICRO_FACE must be core or app, got "${FACE}"`);

const DATE = 'Sun, 22 Nov 2026 04:37:47 GMT';
const SERVER = 'Apache/2.4.71 (Debian)';

/** The stand-in for the Pool: the handler calls undici makes, for a request that was sent at once. */
function instantDispatcher() {
  const controller = { paused: false, aborted: false, reason: null, abort() {}, pause() {}, resume() {} };
  const created = (href) => Buffer.from(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html>\n<head>\n<title>201 Created</title>\n</head><body>\n<h1>Created</h1>\n<p>Resource ${href} has been created.</p>\n</body></html>\n`);
  return {
    dispatch(opts, handler) {
      setImmediate(() => {
        handler.onRequestStart(controller, {});
        setImmediate(() => {
          if (opts.method === 'PUT') {
            const body = created(opts.path);
            handler.onResponseStart(controller, 201, { date: DATE, server: SERVER, location: `http://127.0.0.1:8080${opts.path}`, 'content-length': String(body.length), 'keep-alive': 'timeout=5, max=100', connection: 'Keep-Alive', 'content-type': 'text/html; charset=ISO-8859-1' }, 'Created');
            handler.onResponseData(controller, body);
          } else {
            handler.onResponseStart(controller, 204, { date: DATE, server: SERVER, 'keep-alive': 'timeout=5, max=100', connection: 'Keep-Alive' }, 'No Content');
          }
          handler.onResponseEnd(controller, {});
        });
      });
      return true;
    },
    close: async () => undefined,
    destroy: async () => undefined,
  };
}

async function child(dist) {
  const { parseBatch, runBatch } = require(path.join(dist, 'batch/executor.js'));
  const { UpstreamClient } = require(path.join(dist, 'upstream/client.js'));
  const { DEFAULT_LIMITS } = require(path.join(dist, 'upstream/backend.js'));
  const { resultToJson } = require(path.join(dist, 'json/to-json.js'));
  const { makeBody } = require('./batch-paths.js');
  const client = new UpstreamClient({ name: 'bench', url: 'http://127.0.0.1:8080/dav/', auth: { mode: 'basic', username: 'u', password: 'p' }, limits: DEFAULT_LIMITS }, instantDispatcher());
  const body = makeBody(1024);
  const href = (i) => `/dav/bench/f${String(i).padStart(4, '0')}.bin`;
  // The request bodies as the gateway gets them: text, parsed on every run.
  const puts = JSON.stringify({ operations: Array.from({ length: N }, (_, i) => ({ method: 'PUT', href: href(i), body })), concurrency: CONCURRENCY });
  const deletes = JSON.stringify({ operations: Array.from({ length: N }, (_, i) => ({ method: 'DELETE', href: href(i) })), concurrency: CONCURRENCY });
  let requestId = 0;
  const app = FACE === 'app' ? require(path.join(dist, 'app.js')).buildApp(require(path.join(dist, 'config.js')).loadConfig({ DAVGATE_LOG_LEVEL: 'silent' }), client) : undefined;
  await app?.ready();
  const answerOf = async (text) => {
    if (app !== undefined) {
      const res = await app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: text });
      return JSON.parse(res.payload).responses;
    }
    const grouped = await runBatch(parseBatch(JSON.parse(text)), client, { requestId: `req-${++requestId}` });
    const results = [];
    for (const group of grouped) for (const result of group) results.push(result);
    return JSON.parse(JSON.stringify({ responses: results.map(resultToJson) })).responses;
  };
  const phase = async (text, kind, status) => {
    const answer = await answerOf(text);
    if (answer === undefined || answer.length !== N || answer.some((r, i) => r.kind !== kind || r.status !== status || r.operationIndex !== i)) throw new Error(`wrong results: ${JSON.stringify(answer).slice(0, 300)}`);
  };
  const run = async () => {
    await phase(puts, 'Created', 201);
    await phase(deletes, 'Success', 204);
  };
  for (let i = 0; i < WARMUP; i++) await run();
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 10 === 0) gc('minor');
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    samples.push(used.user + used.system);
  }
  process.stdout.write(JSON.stringify(samples));
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function main() {
  const dists = process.argv.length > 2 ? process.argv.slice(2).map((d) => path.resolve(d)) : [path.join(__dirname, '..', 'dist')];
  const all = new Map(dists.map((d) => [d, { samples: [], childMedians: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const dist of dists) {
      const out = execFileSync(process.execPath, ['--expose-gc', __filename, '--child', dist], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const samples = JSON.parse(out);
      all.get(dist).samples.push(...samples);
      all.get(dist).childMedians.push(median(samples));
      console.error(`  round ${round + 1}/${ROUNDS}: ${path.relative(process.cwd(), dist) || '.'} ${(median(samples) / 1000).toFixed(2)} ms`);
    }
  }
  const ms = (us) => (us / 1000).toFixed(2);
  const rows = dists.map((dist) => {
    const { samples, childMedians } = all.get(dist);
    const sorted = [...samples].sort((a, b) => a - b);
    return [path.relative(process.cwd(), dist) || '.', ms(median(sorted)), ms(quantile(sorted, 0.25)), ms(quantile(sorted, 0.75)), childMedians.map(ms).join(', '), String(sorted.length)];
  });
  console.log(`\ndavgate CPU per run (${N} PUT + ${N} DELETE, C=${CONCURRENCY}, ${FACE === 'app' ? 'through the fastify app (app.inject)' : 'parseBatch + runBatch + JSON'}, instant dispatcher; user + system ms)\n`);
  console.log(markdownTable(['build', 'median', 'p25', 'p75', 'child medians', 'runs'], rows, ['l', 'r', 'r', 'r', 'l', 'r']));
}

if (require.main !== module) {
  module.exports = { instantDispatcher };
} else if (process.argv[2] === '--child') {
  child(process.argv[3]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main();
}
