import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseBatch, runBatch } from '../batch/executor';
import { DavgateError } from '../model/errors';
import type { MultiStatus } from '../model/multistatus';
import type { Result } from '../model/result';
import { resultsToMultiStatus } from '../model/results-to-multistatus';
import { fromCanonicalJson } from '../json/from-json';
import { resultToJson, toCanonicalJson } from '../json/to-json';
import { buildMultiStatusChunks } from '../xml/build-multistatus';
import { parseMultiStatus } from '../xml/parse-multistatus';
import { requestedBackend, type BackendRouter } from '../router';
import { JSON_TYPE, prefersXml, XML } from './negotiate';

/** The REST face: `/v1/batch`, `/v1/multistatus`, `/healthz`, `/readyz`. */
export function registerRoutes(app: FastifyInstance, router: BackendRouter, options: { concurrency: number; maxBodyBytes: number }): void {
  app.post('/v1/batch', async (request, reply) => {
    const batch = parseBatch(request.body, options.concurrency);
    const backend = router.forBatch(requestedBackend(request.headers), batch.operations);
    const authorization = request.headers.authorization;
    const grouped = await runBatch(batch, backend, { ...(authorization === undefined ? {} : { authorization }), requestId: request.id, signal: app.shutdown.signal });
    // A plain loop: Array#flat is a generic builtin several times slower on 200 one-element groups.
    const results: Result[] = [];
    for (const group of grouped) for (const result of group) results.push(result);
    request.log.info({ operations: batch.operations.length, results: results.length }, 'batch done');
    app.metrics.recordBatch('rest', batch.operations.length, results);
    void reply.status(207);
    if (prefersXml(request, 'json')) return sendXml(reply, resultsToMultiStatus(results));
    return { responses: results.map(resultToJson) };
  });

  app.post('/v1/multistatus', async (request, reply) => {
    const type = request.headers['content-type'] ?? '';
    const method = typeof (request.query as { method?: unknown }).method === 'string' ? ((request.query as { method: string }).method).toUpperCase() : 'PROPFIND';
    const ms: MultiStatus = /json/i.test(type) ? fromCanonicalJson(request.body) : parseMultiStatus(request.body as Buffer, { maxBytes: options.maxBodyBytes });
    if (prefersXml(request, /json/i.test(type) ? 'xml' : 'json')) return sendXml(reply, ms);
    void reply.type(JSON_TYPE);
    return toCanonicalJson(ms, method);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Ready when not shutting down and every backend answers: any status below 500 (a 401 included)
  // means it is there and speaking HTTP.
  app.get('/readyz', async (request, reply) => {
    const checks = await Promise.all(router.routes.map(async ({ name, backend }) => {
      try {
        const response = await backend.send({ method: 'OPTIONS', path: backend.root, headers: {} }, { requestId: request.id });
        return [name, response.status < 500 ? { status: 'ready', answered: response.status } : { status: 'unavailable', answered: response.status }] as const;
      } catch (error) {
        return [name, { status: 'unavailable', code: error instanceof DavgateError ? error.code : 'UPSTREAM_UNAVAILABLE' }] as const;
      }
    }));
    const backends = Object.fromEntries(checks);
    const status = app.shutdown.draining ? 'draining' : checks.every(([, check]) => check.status === 'ready') ? 'ready' : 'unavailable';
    return reply.status(status === 'ready' ? 200 : 503).send({ status, backends });
  });
}

/** Streams the multistatus, one piece per response (build-multistatus.ts); a value XML cannot carry fails before anything is sent. */
function sendXml(reply: FastifyReply, ms: MultiStatus): FastifyReply {
  const chunks = buildMultiStatusChunks(ms);
  const first = chunks.next();
  void reply.type(`${XML}; charset=utf-8`);
  return reply.send(Readable.from((function* () {
    if (first.done !== true) yield first.value;
    yield* chunks;
  })()));
}
