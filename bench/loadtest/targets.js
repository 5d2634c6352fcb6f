'use strict';
/**
 * The two ways an iteration's operations reach Apache, each answering in the ledger's terms:
 *
 * - gateway: one POST /v1/batch (REST) or POST /graphql `batch` mutation per iteration, to the
 *   gateway process, over an undici Pool (a connection per worker);
 * - direct: the same operations as individual requests straight to Apache through an undici
 *   Pool with the gateway's upstream settings (16 connections, pipelining 1), the chains of an
 *   iteration concurrently and each chain in order, a chain stopping at its first failure
 *   (the rest answer DEPENDENCY_FAILED, as the gateway's do).
 *
 * An answer is { http, results: [{ operationId, href, kind, status, code }] } when there are
 * per-operation results; { http, shed: true, code, retryAfter } for a whole request refused
 * by load shedding; { http, failed: 'what' } for any other whole-request failure or no answer.
 */

const { Pool } = require('undici');
const { restBody, graphqlBody, proppatchXml, chainsOf } = require('./workload.js');
const { SHED_CODES } = require('./ledger.js');

/** The gateway's upstream pool size (DAVGATE_CONNECTIONS default); the direct path gets the same. */
const CONNECTIONS = 16;

function gatewayTarget(origin, { connections, timeoutMs }) {
  const pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 10000 });
  return {
    kind: 'gateway',
    async send(ops, face) {
      const isRest = face === 'rest';
      let res;
      let text;
      try {
        res = await pool.request({
          method: 'POST',
          path: isRest ? '/v1/batch' : '/graphql',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: isRest ? restBody(ops) : graphqlBody(ops),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.body.text();
      } catch (error) {
        return { http: res?.statusCode ?? null, failed: error.name === 'TimeoutError' || /timeout/i.test(error.code ?? '') ? `no answer within ${timeoutMs} ms` : `client ${error.code ?? error.name}` };
      }
      return isRest ? readRest(res, text) : readGraphql(res, text);
    },
    close: () => pool.close(),
  };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function wholeRequest(res, code) {
  const retryAfter = res.headers['retry-after'];
  if (res.statusCode === 503 && SHED_CODES.has(code)) return { http: 503, shed: true, code, retryAfter };
  return { http: res.statusCode, failed: `HTTP ${res.statusCode} ${code ?? 'no code'}`, code, retryAfter };
}

function readRest(res, text) {
  const body = parseJson(text);
  if (res.statusCode === 207 && Array.isArray(body?.responses)) {
    return { http: 207, results: body.responses.map((r) => ({ operationId: r.operationId, href: r.href, kind: r.kind, status: r.status, code: r.code })) };
  }
  return wholeRequest(res, body?.error?.code);
}

function readGraphql(res, text) {
  const body = parseJson(text);
  const results = body?.data?.batch?.results;
  if (res.statusCode === 200 && Array.isArray(results)) {
    return { http: 200, results: results.map((r) => ({ operationId: r.operationId, href: r.href, kind: r.__typename, status: r.status, code: r.code })) };
  }
  return wholeRequest(res, body?.errors?.[0]?.extensions?.code);
}

/** A status as the gateway would classify it, for the few a direct request can get here. */
function directResult(op, status, body) {
  const base = { operationId: op.id, href: op.href, status };
  if (status === 201) return { ...base, kind: 'Created' };
  if (status === 207) {
    // PROPPATCH: all or nothing (RFC 4918 §9.2), so every propstat must be 2xx.
    const statuses = [...body.matchAll(/<(?:[\w-]+:)?status>\s*HTTP\/1\.\d (\d{3})/g)].map((m) => Number(m[1]));
    const failed = statuses.find((s) => s < 200 || s > 299);
    return statuses.length > 0 && failed === undefined ? { ...base, kind: 'Success', status: 200 } : { ...base, kind: 'Error', status: failed ?? null, code: 'PROPPATCH_FAILED' };
  }
  if (status >= 200 && status < 300) return { ...base, kind: 'Success' };
  if (status === 423) return { ...base, kind: 'Locked' };
  return { ...base, kind: 'Error', code: `HTTP_${status}` };
}

function directTarget(origin, authorization) {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  const sendOne = async (op) => {
    const headers = { authorization };
    let body;
    if (op.method === 'PUT') {
      headers['content-type'] = op.contentType;
      body = op.body;
    } else if (op.method === 'PROPPATCH') {
      headers['content-type'] = 'application/xml; charset=utf-8';
      body = proppatchXml(op.value);
    }
    try {
      const res = await pool.request({ method: op.method, path: op.href, headers, body });
      return directResult(op, res.statusCode, await res.body.text());
    } catch (error) {
      // Not knowing where it failed, a write's outcome is unknown.
      return { operationId: op.id, href: op.href, kind: 'Error', status: null, code: 'DIRECT_TRANSPORT', detail: error.code ?? error.message };
    }
  };
  const runChain = async (chain) => {
    const out = [];
    for (const op of chain) {
      const prior = out.at(-1);
      if (prior !== undefined && prior.kind !== 'Success' && prior.kind !== 'Created') out.push({ operationId: op.id, href: op.href, kind: 'Error', status: 424, code: 'DEPENDENCY_FAILED' });
      else out.push(await sendOne(op));
    }
    return out;
  };
  return {
    kind: 'direct',
    async send(ops) {
      const chains = await Promise.all(chainsOf(ops).map(runChain));
      return { http: null, results: chains.flat() };
    },
    close: () => pool.close(),
  };
}

module.exports = { gatewayTarget, directTarget };
