import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ResultKind } from '../model/result';

/** Which face a request came through. */
export type Face = 'rest' | 'graphql' | 'ops';

/** How a request ended, by its HTTP status: a 4xx refusal of davgate's own is `rejected`. */
export type Outcome = 'ok' | 'rejected' | 'error';

/**
 * The gateway's Prometheus metrics (prom-client), one registry per app so that several
 * gateways in one process (tests, embedded use) never share counters. Names follow the
 * Prometheus conventions: `davgate_` prefix, base units, `_total` on counters.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'davgate_requests_total', help: 'HTTP requests by face and outcome', labelNames: ['face', 'outcome'] as const, registers: [this.registry] });
  readonly requestDuration = new Histogram({
    name: 'davgate_request_duration_seconds', help: 'HTTP request latency by face', labelNames: ['face'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  readonly results = new Counter({ name: 'davgate_results_total', help: 'Batch results by face and kind', labelNames: ['face', 'kind'] as const, registers: [this.registry] });
  readonly batchSize = new Histogram({
    name: 'davgate_batch_operations', help: 'Operations per batch', labelNames: ['face'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: 'davgate_requests_in_flight', help: 'HTTP requests being served', labelNames: ['face'] as const, registers: [this.registry] });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'davgate_' });
  }

  /** Counts a batch's results by kind and its size. */
  recordBatch(face: Face, operations: number, results: readonly { readonly kind: ResultKind }[]): void {
    this.batchSize.observe({ face }, operations);
    // Counted here and added once per kind: a labelled inc per result is on the path before the 207 goes out.
    const counts = new Map<ResultKind, number>();
    for (const { kind } of results) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    for (const [kind, n] of counts) this.results.inc({ face, kind }, n);
  }
}

/** The face of a request path. */
export function faceOf(url: string): Face {
  if (url.startsWith('/v1/')) return 'rest';
  if (url === '/graphql' || url.startsWith('/graphql?') || url.startsWith('/graphql/')) return 'graphql';
  return 'ops';
}

/** The outcome of an HTTP status. */
export function outcomeOf(status: number): Outcome {
  if (status >= 500) return 'error';
  if (status >= 400) return 'rejected';
  return 'ok';
}
