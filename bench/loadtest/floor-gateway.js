'use strict';
/**
 * The "floor gateway": a benchmark baseline, not a gateway. The least a Node process in
 * davgate's place must do for the load test's REST batches (and the batch bench's, its `floor`
 * path), so that the report can tell how
 * much of the gap between davgate and straight-to-Apache is davgate and how much is the
 * machine: on 2 shared cores any gateway adds a process that does at least the direct client's
 * HTTP work (one upstream request per operation) plus one HTTP exchange and a JSON parse and
 * stringify per batch, and takes that CPU from the client and Apache.
 *
 * What it does, and nothing else: a `node:http` server on 127.0.0.1 (port 0) that takes
 * `POST /v1/batch` with the body workload.js's restBody (or batch-paths.js's floor path)
 * sends, JSON.parse, sends every operation to Apache as one request over an undici Pool with
 * the direct path's settings (16 connections, pipelining 1, the Basic authorization header),
 * the operations on the same href in order (PUT a-k → PROPPATCH a-k, the second only when the
 * first succeeded, else a DEPENDENCY_FAILED result) and the chains concurrently, as davgate
 * and the direct path do. With the batch's `"concurrency": n` (a whole number ≥ 1) at most n
 * of its upstream requests are in flight at once, the slots handed out first come first
 * served, so the operations start in batch order (davgate's semaphore, without its
 * validation); without it, every chain starts at once (the load test's batches carry none).
 * A PUT's body (a JSON string) goes as it is, with its `contentType` or else
 * `application/octet-stream`, the Content-Type davgate sends for a PUT without one
 * (src/operations/put.ts); the PROPPATCH body is a template string; of Apache's answers only
 * the status is read (a 207's first <status> with one regex, the others' bodies dumped). It
 * answers 207 with `{ responses: [{ href, kind, status, code?, retryable?, operationId,
 * operationIndex }] }`, the fields of davgate's REST answer that the ledger reads (targets.js
 * readRest) and the batch bench checks, in the operations' order. A transport failure is
 * UPSTREAM_OUTCOME_UNKNOWN (the ledger's "unknown").
 *
 * Deliberately absent: davgate code, validation (a malformed batch gets a 400 or a crash of
 * the request, never a checked error), limits, queueing, load shedding, timeouts, retries,
 * metrics, logs. Do not read its throughput as a gateway's: read it as the ceiling any gateway
 * process reaches on this machine with this load.
 *
 * Forked by the load test (procs.js startFloorGateway) and by the batch bench (batch.js, with
 * --expose-gc), driven over IPC like slow-proxy.js:
 *
 *   env LOADTEST_FLOOR_BACKEND_URL, LOADTEST_FLOOR_USERNAME, LOADTEST_FLOOR_PASSWORD
 *                                                   ← { type: 'ready', port }
 *   → { type: 'gc', kind }   'minor' (scavenge) or 'full', when run with --expose-gc
 *                                                   ← { type: 'gc', cpu }
 *   → { type: 'cpu' }                               ← { type: 'cpu', cpu }
 *   → { type: 'profile-start' }  CPU profiler on    ← { type: 'profile-started' }
 *   → { type: 'profile-stop' }                      ← { type: 'profile', profile }
 *   → { type: 'stop' }   close the server and pool  ← { type: 'stopped', maxRssKB, cpu, promotedBytes }
 *
 * `cpu` is process.cpuUsage() (user + system µs since start), `promotedBytes` what the 'minor'
 * GCs promoted to the old generation in all (common.js gcPromoted); the load test sends only 'stop'
 * and reads CPU from /proc. It exits when the parent goes away (IPC disconnect).
 */

const http = require('node:http');
const { Pool } = require('undici');
const { cpuProfiler } = require('../cpu-profiler.js');
const { gcPromoted } = require('../common.js');

const backend = new URL(process.env.LOADTEST_FLOOR_BACKEND_URL);
const authorization = `Basic ${Buffer.from(`${process.env.LOADTEST_FLOOR_USERNAME}:${process.env.LOADTEST_FLOOR_PASSWORD}`).toString('base64')}`;
/** The direct path's pool (targets.js directTarget): davgate's default upstream connections. */
const pool = new Pool(backend.origin, { connections: 16, pipelining: 1 });
let promotedBytes = 0;

const STATUS = /<(?:[\w-]+:)?status>\s*HTTP\/1\.\d (\d{3})/;
const XML_TEXT = /[&<>]/g;
const XML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** `set: { "{ns}local": text }` as a propertyupdate, a namespace prefix per property. */
function proppatchBody(set) {
  let props = '';
  let i = 0;
  for (const name in set) {
    const close = name.indexOf('}');
    const local = name.slice(close + 1);
    props += `<L${i}:${local} xmlns:L${i}="${name.slice(1, close)}">${String(set[name]).replace(XML_TEXT, (ch) => XML_ESCAPES[ch])}</L${i}:${local}>`;
    i++;
  }
  return `<?xml version="1.0" encoding="utf-8"?>\n<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>${props}</D:prop></D:set></D:propertyupdate>`;
}

