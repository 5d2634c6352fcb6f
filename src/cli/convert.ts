import { parseArgs } from 'node:util';
import { DavgateError } from '../model/errors';
import { toCanonicalJson } from '../json/to-json';
import { fromCanonicalJson } from '../json/from-json';
import { buildMultiStatusChunks } from '../xml/build-multistatus';
import { DEFAULT_LIMITS } from '../xml/limits';
import { parseMultiStatus } from '../xml/parse-multistatus';
import { readLimited } from './read-input';
import { UsageError, type Io } from './io';

export const CONVERT_HELP = `Usage: davgate convert --to json|xml [options] < input > output

Translates a multistatus between RFC 4918 XML and davgate's canonical JSON.

  --to json          read multistatus XML on stdin, write canonical JSON
  --to xml           read canonical JSON on stdin, write multistatus XML
  --method NAME      the request that produced the XML (default PROPFIND); it decides
                     how propstat-only responses classify (PROPPATCH: all-or-nothing)
  --compact          JSON on one line instead of indented
  --max-bytes N      refuse input larger than N bytes (default ${DEFAULT_LIMITS.maxBytes})
  --max-depth N      refuse XML nested deeper than N elements (default ${DEFAULT_LIMITS.maxDepth})

Exit status: 0 on success, 1 when the input is refused (one line on stderr:
CODE at line L, column C: message), 2 for a usage error.`;

/** `davgate convert`. */
export async function convert(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      to: { type: 'string' },
      method: { type: 'string', default: 'PROPFIND' },
      compact: { type: 'boolean', default: false },
      'max-bytes': { type: 'string' },
      'max-depth': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout.write(`${CONVERT_HELP}\n`);
    return 0;
  }
  if (values.to !== 'json' && values.to !== 'xml') throw new UsageError('convert needs --to json or --to xml');
  if (!/^[A-Za-z-]+$/.test(values.method)) throw new UsageError(`--method must be an HTTP method name, not "${values.method}"`);
  const maxBytes = positiveInt(values['max-bytes'], '--max-bytes') ?? DEFAULT_LIMITS.maxBytes;
  const maxDepth = positiveInt(values['max-depth'], '--max-depth') ?? DEFAULT_LIMITS.maxDepth;

  const input = await readLimited(io.stdin, maxBytes);
  if (values.to === 'json') {
    const ms = parseMultiStatus(input, { maxBytes, maxDepth });
    const json = toCanonicalJson(ms, values.method.toUpperCase());
    io.stdout.write(`${JSON.stringify(json, null, values.compact ? undefined : 2)}\n`);
  } else {
    const ms = fromCanonicalJson(parseJson(input));
    const chunks = Array.from(buildMultiStatusChunks(ms)); // built whole first: a refused value leaves no half document on stdout
    for (const chunk of chunks) io.stdout.write(chunk);
    io.stdout.write('\n');
  }
  return 0;
}

function parseJson(input: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new DavgateError('INVALID_ENCODING', 'the JSON is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DavgateError('JSON_MALFORMED', error instanceof Error ? error.message : String(error));
  }
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`${flag} takes a positive whole number, not "${value}"`);
  return Number(value);
}
