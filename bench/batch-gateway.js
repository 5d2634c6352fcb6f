'use strict';
/**
 * The gateway of the batch bench, in its own process (forked by batch.js with --expose-gc):
 * davgate's fastify app from dist/ with one UpstreamClient (Basic auth, DEFAULT_LIMITS: 16
 * connections) to the bench's Apache, made as `davgate serve` makes it (its exchanges and
 * load in the app's Prometheus metrics), listening on 127.0.0.1 on an ephemeral port, logs
 * silent. Driven over IPC:
 *
 *   → { type: 'start', apache: { url, username, password } }   ← { type: 'ready', port }
 *   → { type: 'gc', kind }      a GC outside the timing: 'full' (mark-compact) or 'minor' (scavenge)   ← { type: 'gc', cpu }
 *   → { type: 'cpu' }                                            ← { type: 'cpu', cpu }
 *   → { type: 'profile-start' } inspector CPU profiler on (200 µs) ← { type: 'profile-started' }
 *   → { type: 'profile-stop' }                                   ← { type: 'profile', profile }
 *   → { type: 'stop' }          close app and client             ← { type: 'stopped', maxRssKB, cpu, promotedBytes }
 *
 * `cpu` is process.cpuUsage() (user + system µs since start); `promotedBytes` what the 'minor'
 * GCs promoted to the old generation in all (common.js gcPromoted). It exits when the parent goes
 * away (IPC disconnect) or on SIGINT/SIGTERM.
 *
 * BENCH_BATCH_GATEWAY_DIST names another build's dist/ folder to run instead of this
 * checkout's (the baseline path of batch.js); its packages resolve from that folder up.
 *
 * With BENCH_BATCH_TRACE=1 the backend handed to the app is a thin wrapper of the client that
 * notes when the first upstream request of a batch starts and the last one ends, and fastify
 * hooks note when the POST arrived and its answer was sent; the 'cpu' answer then carries the
 * last batch's { bodyMs, prepMs, upstreamMs, finishMs, totalMs } (all in this process's clock;
 * bodyMs: POST headers in → body read and parsed, prepMs: POST headers in → first upstream
 * request).
 */

const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { cpuProfiler } = require('./cpu-profiler.js');
const { gcPromoted } = require('./common.js');

/** The build to run: this checkout's dist/, or BENCH_BATCH_GATEWAY_DIST (the baseline path, batch.js BENCH_BATCH_BASELINE). */
const DIST = process.env.BENCH_BATCH_GATEWAY_DIST ? path.resolve(process.env.BENCH_BATCH_GATEWAY_DIST) : path.join(__dirname, '..', 'dist');
const { buildApp } = require(path.join(DIST, 'app.js'));
const { loadConfig } = require(path.join(DIST, 'config.js'));
const { UpstreamClient } = require(path.join(DIST, 'upstream', 'client.js'));
const { Metrics } = require(path.join(DIST, 'metrics', 'metrics.js'));
/** `davgate serve`'s client, its exchanges in the app's metrics (older builds without it: a bare client). */
const { instrumentedClient } = require(path.join(DIST, 'server.js'));
const { DEFAULT_LIMITS } = require(path.join(DIST, 'upstream', 'backend.js'));

let app;
let client;
const profiler = cpuProfiler();
let closing;
const tracing = process.env.BENCH_BATCH_TRACE === '1';
let trace;
let lastTrace;
let promotedBytes = 0;

/** The client as the app's backend, noting the first send and the last answer of a batch. */
function traced(upstream) {
  return {
    origin: upstream.origin,
    root: upstream.root,
    resolveHref: (href) => upstream.resolveHref(href),
    async send(request, options) {
      if (trace !== undefined) trace.firstSend ??= performance.now();
      try {
        return await upstream.send(request, options);
      } finally {
        if (trace !== undefined) trace.lastDone = performance.now();
      }
    },
    // The executor's way when the client has it (UpstreamClient.dispatch), so that tracing runs the same path.
    ...(typeof upstream.dispatch !== 'function' ? {} : {
      dispatch(request, options, done) {
        if (trace !== undefined) trace.firstSend ??= performance.now();
        upstream.dispatch(request, options, (error, response) => {
          if (trace !== undefined) trace.lastDone = performance.now();
          done(error, response);
        });
      },
    }),
  };
}

function cpu() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function close() {
  closing ??= (async () => {
    profiler.close();
    if (app !== undefined) await app.close();
    if (client !== undefined) await client.close();
  })();
  return closing;
}

function exitAfterClose(code) {
  const watchdog = setTimeout(() => process.exit(code), 5000);
  watchdog.unref();
  close().finally(() => process.exit(code));
}

const handlers = {
  async start({ apache }) {
    const config = loadConfig({ DAVGATE_LOG_LEVEL: 'silent' });
    // Made as `davgate serve` makes it (src/server.ts): the upstream observer and the backend's gauges in the app's metrics.
    const metrics = new Metrics();
    const backend = { name: 'bench', url: apache.url, auth: { mode: 'basic', username: apache.username, password: apache.password }, limits: DEFAULT_LIMITS };
    client = instrumentedClient === undefined ? new UpstreamClient(backend) : instrumentedClient(backend, metrics);
    app = buildApp(config, tracing ? traced(client) : client, metrics);
    if (tracing) {
      app.addHook('onRequest', async (request) => {
        if (request.url === '/v1/batch') trace = { start: performance.now() };
      });
      app.addHook('preHandler', async (request) => {
        if (request.url === '/v1/batch' && trace !== undefined) trace.handler = performance.now();
      });
      app.addHook('onResponse', async (request) => {
        if (request.url !== '/v1/batch' || trace === undefined) return;
        const end = performance.now();
        lastTrace = { bodyMs: trace.handler - trace.start, prepMs: trace.firstSend - trace.start, upstreamMs: trace.lastDone - trace.firstSend, finishMs: end - trace.lastDone, totalMs: end - trace.start };
        trace = undefined;
      });
    }
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { type: 'ready', port: app.server.address().port, concurrency: config.concurrency, connections: DEFAULT_LIMITS.connections };
  },
  async gc({ kind }) {
    promotedBytes += gcPromoted(kind);
    return { type: 'gc', cpu: cpu() };
  },
  async cpu() {
    const answer = { type: 'cpu', cpu: cpu(), ...(lastTrace === undefined ? {} : { trace: lastTrace }) };
    lastTrace = undefined;
    return answer;
  },
  async 'profile-start'() {
    await profiler.start();
    return { type: 'profile-started' };
  },
  async 'profile-stop'() {
    return { type: 'profile', profile: await profiler.stop() };
  },
  async stop() {
    await close();
    return { type: 'stopped', maxRssKB: process.resourceUsage().maxRSS, cpu: cpu(), promotedBytes };
  },
};

process.on('message', (message) => {
  const handler = handlers[message?.type];
  if (handler === undefined) {
    process.send({ type: 'error', message: `unknown message ${JSON.stringify(message)}` });
    return;
  }
  handler(message).then(
    (answer) => {
      process.send(answer);
      if (message.type === 'stop') process.disconnect();
    },
    (error) => process.send({ type: 'error', message: String(error?.stack ?? error) }),
  );
});
process.on('disconnect', () => exitAfterClose(0));
process.on('SIGINT', () => exitAfterClose(130));
process.on('SIGTERM', () => exitAfterClose(143));
