import { parseArgs } from 'node:util';
import { ENVIRONMENT, FILE_KEYS, loadConfig } from '../config';
import { startGateway } from '../server';
import type { Io } from './io';

export const SERVE_HELP = `Usage: davgate serve [--config FILE] [--host ADDRESS] [--port N]

Runs the gateway. Without a backend (no DAVGATE_BACKEND_URL, no backends in a config file) it
starts an embedded WebDAV store with demo files on loopback and points the gateway at it.

Configuration, later sources winning: defaults, the config file (YAML, or JSON when it ends
in .json), environment variables, then --host/--port. A bad value stops the gateway with a
message naming the file key or the variable. Several backends: each request goes to the one
named in its X-Davgate-Backend header, else to the one whose prefix its hrefs start with (the
longest), else to defaultBackend.

Config file keys:
${Object.entries(FILE_KEYS).map(([key, { help, env }]) => `  ${key}\n      ${help}; variable ${env}`).join('\n')}

A backend's variable (DAVGATE_BACKEND_*, DAVGATE_CONNECTIONS, ...) sets it for the default
backend; DAVGATE_BACKENDS__<NAME>__<SUFFIX> sets it for the backend <name> (upper case, - as _),
the suffix being the variable without DAVGATE_BACKEND_ or DAVGATE_: for example
DAVGATE_BACKENDS__FILES__PASSWORD or DAVGATE_BACKENDS__FILES__CONNECTIONS.

Environment:
${Object.entries(ENVIRONMENT).map(([name, { help }]) => `  ${name.padEnd(32)} ${help}`).join('\n')}

--config sets DAVGATE_CONFIG; --host and --port override DAVGATE_HOST and DAVGATE_PORT.

On SIGTERM or SIGINT: stops accepting, /readyz answers 503, batches in flight get
shutdownGraceMs to finish; then their unfinished operations come back as Error results
(GATEWAY_SHUTTING_DOWN, or UPSTREAM_OUTCOME_UNKNOWN for a write already sent), the answers go
out, and the process exits 0. A second signal cuts the grace period short.`;

/** `davgate serve`: runs until SIGINT or SIGTERM, then shuts down gracefully. */
export async function serve(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  if (values.help) {
    io.stdout.write(`${SERVE_HELP}\n`);
    return 0;
  }
  const config = loadConfig({
    ...process.env,
    ...(values.config === undefined ? {} : { DAVGATE_CONFIG: values.config }),
    ...(values.host === undefined ? {} : { DAVGATE_HOST: values.host }),
    ...(values.port === undefined ? {} : { DAVGATE_PORT: values.port }),
  });
  const gateway = await startGateway(config);
  const described = gateway.backends.map((b) => `  ${b.name}: ${b.url}${gateway.store !== undefined && b.url === gateway.store.url ? ' (embedded demo store: notes/, photos/, shared/)' : ''}, hrefs under ${b.prefix}${b.name === config.defaultBackend && gateway.backends.length > 1 ? ' (default)' : ''}`);
  io.stderr.write(`davgate listening on ${gateway.url}\n${gateway.backends.length === 1 ? 'backend' : 'backends'}:\n${described.join('\n')}\ntry:  curl -s ${gateway.url}/healthz\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // A second signal while draining: no more waiting.
  const hurry = () => gateway.app.shutdown.abort('a second signal cut the grace period short');
  process.once('SIGINT', hurry);
  process.once('SIGTERM', hurry);
  await gateway.stop();
  return 0;
}
