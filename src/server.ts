import { buildApp } from './app';
import type { GatewayConfig } from './config';
import { startEmbeddedStore, type EmbeddedStore } from './embedded/store';
import { DEFAULT_LIMITS } from './upstream/backend';
import { UpstreamClient } from './upstream/client';

/** A gateway that is listening. */
export interface RunningGateway {
  readonly url: string;
  readonly backendUrl: string;
  /** Set when no backend was configured and the embedded demo store was started. */
  readonly store: EmbeddedStore | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the gateway: the embedded store when no backend is configured, the upstream client,
 * the HTTP app, then listens. `stop` closes them in the reverse order.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const store = config.backendUrl === undefined ? await startEmbeddedStore() : undefined;
  const backendUrl = config.backendUrl ?? (store as EmbeddedStore).url;
  const client = new UpstreamClient({
    name: store === undefined ? 'backend' : 'embedded',
    url: backendUrl,
    auth: config.auth,
    limits: { ...DEFAULT_LIMITS, ...config.upstream },
  });
  const app = buildApp(config, client);
  let url: string;
  try {
    url = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await client.close();
    await store?.stop();
    throw error;
  }
  return {
    url,
    backendUrl,
    store,
    stop: async () => {
      await app.close();
      await client.close();
      await store?.stop();
    },
  };
}
