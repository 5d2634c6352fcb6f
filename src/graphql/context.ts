import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { BatchBackend } from '../batch/executor';
import type { Metrics } from '../metrics/metrics';
import type { ReadContext } from '../reads/read';
import { requestedBackend, type BackendRouter, type GatewayBackend, type LabelledHref } from '../router';
import type { SendOptions } from '../upstream/types';

/**
 * What every resolver gets: the backends, and this request's own credentials and id. A
 * context is made per HTTP request and never shared, so two requests with different
 * credentials cannot see each other's data (nothing is cached across requests).
 */
export interface GraphQLContext {
  /** The backend of a context without a router (tests over one backend). */
  readonly backend: BatchBackend;
  /** Several backends: each resolver picks by the request's X-Davgate-Backend header, else by its hrefs (router.ts). */
  readonly router?: BackendRouter;
  /** The backend the request names in X-Davgate-Backend. */
  readonly requested?: string | undefined;
  /** The caller's Authorization (pass-through), the request id, cancellation. */
  readonly send: SendOptions;
  /** The default batch concurrency. */
  readonly concurrency: number;
  readonly log: FastifyBaseLogger;
  /** Where batch sizes and results are counted (absent outside an app, as in executeOperation tests). */
  readonly metrics?: Metrics;
}

/** The context for one HTTP request. */
export function contextFor(request: FastifyRequest, router: BackendRouter, concurrency: number): GraphQLContext {
  const authorization = request.headers.authorization;
  return {
    backend: router.default,
    router,
    requested: requestedBackend(request.headers),
    send: { ...(authorization === undefined ? {} : { authorization }), requestId: request.id, signal: request.server.shutdown.signal },
    concurrency,
    log: request.log,
    metrics: request.server.metrics,
  };
}

/** The backend for a resolver working on these hrefs (none: the named or default backend). */
export function backendFor(context: GraphQLContext, hrefs: readonly LabelledHref[]): GatewayBackend {
  return context.router === undefined ? context.backend : context.router.select(context.requested, hrefs);
}

/** The read layer's view of a GraphQL context, for a read of `href` (none: the named or default backend). */
export function readContext(context: GraphQLContext, href?: string): ReadContext {
  return { backend: backendFor(context, href === undefined ? [] : [{ href, label: 'href' }]), options: context.send };
}
