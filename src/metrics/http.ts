import type { FastifyInstance } from 'fastify';
import { faceOf, Metrics, outcomeOf } from './metrics';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Prometheus metrics (src/metrics). */
    metrics: Metrics;
  }
}

/**
 * Counts every HTTP request by face and outcome with its latency, and serves the registry at
 * `GET /metrics` in the Prometheus text format. The route itself is counted under `ops`.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.decorate('metrics', metrics);
  app.addHook('onRequest', async (request) => {
    metrics.inFlight.inc({ face: faceOf(request.url) });
  });
  app.addHook('onResponse', async (request, reply) => {
    const face = faceOf(request.url);
    metrics.inFlight.dec({ face });
    metrics.requests.inc({ face, outcome: outcomeOf(reply.statusCode) });
    metrics.requestDuration.observe({ face }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
