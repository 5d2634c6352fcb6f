'use strict';
/** The load test's knobs, from LOADTEST_* environment variables (bench/README.md, "loadtest"). */

const { envNumber, envList } = require('../common.js');

const FAULTS = ['restart', 'stop', 'slow'];
const FACES = ['mixed', 'rest', 'graphql'];

function settings(env = process.env) {
  const quick = env.LOADTEST_QUICK === '1';
  const faults = envList('LOADTEST_FAULTS', FAULTS).filter((f) => f !== 'none');
  const unknown = faults.filter((f) => !FAULTS.includes(f));
  if (unknown.length > 0) throw new Error(`LOADTEST_FAULTS: unknown fault ${unknown.join(', ')} (known: ${FAULTS.join(', ')}, or none)`);
  const face = env.LOADTEST_FACE || 'mixed';
  if (!FACES.includes(face)) throw new Error(`LOADTEST_FACE must be one of ${FACES.join(', ')}, got "${face}"`);
  const concurrency = envList('LOADTEST_CONCURRENCY', quick ? ['1', '8'] : ['1', '4', '16', '32']).map(Number);
  if (concurrency.some((c) => !Number.isInteger(c) || c < 1 || c > 256)) throw new Error('LOADTEST_CONCURRENCY: whole numbers from 1 to 256');
  const seconds = envNumber('LOADTEST_SECONDS', quick ? 6 : 60);
  const faultSeconds = envNumber('LOADTEST_FAULT_SECONDS', quick ? 4 : 15);
  return {
    quick,
    /** The gateway's share of the comparison, split evenly over the steps; direct and the floor get the same. */
    seconds,
    concurrency,
    stepSeconds: seconds / concurrency.length,
    warmupSeconds: envNumber('LOADTEST_WARMUP_SECONDS', quick ? 1 : 3),
    face,
    direct: env.LOADTEST_DIRECT !== '0',
    /** The floor gateway (floor-gateway.js) as a third half of each step, REST only: the machine's ceiling for any gateway. */
    floor: env.LOADTEST_FLOOR !== '0',
    faults,
    faultSeconds,
    faultConcurrency: envNumber('LOADTEST_FAULT_CONCURRENCY', quick ? 4 : 8),
    /** How long Apache stays down in the restart fault (stopped, then started after this). */
    restartDownSeconds: envNumber('LOADTEST_RESTART_DOWN_SECONDS', quick ? 1 : 2),
    /**
     * The slow phase: 16 workers whose batches have 4 independent chains want up to 64 upstream
     * requests at once, more than the slow gateway's 16 connections + LOADTEST_SLOW_MAX_QUEUED
     * (its DAVGATE_MAX_QUEUED, 16), so that a slow backend saturates it and load shedding, where
     * there is any, shows. With the default queue (256) it would take about 70 workers, which
     * on 2 cores measures the machine more than the gateway. Empty: the gateway's default.
     */
    slowConcurrency: envNumber('LOADTEST_SLOW_CONCURRENCY', 16),
    slowMaxQueued: env.LOADTEST_SLOW_MAX_QUEUED === '' ? undefined : envNumber('LOADTEST_SLOW_MAX_QUEUED', 16),
    /** How long the backend stays SIGSTOPped: longer than the gateway's timeout in that phase, so timeouts happen. */
    stallSeconds: envNumber('LOADTEST_STALL_SECONDS', quick ? 2.5 : 4),
    stallRequestTimeoutMs: envNumber('LOADTEST_STALL_TIMEOUT_MS', 2000),
    slowDelayMs: envNumber('LOADTEST_SLOW_DELAY_MS', 200),
    /** A gateway answer later than this is given up on by the client and counted as a hang. */
    clientTimeoutMs: envNumber('LOADTEST_CLIENT_TIMEOUT_S', 30) * 1000,
    watchdogMs: envNumber('LOADTEST_TIMEOUT_S', 600) * 1000,
    ratioTarget: 0.85,
    /** Memory is "flat" when the last third of the top step's RSS samples is within this of the first third. */
    memoryGrowthTarget: 0.1,
    strict: env.LOADTEST_STRICT === '1',
  };
}

module.exports = { settings, FAULTS };
