'use strict';
/**
 * The inspector's CPU profiler of the calling process, sampling every 200 µs: `start()`, then
 * `stop()` resolves with the profile. Used by profile.js, by the batch bench in its own
 * process (batch-procs.js), in the gateway (batch-gateway.js) and in the floor gateway
 * (loadtest/floor-gateway.js).
 */

const inspector = require('node:inspector');

function cpuProfiler() {
  let session;
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  return {
    async start() {
      session = new inspector.Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
    },
    async stop() {
      const { profile } = await post('Profiler.stop');
      this.close();
      return profile;
    },
    /** Drops the session, profiling or not. */
    close() {
      session?.disconnect();
      session = undefined;
    },
  };
}

module.exports = { cpuProfiler };
