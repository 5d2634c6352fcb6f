import { DavgateError } from '../model/errors';
import { convert } from './convert';
import { serve } from './serve';
import { UsageError, type Io } from './io';

const HELP = `Usage: davgate <command> [options]

Commands:
  serve     run the gateway (davgate serve --help)
  convert   translate a multistatus between XML and canonical JSON (davgate convert --help)
  help      show this text

davgate puts a JSON face on WebDAV, CalDAV and CardDAV servers, keeping every element of
every 207 Multi-Status.`;

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: Io) => Promise<number>>> = { convert, serve };

/** The `davgate` command; resolves to the exit status. */
export async function main(argv: readonly string[], io: Io = process): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    io.stderr.write(`davgate: unknown command "${command}" (try davgate help)\n`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    if (error instanceof DavgateError) {
      io.stderr.write(`davgate: ${error.describe()}\n`);
      return 1;
    }
    if (error instanceof UsageError || isArgsError(error)) {
      io.stderr.write(`davgate: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * node:util parseArgs throws errors coded ERR_PARSE_ARGS_* for unknown or malformed options.
 * Checked by code, not instanceof: Node's internal TypeError may come from another realm.
 */
function isArgsError(error: unknown): boolean {
  const code: unknown = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
