import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { v2 as webdav } from 'webdav-server';

/** A running embedded store. */
export interface EmbeddedStore {
  /** Base URL of the store, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** What a newcomer finds in the embedded store (and the README's curl examples use). */
const DEMO_TREE = {
  notes: {
    'welcome.txt': 'Welcome to davgate. This file lives in the embedded WebDAV store.\n',
    'todo.md': '- try a batch\n- read the multistatus\n',
  },
  photos: {},
  shared: {
    'readme.txt': 'A folder to COPY, MOVE and LOCK.\n',
  },
};

/**
 * Starts the npm `webdav-server` (v2, in memory, no authentication) on loopback, seeded with
 * demo files, for `npm start` without a configured backend. Nothing is kept on disk.
 */
export async function startEmbeddedStore(options: { port?: number; host?: string } = {}): Promise<EmbeddedStore> {
  const host = options.host ?? '127.0.0.1';
  const server = new webdav.WebDAVServer({ port: options.port ?? 0, hostname: host });
  await new Promise<void>((resolve, reject) => {
    server.rootFileSystem().addSubTree(server.createExternalContext(), DEMO_TREE, (error?: Error) => (error ? reject(error) : resolve()));
  });
  const http = await new Promise<Server | undefined>((resolve) => server.start((started) => resolve(started)));
  if (http === undefined) throw new Error('the embedded WebDAV store did not start');
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    stop: () => new Promise<void>((resolve) => server.stop(() => resolve())),
  };
}
