import { parseArgs } from 'node:util';
import { ENVIRONMENT, loadConfig } from '../config';
import { startGateway } from '../server';
import type { Io } from './io';

export const SERVE_HELP = `Usage: davgate serve [--host ADDRESS] [--port N]

Runs the gateway. Without DAVGATE_BACKEND_URL it starts an embedded WebDAV store with demo
files on loopback and points the gateway at it.

Environment:
${Object.entries(ENVIRONMENT).map(([name, { help }]) => `  ${name.padEnd(32)} ${help}`).join('\n')}

--host and --port override DAVGATE_HOST and DAVGATE_PORT.`;

/** `davgate serve`: runs until SIGINT or SIGTERM, then closes cleanly. */
export async function serve(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  if (values.help) {
    io.stdout.write(`${SERVE_HELP}\n`);
    return 0;
  }
  const config = loadConfig({
    ...process.env,
    ...(values.host === undefined ? {} : { DAVGATE_HOST: values.host }),
    ...(values.port === undefined ? {} : { DAVGATE_PORT: values.port }),
  });
  const gateway = await startGateway(config);
  const backend = gateway.store === undefined ? gateway.backendUrl : `${gateway.backendUrl} (embedded demo store: notes/, photos/, shared/)`;
  io.stderr.write(`davgate listening on ${gateway.url}\nbackend: ${backend}\ntry:  curl -s ${gateway.url}/healthz\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gateway.stop();
  return 0;
}
