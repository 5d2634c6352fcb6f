import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ResultKind } from '../model/result';
import type { BackendStats } from '../upstream/client';
import type { UpstreamObserver } from '../upstream/types';

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
  readonly rejected = new Counter({ name: 'davgate_requests_rejected_total', help: 'Whole requests refused, by face and davgate error code (invalid input, limits, load shedding, shutdown)', labelNames: ['face', 'code'] as const, registers: [this.registry] });

  // Upstream, per backend (src/upstream reports through `upstream(name)`).
  readonly upstreamDuration = new Histogram({
    name: 'davgate_upstream_request_duration_seconds', help: 'Backend exchanges by backend, method and outcome (status class, timeout, too_large, aborted, error)',
    labelNames: ['backend', 'method', 'outcome'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({ name: 'davgate_upstream_retries_total', help: 'Backend requests sent again, by backend and method', labelNames: ['backend', 'method'] as const, registers: [this.registry] });
  readonly upstreamTimeouts = new Counter({ name: 'davgate_upstream_timeouts_total', help: 'Backend exchanges that timed out (connect, headers, body or overall deadline)', labelNames: ['backend', 'method'] as const, registers: [this.registry] });
  readonly upstreamRejected = new Counter({ name: 'davgate_upstream_rejected_total', help: 'Backend requests refused by load shedding before being sent, by reason (overloaded, failing)', labelNames: ['backend', 'reason'] as const, registers: [this.registry] });
  readonly circuitOpen = new Gauge({ name: 'davgate_upstream_circuit_open', help: '1 while the backend\'s circuit breaker refuses requests', labelNames: ['backend'] as const, registers: [this.registry] });
  readonly #backends = new Map<string, () => BackendStats>();

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'davgate_' });
    const backends = this.#backends;
    const gauge = (name: string, help: string, read: (stats: BackendStats) => number | undefined) => new Gauge({
      name, help, labelNames: ['backend'] as const, registers: [this.registry],
      collect() {
        for (const [backend, stats] of backends) {
          const value = read(stats());
          if (value !== undefined) this.set({ backend }, value);
        }
      },
    });
    gauge('davgate_upstream_connections', 'Open connections to the backend', (s) => s.connections);
    gauge('davgate_upstream_queued', 'Backend requests waiting for a connection', (s) => s.queued);
    gauge('davgate_upstream_in_flight', 'Backend requests in flight, sent or waiting', (s) => s.active);
  }

  /** The observer of one backend's upstream client. */
  upstream(backend: string): UpstreamObserver {
    this.circuitOpen.set({ backend }, 0);
    return {
      attempt: (method, outcome, seconds) => {
        this.upstreamDuration.observe({ backend, method, outcome }, seconds);
        if (outcome === 'timeout') this.upstreamTimeouts.inc({ backend, method });
      },
      retry: (method) => this.upstreamRetries.inc({ backend, method }),
      refused: (reason) => this.upstreamRejected.inc({ backend, reason }),
      circuit: (open) => this.circuitOpen.set({ backend }, open ? 1 : 0),
    };
  }

  /** Reads a backend's connections, queue and requests in flight whenever /metrics is scraped. */
  watchBackend(backend: string, stats: () => BackendStats): void {
    this.#backends.set(backend, stats);
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
