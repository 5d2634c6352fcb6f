'use strict';
/**
 * Preloaded into the gateway process (`node --expose-gc --require gateway-preload.js
 * bin/davgate.js serve`); the gateway's own code is untouched.
 *
 * - Parent watch: a gateway is never left listening when the load test dies without cleaning
 *   up (SIGKILL, a crash): once a second it checks that its parent is still the process that
 *   started it and, if not, sends itself SIGTERM (the gateway's own clean stop), then exits for
 *   good 10 s later.
 * - Heap probe: on SIGUSR2 (which neither davgate nor its libraries use), a full GC, then one
 *   line on stderr, `davgate-loadtest-heap {"heapUsed":…,"rss":…}` (bytes). The heap that
 *   survives a full GC is what a leak would grow; RSS alone also grows when V8 merely keeps
 *   more room after a busy spell.
 */

const parent = process.ppid;
setInterval(() => {
  if (process.ppid === parent) return;
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), 10000).unref();
}, 1000).unref();

process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
  const { heapUsed, heapTotal, external, arrayBuffers, rss } = process.memoryUsage();
  process.stderr.write(`davgate-loadtest-heap ${JSON.stringify({ heapUsed, heapTotal, external, arrayBuffers, rss, gc: typeof globalThis.gc === 'function' })}\n`);
});
