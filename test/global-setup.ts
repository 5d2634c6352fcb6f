/**
 * jest globalSetup: starts the real test servers (test/servers) once per run, writes their
 * description to a JSON file and puts its path in DAVGATE_TEST_SERVERS, which the jest workers
 * (spawned after this) inherit. Fails, never skips, when apache2 or radicale is not installed.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SERVERS_ENV, startServers } from './servers';

/** Where global teardown (same process) finds the stop function. */
export const STOP_KEY = Symbol.for('davgate.testServers.stop');

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const { servers, stop, dir } = await startServers();
  Reflect.set(globalThis, STOP_KEY, stop);
  const file = path.join(dir, 'servers.json');
  writeFileSync(file, `${JSON.stringify(servers, null, 2)}\n`, { mode: 0o600 });
  process.env[SERVERS_ENV] = file;
  const port = (url: string): string => new URL(url).port;
  process.stdout.write(
    `\ntest servers: ${servers.apache.version} on 127.0.0.1:${port(servers.apache.url)} (/dav/ Basic, /digest/ Digest), ` +
      `${servers.radicale.version} on 127.0.0.1:${port(servers.radicale.url)}; ready in ${Date.now() - started} ms (${dir})\n`,
  );
}
