'use strict';
/**
 * The fault phases, each under steady load through a gateway, each with its own ledger and
 * collections, checked against Apache afterwards:
 *
 * - restart: Apache stopped (SIGTERM to its process group) and started again on the same port
 *   with the same document root, a third into the phase; the main gateway, default settings;
 * - stop: Apache's process group SIGSTOPped for LOADTEST_STALL_SECONDS, then SIGCONTed: the
 *   kernel still accepts connections and buffers requests, nothing answers; a fresh gateway
 *   with DAVGATE_REQUEST_TIMEOUT_MS=LOADTEST_STALL_TIMEOUT_MS (2000);
 * - slow: a fresh gateway whose backend is slow-proxy.js in front of Apache, the proxy
 *   holding every chunk LOADTEST_SLOW_DELAY_MS (200 ms) during the middle 60% of the phase.
 *
 * Each `inject` returns the fault's window (ms from the phase start) and its events.
 */

const { performance } = require('node:perf_hooks');
const { startGateway, startSlowProxy, live } = require('./procs.js');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const FAULT_INFO = {
  restart: (s) =>
    `Apache stopped (SIGTERM to its process group) ${fmt(s.faultSeconds / 3)} s into the phase and started again ${fmt(s.restartDownSeconds)} s later on the same port and document root; the main gateway (default settings), C=${s.faultConcurrency}`,
  stop: (s) =>
    `Apache's process group SIGSTOPped ${fmt(s.faultSeconds / 3)} s into the phase for ${fmt(s.stallSeconds)} s, then SIGCONTed (connections still accepted by the kernel, nothing answered); a fresh gateway with DAVGATE_REQUEST_TIMEOUT_MS=${s.stallRequestTimeoutMs}, C=${s.faultConcurrency}`,
  slow: (s) =>
    `a fresh gateway whose backend is a TCP proxy in front of Apache (a stub: no real server slows down on demand) holding every chunk, both ways, ${s.slowDelayMs} ms from ${fmt(s.faultSeconds * 0.2)} s to ${fmt(s.faultSeconds * 0.8)} s into the phase; C=${s.slowConcurrency} (up to ${4 * s.slowConcurrency} upstream requests at once) against a gateway with 16 connections and ${s.slowMaxQueued === undefined ? 'the default DAVGATE_MAX_QUEUED' : `DAVGATE_MAX_QUEUED=${s.slowMaxQueued}`}`,
};

function fmt(x) {
  return Number(x.toFixed(1)).toString();
}

/** The gateway a fault phase runs against, and how to let go of it afterwards. */
async function gatewayFor(name, ctx) {
  const { s, apache, mainGateway } = ctx;
  const backend = { DAVGATE_BACKEND_URL: apache.url, DAVGATE_BACKEND_USERNAME: apache.username, DAVGATE_BACKEND_PASSWORD: apache.password };
  if (name === 'restart') return { gateway: mainGateway, release: async () => undefined };
  if (name === 'stop') {
    const gateway = await startGateway({ ...backend, DAVGATE_REQUEST_TIMEOUT_MS: String(s.stallRequestTimeoutMs) }, 'stop');
    return { gateway, release: () => gateway.stop() };
  }
  const { proxy, port } = await startSlowProxy(new URL(apache.url).port);
  const url = new URL(apache.url);
  url.port = String(port);
  let gateway;
  try {
    gateway = await startGateway({ ...backend, DAVGATE_BACKEND_URL: url.href, ...(s.slowMaxQueued === undefined ? {} : { DAVGATE_MAX_QUEUED: String(s.slowMaxQueued) }) }, 'slow');
  } catch (error) {
    await proxy.stop(5000);
    throw error;
  }
  return {
    gateway,
    proxy,
    release: async () => {
      const stopped = await gateway.stop();
      const p = await proxy.stop(5000);
      return { ...stopped, proxyConnections: p?.connections };
    },
  };
}

/** Injects the fault while the load runs; `since()` is ms from the phase start. */
async function inject(name, ctx, since, extra) {
  const { s, holder, apache } = ctx;
  const events = [];
  const note = (what) => events.push({ t: Math.round(since()), what });
  const phaseMs = s.faultSeconds * 1000;
  if (name === 'restart') {
    await sleep(phaseMs / 3);
    const start = since();
    note('Apache stopping (SIGTERM to its process group)');
    const restarted = holder.call({ type: 'restart', downMs: s.restartDownSeconds * 1000 }, ['stopped-apache'], 60000).then((stopped) => {
      note(`Apache stopped (${stopped.stopMs} ms), starting again on the same port in ${s.restartDownSeconds * 1000} ms`);
      return holder.call(undefined, ['restarted'], 60000);
    });
    const r = await restarted;
    apache.pgid = r.pgid;
    live.apachePgid = r.pgid;
    note(`Apache answering again (down ${r.downMs} ms)`);
    return { window: { start, end: since() }, events };
  }
  if (name === 'stop') {
    await sleep(phaseMs / 3);
    const pgid = apache.pgid;
    const start = since();
    process.kill(-pgid, 'SIGSTOP');
    note(`SIGSTOP to Apache's process group ${pgid}`);
    try {
      await sleep(s.stallSeconds * 1000);
    } finally {
      process.kill(-pgid, 'SIGCONT');
    }
    note('SIGCONT');
    return { window: { start, end: since() }, events };
  }
  await sleep(phaseMs * 0.2);
  await extra.proxy.call({ type: 'delay', ms: s.slowDelayMs }, ['delay']);
  const start = since();
  note(`proxy delay ${s.slowDelayMs} ms per chunk`);
  await sleep(phaseMs * 0.6);
  await extra.proxy.call({ type: 'delay', ms: 0 }, ['delay']);
  note('proxy delay 0');
  return { window: { start, end: since() }, events };
}

/** Per-second buckets of requests by start time, and the recovery after the window. */
function timeline(requests, window, seconds) {
  const buckets = Array.from({ length: Math.ceil(seconds) + 1 }, (_, i) => ({ second: i, counts: {}, maxMs: 0 }));
  for (const r of requests) {
    const b = buckets[Math.min(buckets.length - 1, Math.floor(r.t / 1000))];
    b.counts[r.outcome] = (b.counts[r.outcome] ?? 0) + 1;
    b.maxMs = Math.max(b.maxMs, r.ms);
  }
  const after = requests.filter((r) => r.t >= window.end).sort((a, b) => a.t - b.t);
  const firstOk = after.find((r) => r.outcome === 'ok');
  const lastBad = [...requests].filter((r) => r.outcome !== 'ok').sort((a, b) => b.t + b.ms - (a.t + a.ms))[0];
  return {
    buckets: buckets.filter((b) => Object.keys(b.counts).length > 0),
    recoveryMs: firstOk === undefined ? undefined : firstOk.t + firstOk.ms - window.end,
    lastNotOkEndsMs: lastBad === undefined ? undefined : lastBad.t + lastBad.ms,
  };
}

function nowSince(start) {
  return () => performance.now() - start;
}

module.exports = { FAULT_INFO, gatewayFor, inject, timeline, nowSince };
