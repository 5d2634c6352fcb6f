import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { BatchBackend } from '../batch/executor';
import type { Metrics } from '../metrics/metrics';
import type { ReadContext } from '../reads/read';
import type { SendOptions } from '../upstream/types';

/**
 * What every resolver gets: the backend, and this request's own credentials and id. A
 * context is made per HTTP request and never shared, so two requests with different
 * credentials cannot see each other's data (nothing is cached across requests).
 */
export interface GraphQLContext {
  readonly backend: BatchBackend;
  /** The caller's Authorization (pass-through), the request id, cancellation. */
  readonly send: SendOptions;
  /** The default batch concurrency. */
  readonly concurrency: number;
  readonly log: FastifyBaseLogger;
  /** Where batch sizes and results are counted (absent outside an app, as in executeOperation tests). */
  readonly metrics?: Metrics;
}

/** The context for one HTTP request. */
export function contextFor(request: FastifyRequest, backend: BatchBackend, concurrency: number): GraphQLContext {
  const authorization = request.headers.authorization;
  return {
    backend,
    send: { ...(authorization === undefined ? {} : { authorization }), requestId: request.id },
    concurrency,
    log: request.log,
    metrics: request.server.metrics,
  };
}

/** The read layer's view of a GraphQL context. */
export function readContext(context: GraphQLContext): ReadContext {
  return { backend: context.backend, options: context.send };
}
