'use strict';
/**
 * The four ways the batch bench sends N PUTs then N DELETEs to Apache, each checking every
 * answer (a wrong one throws), plus the untimed housekeeping around them (MKCOL of a fresh
 * collection, PROPFIND Depth 1 to check what is there, DELETE of the collection):
 *
 * - gateway: one `POST /v1/batch` of N PUT operations, then one of N DELETE operations, with
 *   `concurrency: C`, over an undici Client (keep-alive) to the gateway process;
 * - floor: the same two POSTs, the same checks, over an undici Client to the floor gateway
 *   (loadtest/floor-gateway.js: node:http and an undici Pool, no davgate code), the least a
 *   process in davgate's place can do, as a baseline for what any gateway costs here;
 * - undici: the same requests straight to Apache through an undici Pool with the gateway's
 *   upstream settings (16 connections, pipelining 1), C in flight (a promise pool);
 * - webdav: the `webdav` package's putFileContents / deleteFile, C in flight, through a
 *   keep-alive http.Agent with 16 sockets.
 */

const http = require('node:http');
const { Client, Pool } = require('undici');

/** The gateway's upstream pool size (DEFAULT_LIMITS.connections); the direct paths get the same. */
const CONNECTIONS = 16;
const CONTENT_TYPE = 'application/octet-stream';

/** A deterministic ASCII body of `bytes` bytes (JSON-safe, so the gateway carries it as it is). */
function makeBody(bytes) {
  const line = 'davgate batch bench: 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.\n';
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/** Runs fn(0..n-1) with at most c calls in flight, starting them in order. */
async function promisePool(n, c, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(c, n) }, worker));
}

function fileName(i) {
  return `f${String(i).padStart(4, '0')}.bin`;
}

class BenchError extends Error {}

function check(condition, message) {
  if (!condition) throw new BenchError(message);
}

/**
 * Everything the paths share: the Apache origin and root, credentials, the direct pool,
 * the webdav client, the gateway client and, given `floorPort` and `baselinePort`, the floor
 * gateway's and the baseline build's clients.
 */
async function createPaths({ apache, gatewayPort, floorPort, baselinePort, n, bodyBytes }) {
  const apacheUrl = new URL(apache.url);
  const origin = apacheUrl.origin;
  const root = apacheUrl.pathname; // '/dav/'
  const authorization = `Basic ${Buffer.from(`${apache.username}:${apache.password}`, 'utf8').toString('base64')}`;
  const body = makeBody(bodyBytes);
  const direct = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  const admin = new Client(origin);
  const gateway = new Client(`http://127.0.0.1:${gatewayPort}`);
  const floor = floorPort === undefined ? undefined : new Client(`http://127.0.0.1:${floorPort}`);
  const baseline = baselinePort === undefined ? undefined : new Client(`http://127.0.0.1:${baselinePort}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const { createClient } = await import('webdav');
  const webdav = createClient(apache.url, { username: apache.username, password: apache.password, httpAgent: agent });

  async function adminRequest(method, path, headers = {}, expected) {
    const res = await admin.request({ method, path, headers: { authorization, ...headers } });
    const text = await res.body.text();
    check(res.statusCode === expected, `${method} ${path}: expected ${expected}, got ${res.statusCode}: ${text.slice(0, 200)}`);
    return text;
  }

  /** Members of a collection (PROPFIND Depth 1 answers, the collection itself left out). */
  async function members(collection) {
    const xml = await adminRequest('PROPFIND', collection, { depth: '1', 'content-type': 'application/xml' }, 207);
    return (xml.match(/<D:response[\s>]/g) ?? []).length - 1;
  }

  const hrefs = (collection) => Array.from({ length: n }, (_, i) => `${collection}${fileName(i)}`);

  /** One POST /v1/batch to `client` (the gateway's or the floor's, named `who` in errors), every result checked. */
  async function gatewayBatch(client, who, operations, concurrency, expectedKind, expectedStatus) {
    const res = await client.request({
      method: 'POST',
      path: '/v1/batch',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ operations, concurrency }),
    });
    const text = await res.body.text();
    check(res.statusCode === 207, `${who}: POST /v1/batch answered ${res.statusCode}: ${text.slice(0, 300)}`);
    const { responses } = JSON.parse(text);
    check(Array.isArray(responses) && responses.length === operations.length, `${who}: ${responses?.length} results for ${operations.length} operations`);
    for (let i = 0; i < responses.length; i++) {
      const r = responses[i];
      check(
        r.kind === expectedKind && r.status === expectedStatus && r.href === operations[i].href && r.operationIndex === i,
        `${who}: result #${i} is ${JSON.stringify(r).slice(0, 300)}, expected ${expectedKind} ${expectedStatus} for ${operations[i].href}`,
      );
    }
  }

  async function directRequest(method, path, expected, withBody) {
    const headers = withBody ? { authorization, 'content-type': CONTENT_TYPE } : { authorization };
    const res = await direct.request({ method, path, headers, ...(withBody ? { body } : {}) });
    await res.body.arrayBuffer();
    check(res.statusCode === expected, `undici: ${method} ${path} answered ${res.statusCode}, expected ${expected}`);
  }

  /** A path that sends the two phases as one POST /v1/batch each to `client`, named `who` in errors. */
  const viaBatch = (client, who) => ({
    put: (collection, c) => gatewayBatch(client, who, hrefs(collection).map((href) => ({ method: 'PUT', href, body })), c, 'Created', 201),
    del: (collection, c) => gatewayBatch(client, who, hrefs(collection).map((href) => ({ method: 'DELETE', href })), c, 'Success', 204),
  });

  /** Each path: { put(collection, c), del(collection, c) }. */
  const paths = {
    gateway: viaBatch(gateway, 'gateway'),
    // Another build of davgate in its own process (BENCH_BATCH_BASELINE), the same batches.
    baseline: viaBatch(baseline, 'baseline'),
    // The same batches as the gateway's (no contentType: both send application/octet-stream upstream).
    floor: viaBatch(floor, 'floor'),
    undici: {
      put: (collection, c) => promisePool(n, c, (i) => directRequest('PUT', `${collection}${fileName(i)}`, 201, true)),
      del: (collection, c) => promisePool(n, c, (i) => directRequest('DELETE', `${collection}${fileName(i)}`, 204, false)),
    },
    webdav: {
      // Paths relative to the client's remote URL (which ends in the root).
      put: (collection, c) =>
        promisePool(n, c, async (i) => {
          const ok = await webdav.putFileContents(`${collection.slice(root.length - 1)}${fileName(i)}`, body);
          check(ok === true, `webdav: putFileContents of ${fileName(i)} returned ${ok}`);
        }),
      del: (collection, c) => promisePool(n, c, (i) => webdav.deleteFile(`${collection.slice(root.length - 1)}${fileName(i)}`)),
    },
  };

  return {
    root,
    paths,
    bodyBytes: Buffer.byteLength(body),
    mkcol: (collection) => adminRequest('MKCOL', collection, {}, 201),
    members,
    rmcol: (collection) => adminRequest('DELETE', collection, {}, 204),
    async close() {
      agent.destroy();
      await Promise.allSettled([direct.close(), admin.close(), gateway.close(), floor?.close(), baseline?.close()]);
    },
  };
}

module.exports = { createPaths, promisePool, makeBody, BenchError, CONNECTIONS };
