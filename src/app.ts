import accepts from '@fastify/accepts';
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayConfig } from './config';
import { registerGraphQL } from './graphql/server';
import { registerMetrics } from './metrics/http';
import { Metrics } from './metrics/metrics';
import { errorHandler } from './rest/errors';
import { registerRoutes } from './rest/routes';
import { BackendRouter, type GatewayBackend } from './router';
import { Shutdown } from './shutdown';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's shutdown state (src/shutdown.ts): its signal goes with every upstream request. */
    shutdown: Shutdown;
  }
}

/** Never logged: credentials, cookies and lock tokens (a lock token lets its holder write). */
const REDACTED = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'req.headers["lock-token"]', 'req.headers.if',
  'res.headers["set-cookie"]', 'res.headers["lock-token"]',
];

/** What a caller's request id may look like: 1 to 128 visible characters of the usual id alphabets. */
const REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/**
 * Builds the gateway's HTTP app without listening (tests drive it in process with
 * `app.inject`) over one backend or a router of several. Logs are pino JSON with credentials
 * redacted; metrics are served at `/metrics`.
 */
export function buildApp(config: GatewayConfig, backends: BackendRouter | GatewayBackend, metrics: Metrics = new Metrics()): FastifyInstance {
  const router = backends instanceof BackendRouter ? backends : BackendRouter.single(backends);
  const app = Fastify({
    bodyLimit: config.maxBodyBytes,
    logger: { level: config.logLevel, redact: REDACTED },
    // A caller's x-request-id is kept when it is a plausible id; anything else (too long, odd characters) is replaced,
    // since the id goes into every log line and upstream as a header.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
  });
  app.decorate('shutdown', new Shutdown());
  registerMetrics(app, metrics);
  void app.register(accepts);
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: config.maxBodyBytes }, (_request, body, done) => done(null, body));
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // Answers carry a caller's data, fetched live with the caller's credentials: no cache may keep them.
    // Routes that may be cached (the explorer's assets) say so themselves.
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    // While draining, each answer closes its connection: a client's idle keep-alive would otherwise hold the process open.
    if (app.shutdown.draining) void reply.header('connection', 'close');
  });
  app.setErrorHandler(errorHandler);
  registerRoutes(app, router, { concurrency: config.concurrency, maxBodyBytes: config.maxBodyBytes });
  registerGraphQL(app, config, router);
  return app;
}