function result(op, index, kind, status, code) {
  return code === undefined
    ? { href: op.href, kind, status, operationId: op.id, operationIndex: index }
    : { href: op.href, kind, status, code, retryable: false, operationId: op.id, operationIndex: index };
}

/** One operation, one upstream request; the result from the status alone. */
async function send(op, index) {
  const headers = { authorization };
  let body;
  if (op.method === 'PUT') {
    headers['content-type'] = op.contentType ?? 'application/octet-stream';
    body = op.body;
  } else if (op.method === 'PROPPATCH') {
    headers['content-type'] = 'application/xml; charset=utf-8';
    body = proppatchBody(op.set);
  }
  let status;
  try {
    const res = await pool.request({ method: op.method, path: op.href, headers, body });
    status = res.statusCode;
    if (status === 207) {
      const m = STATUS.exec(await res.body.text());
      status = m === null ? null : Number(m[1]);
      if (status !== null && status >= 200 && status < 300) return result(op, index, 'Success', status);
      return result(op, index, 'Error', status, 'PROPPATCH_FAILED');
    }
    await res.body.dump();
  } catch {
    return result(op, index, 'Error', null, 'UPSTREAM_OUTCOME_UNKNOWN');
  }
  if (status === 201) return result(op, index, 'Created', status);
  if (status >= 200 && status < 300) return result(op, index, 'Success', status);
  if (status === 423) return result(op, index, 'Locked', status);
  return result(op, index, 'Error', status, `HTTP_${status}`);
}

/**
 * At most `limit` holders at once; a free slot is taken at once (no promise), a released one
 * goes straight to the longest waiter, so requests start in the order they asked.
 */
function slots(limit) {
  let active = 0;
  const waiting = [];
  let head = 0;
  return {
    acquire() {
      if (active < limit) {
        active++;
        return undefined;
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release() {
      if (head < waiting.length) waiting[head++]();
      else active--;
    },
  };
}

/** The operations on one href in order, stopping at the first failure; each request within a slot when `limit` is set. */
async function runChain(chain, out, limit) {
  let failed = false;
  for (const [op, index] of chain) {
    if (failed) {
      out[index] = result(op, index, 'Error', 424, 'DEPENDENCY_FAILED');
      continue;
    }
    let r;
    if (limit === undefined) r = await send(op, index);
    else {
      const wait = limit.acquire();
      if (wait !== undefined) await wait;
      try {
        r = await send(op, index);
      } finally {
        limit.release();
      }
    }
    out[index] = r;
    failed = r.kind !== 'Success' && r.kind !== 'Created';
  }
}

/** `concurrency`: the batch's field, at most that many requests in flight; absent (or not a whole number ≥ 1), no limit. */
async function runBatch(operations, concurrency) {
  const chains = new Map();
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i];
    const chain = chains.get(op.href);
    if (chain === undefined) chains.set(op.href, [[op, i]]);
    else chain.push([op, i]);
  }
  const out = new Array(operations.length);
  const running = [];
  // Chains start in the order of their first operation, so the first requests take the slots in batch order.
  const limit = Number.isInteger(concurrency) && concurrency >= 1 ? slots(concurrency) : undefined;
  for (const chain of chains.values()) running.push(runChain(chain, out, limit));
  await Promise.all(running);
  return out;
}

function answer(res, status, value) {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/batch') {
    req.resume();
    answer(res, 404, { error: { code: 'NOT_FOUND' } });
    return;
  }
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    text += chunk;
  });
  req.on('end', () => {
    let batch;
    try {
      batch = JSON.parse(text);
    } catch {
      answer(res, 400, { error: { code: 'BAD_REQUEST' } });
      return;
    }
    runBatch(batch.operations, batch.concurrency).then(
      (responses) => answer(res, 207, { responses }),
      () => answer(res, 500, { error: { code: 'INTERNAL' } }),
    );
  });
});
// fastify's default (davgate keeps it): a client's idle keep-alive connection is not closed under it between steps.
server.keepAliveTimeout = 72000;

server.listen({ host: '127.0.0.1', port: 0 }, () => process.send({ type: 'ready', port: server.address().port }));

function cpu() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function stop() {
  server.close();
  server.closeAllConnections();
  void pool.close().catch(() => undefined);
  if (process.connected) process.send({ type: 'stopped', maxRssKB: process.resourceUsage().maxRSS, cpu: cpu(), promotedBytes });
  setTimeout(() => process.exit(0), 100).unref();
}

process.on('message', (message) => {
  if (message?.type === 'stop') stop();
  else if (message?.type === 'gc') {
    promotedBytes += gcPromoted(message.kind);
    process.send({ type: 'gc', cpu: cpu() });
  } else if (message?.type === 'cpu') process.send({ type: 'cpu', cpu: cpu() });
  else if (message?.type === 'profile-start') profiler.start().then(() => process.send({ type: 'profile-started' }));
  else if (message?.type === 'profile-stop') profiler.stop().then((profile) => process.send({ type: 'profile', profile }));
});

/** The batch bench's BENCH_BATCH_PROFILE=floor: the CPU profiler over a timed phase. */
const profiler = cpuProfiler();
process.on('disconnect', () => process.exit(0));
