import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { GatewayConfig } from './config';
import type { EmbeddedStore } from './embedded/store';
import { Metrics } from './metrics/metrics';
import { BackendRouter } from './router';
import type { BackendConfig } from './upstream/backend';
import { UpstreamClient } from './upstream/client';

/** After the grace period, how long answers cut short have to reach their clients before every connection is closed. */
const CLOSE_MARGIN_MS = 5_000;

/** A gateway that is listening. */
export interface RunningGateway {
  readonly url: string;
  /** The default backend's base URL. */
  readonly backendUrl: string;
  /** Every backend: name, base URL and the prefix of the hrefs it takes. */
  readonly backends: readonly { name: string; url: string; prefix: string }[];
  /** Set when no backend was configured and the embedded demo store was started. */
  readonly store: EmbeddedStore | undefined;
  readonly app: FastifyInstance;
  /**
   * Shuts down: stops accepting, lets requests in flight finish within `graceMs` (default: the
   * configured shutdownGraceMs), then cuts the rest short (their operations become Error
   * results, and their answers still go out), and closes the backends' connections.
   */
  stop(graceMs?: number): Promise<void>;
}

/** An upstream client whose exchanges, retries and refusals, and whose connections and queue, are in `metrics`. */
export function instrumentedClient(config: BackendConfig, metrics: Metrics): UpstreamClient {
  const client = new UpstreamClient(config, undefined, metrics.upstream(config.name));
  metrics.watchBackend(config.name, () => client.stats());
  return client;
}

/**
 * The embedded store's module, loaded only when a gateway starts one: webdav-server and its
 * dependencies are 159 modules and 1.3 MB of heap (measured after a GC; every major GC marks
 * them), which a gateway in front of a real backend has no use for. `require`, not `import()`:
 * in this CommonJS project a dynamic import stays an ES module load, which jest runs only
 * behind --experimental-vm-modules.
 */
function loadEmbeddedStore(): typeof import('./embedded/store') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: a lazy load of a CommonJS module of this project
  return require('./embedded/store') as typeof import('./embedded/store');
}

/**
 * Starts the gateway: the embedded store when no backend is configured, one upstream client
 * per backend, the HTTP app, then listens. `stop` closes them in the reverse order.
 */
export async function startGateway(config: GatewayConfig, metrics = new Metrics()): Promise<RunningGateway> {
  const store = config.backends.some((b) => b.url === undefined) ? await loadEmbeddedStore().startEmbeddedStore() : undefined;
  const clients = config.backends.map((b) => {
    const url = b.url ?? (store as EmbeddedStore).url;
    const client = instrumentedClient({ name: b.name, url, auth: b.auth, limits: b.limits }, metrics);
    return { name: b.name, url, prefix: b.prefix ?? client.root, client };
  });
  const closeClients = async () => {
    await Promise.all(clients.map((c) => c.client.close()));
    await store?.stop();
  };
  const router = new BackendRouter(clients.map((c) => ({ name: c.name, prefix: c.prefix, backend: c.client })), config.defaultBackend);
  const app = buildApp(config, router, metrics);
  let url: string;
  try {
    url = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await closeClients();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    url,
    backendUrl: (clients.find((c) => c.name === config.defaultBackend) ?? clients[0])?.url ?? '',
    backends: clients.map(({ name, url: backendUrl, prefix }) => ({ name, url: backendUrl, prefix })),
    store,
    app,
    stop: (graceMs = config.shutdownGraceMs) => {
      stopping ??= (async () => {
        const cancel = app.shutdown.begin(graceMs);
        // A client that will not read its answer must not hold the process: connections left after the grace period and a margin are cut.
        const backstop = setTimeout(() => app.server.closeAllConnections(), graceMs + CLOSE_MARGIN_MS);
        const started = Date.now();
        app.log.info({ graceMs }, 'shutting down: no new requests; requests in flight have the grace period to finish');
        try {
          await app.close();
        } finally {
          cancel();
          clearTimeout(backstop);
        }
        app.log.info({ ms: Date.now() - started, cutShort: app.shutdown.signal.aborted }, 'shut down');
        await closeClients();
      })();
      return stopping;
    },
  };
}
