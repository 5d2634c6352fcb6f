'use strict';
/**
 * Holder of the batch bench's servers: a child process (forked by batch.js) that starts the
 * test servers of test/servers (Apache mod_dav and Radicale, on loopback, in their own process
 * groups) through tsx, sends their description over IPC, and stops them when the parent says
 * so, when the IPC channel closes (the parent died), or on SIGINT/SIGTERM/SIGHUP. test/servers
 * itself also kills the groups if this process exits some other way, and sweeps the leftovers
 * of a run killed with SIGKILL at the next start.
 *
 * BENCH_BATCH_SERVERS_TMPDIR (set by batch.js) is where the run directory goes.
 *
 * Kept out of the client process so that tsx's hooks never run where the timing happens.
 */

require('tsx/cjs');
const { startServers } = require('../test/servers/index.ts');

// test/servers makes its run directory in os.tmpdir(); set only now, so that tsx's cache
// stays in the usual temporary directory.
if (process.env.BENCH_BATCH_SERVERS_TMPDIR) process.env.TMPDIR = process.env.BENCH_BATCH_SERVERS_TMPDIR;

let stopping;
/** Settles once the start-up has (servers, or undefined when it failed). */
let started;

function stopAndExit(code) {
  stopping ??= (async () => {
    const watchdog = setTimeout(() => process.exit(code === 0 ? 1 : code), 20000);
    watchdog.unref();
    try {
      // A stop asked for during the start-up waits for it, so that no server is left behind.
      const handle = await started;
      if (handle !== undefined) await handle.stop();
      if (process.connected) process.send({ type: 'stopped' });
    } catch (error) {
      console.error(`batch-servers: stopping the servers failed: ${error?.stack ?? error}`);
      code = code === 0 ? 1 : code;
    } finally {
      process.exit(code);
    }
  })();
  return stopping;
}

process.on('message', (message) => {
  if (message?.type === 'stop') void stopAndExit(0);
});
process.on('disconnect', () => void stopAndExit(0));
const SIGNAL_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
for (const [signal, code] of Object.entries(SIGNAL_CODES)) process.on(signal, () => void stopAndExit(code));

started = startServers().then(
  (h) => {
    if (stopping === undefined && process.connected) process.send({ type: 'ready', servers: h.servers, dir: h.dir });
    return h;
  },
  (error) => {
    if (process.connected) process.send({ type: 'error', message: String(error?.stack ?? error) });
    void stopAndExit(1);
    return undefined;
  },
);
