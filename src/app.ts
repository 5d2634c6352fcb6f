import accepts from '@fastify/accepts';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BatchBackend } from './batch/executor';
import type { GatewayConfig } from './config';
import { registerGraphQL } from './graphql/server';
import { registerMetrics } from './metrics/http';
import { Metrics } from './metrics/metrics';
import { errorHandler } from './rest/errors';
import { registerRoutes } from './rest/routes';

/** Never logged: credentials, cookies and lock tokens (a lock token lets its holder write). */
const REDACTED = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'req.headers["lock-token"]', 'req.headers.if',
  'res.headers["set-cookie"]', 'res.headers["lock-token"]',
];

/**
 * Builds the gateway's HTTP app without listening (tests drive it in process with
 * `app.inject`). Logs are pino JSON with credentials redacted; metrics are served at `/metrics`.
 */
export function buildApp(config: GatewayConfig, backend: BatchBackend, metrics: Metrics = new Metrics()): FastifyInstance {
  const app = Fastify({
    bodyLimit: config.maxBodyBytes,
    logger: { level: config.logLevel, redact: REDACTED },
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  });
  registerMetrics(app, metrics);
  void app.register(accepts);
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: config.maxBodyBytes }, (_request, body, done) => done(null, body));
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(errorHandler);
  registerRoutes(app, backend, { concurrency: config.concurrency, maxBodyBytes: config.maxBodyBytes });
  registerGraphQL(app, config, backend);
  return app;
}
