'use strict';
/**
 * The "slow backend" fault: a TCP proxy on 127.0.0.1 in front of Apache that holds every
 * chunk, in both directions, for a delay before forwarding it (order kept). It is a stub, the
 * one the style guide allows for a fault no real server produces on demand: Apache cannot be
 * made slow at will, and a slow disk or a busy host would slow the whole machine, client and
 * gateway included. Forked by run.js:
 *
 *   env LOADTEST_PROXY_TARGET_PORT                ← { type: 'ready', port }
 *   → { type: 'delay', ms }  delay of chunks that arrive from now on   ← { type: 'delay', ms }
 *   → { type: 'stop' }       close everything                          ← { type: 'stopped', connections }
 *
 * It exits when the parent goes away (IPC disconnect).
 */

const net = require('node:net');

const targetPort = Number(process.env.LOADTEST_PROXY_TARGET_PORT);
let delayMs = 0;
let connections = 0;
const sockets = new Set();

/**
 * Forwards `from` to `to`, each chunk `delayMs` after it arrived, in order (one queue and one
 * timer per direction, so that chunks with equal due times cannot swap). The end and errors
 * travel the same way, behind the data.
 */
function forwardDelayed(from, to) {
  const queue = [];
  let timer;
  const pump = () => {
    timer = undefined;
    while (queue.length > 0 && queue[0].at <= Date.now()) {
      const item = queue.shift();
      if (to.destroyed) continue;
      if (item.chunk !== undefined) to.write(item.chunk);
      else if (item.end) to.end();
      else to.destroy();
    }
    if (queue.length > 0) timer = setTimeout(pump, queue[0].at - Date.now());
  };
  const push = (item) => {
    queue.push({ at: Date.now() + delayMs, ...item });
    timer ??= setTimeout(pump, delayMs);
  };
  let ended = false;
  from.on('data', (chunk) => push({ chunk }));
  from.on('end', () => {
    ended = true;
    push({ end: true });
  });
  // A close after a clean end lets `to` flush; a reset or an abrupt close resets the other side too.
  from.on('error', () => push({}));
  from.on('close', () => {
    if (!ended) push({});
  });
}

const server = net.createServer((client) => {
  connections++;
  const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  }
  forwardDelayed(client, upstream);
  forwardDelayed(upstream, client);
});

server.listen({ host: '127.0.0.1', port: 0 }, () => process.send({ type: 'ready', port: server.address().port }));

function stop() {
  server.close();
  for (const s of sockets) s.destroy();
  if (process.connected) process.send({ type: 'stopped', connections });
  setTimeout(() => process.exit(0), 100).unref();
}

process.on('message', (message) => {
  if (message?.type === 'delay') {
    delayMs = Number(message.ms);
    process.send({ type: 'delay', ms: delayMs });
  } else if (message?.type === 'stop') stop();
});
process.on('disconnect', () => process.exit(0));
