import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DavgateError } from './model/errors';
import { DEFAULT_LIMITS, type BackendAuth, type BackendLimits } from './upstream/backend';
import { canonicalRoot, parseBackendUrl } from './upstream/paths';

/**
 * The gateway's configuration: defaults, then a file (YAML or JSON, its path in
 * DAVGATE_CONFIG or `davgate serve --config`), then environment variables, then the command
 * line. Validated at start: a bad value stops the gateway with a message naming the file key
 * or the variable. Every key and variable is listed in `davgate serve --help` and the README.
 */
export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
  readonly concurrency: number;
  readonly logLevel: string;
  /** On SIGTERM, how long batches in flight may run on before their unfinished operations are reported as Error results. */
  readonly shutdownGraceMs: number;
  readonly graphql: GraphQLConfig;
  /** At least one; the embedded demo store is a backend without a URL. */
  readonly backends: readonly BackendSettings[];
  /** The backend of a request that names none and whose hrefs match no prefix. */
  readonly defaultBackend: string;
  /** The configuration file read, if any. */
  readonly file: string | undefined;
}

/** One backend as configured. */
export interface BackendSettings {
  readonly name: string;
  /** The base URL, whose path is the root davgate never leaves; undefined: the embedded demo store. */
  readonly url: string | undefined;
  /** Hrefs starting with this path go to this backend (the longest prefix wins); default: the URL's path. */
  readonly prefix: string | undefined;
  readonly auth: BackendAuth;
  readonly limits: BackendLimits;
}

/** The GraphQL face's limits (graphql-armor) and introspection. */
export interface GraphQLConfig {
  readonly introspection: boolean;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly maxCost: number;
  /** Production: no stack traces, masked internal errors (always), introspection off unless asked for. */
  readonly production: boolean;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const PREFIX = z.string().regex(/^\/(?:[A-Za-z0-9._~!$&'()*+,;=:@%-]+\/)*$/, 'must be an absolute path ending in /');

/** A gateway-wide setting: its file key (dotted path), variable, schema, default and help. */
interface Setting {
  readonly key: string;
  readonly env: string;
  readonly schema: z.ZodType;
  readonly default?: unknown;
  readonly help: string;
}

/** The settings of the whole gateway. */
const GATEWAY_SETTINGS: readonly Setting[] = [
  { key: 'host', env: 'DAVGATE_HOST', schema: z.string().min(1), default: '127.0.0.1', help: 'address to listen on' },
  { key: 'port', env: 'DAVGATE_PORT', schema: int(0, 65535), default: 4000, help: 'port to listen on (0: any free port)' },
  { key: 'logLevel', env: 'DAVGATE_LOG_LEVEL', schema: z.enum(LOG_LEVELS), default: 'info', help: `log level: ${LOG_LEVELS.join(', ')}` },
  { key: 'maxBodyBytes', env: 'DAVGATE_MAX_BODY_BYTES', schema: int(1024, 1024 ** 3), default: 16 * 1024 * 1024, help: 'largest request body accepted' },
  { key: 'concurrency', env: 'DAVGATE_CONCURRENCY', schema: int(1, 64), default: 8, help: 'default operations in flight per batch' },
  { key: 'shutdownGraceMs', env: 'DAVGATE_SHUTDOWN_GRACE_MS', schema: int(0, 3_600_000), default: 10_000, help: 'on SIGTERM, time left to batches in flight; then their unfinished operations become Error results (GATEWAY_SHUTTING_DOWN)' },
  { key: 'defaultBackend', env: 'DAVGATE_DEFAULT_BACKEND', schema: z.string().regex(BACKEND_NAME), help: 'the backend of requests that name none and match no prefix (default: the first)' },
  { key: 'graphql.introspection', env: 'DAVGATE_GRAPHQL_INTROSPECTION', schema: flag, help: 'allow GraphQL introspection (default: on, off when NODE_ENV=production)' },
  { key: 'graphql.maxDepth', env: 'DAVGATE_GRAPHQL_MAX_DEPTH', schema: int(1, 100), default: 10, help: 'deepest GraphQL selection accepted' },
  { key: 'graphql.maxAliases', env: 'DAVGATE_GRAPHQL_MAX_ALIASES', schema: int(0, 1000), default: 15, help: 'most aliases in one GraphQL operation' },
  { key: 'graphql.maxTokens', env: 'DAVGATE_GRAPHQL_MAX_TOKENS', schema: int(10, 100_000), default: 2_000, help: 'most tokens in one GraphQL document' },
  { key: 'graphql.maxCost', env: 'DAVGATE_GRAPHQL_MAX_COST', schema: int(1, 10_000_000), default: 5_000, help: 'highest cost of one GraphQL operation (graphql-armor cost limit)' },
];

/**
 * The settings of one backend: `key` under `backends.<name>` in the file; `env` sets it for
 * the default backend, and `DAVGATE_BACKENDS__<NAME>__<suffix>` for any backend, where the
 * suffix is `env` without `DAVGATE_BACKEND_` or `DAVGATE_` (`DAVGATE_BACKENDS__FILES__PASSWORD`).
 */
const BACKEND_SETTINGS: readonly Setting[] = [
  { key: 'url', env: 'DAVGATE_BACKEND_URL', schema: z.url({ protocol: /^https?$/ }), help: 'backend base URL; its path is the root davgate never leaves (unset, without a file: the embedded demo store)' },
  { key: 'prefix', env: 'DAVGATE_BACKEND_PREFIX', schema: PREFIX, help: "hrefs starting with this path go to this backend, the longest prefix winning (default: the URL's path)" },
  { key: 'auth.username', env: 'DAVGATE_BACKEND_USERNAME', schema: z.string().min(1), help: 'Basic (or Digest, when challenged) credentials for the backend; without username or token, the caller\'s Authorization is passed through' },
  { key: 'auth.password', env: 'DAVGATE_BACKEND_PASSWORD', schema: z.string(), help: 'password for the username' },
  { key: 'auth.token', env: 'DAVGATE_BACKEND_TOKEN', schema: z.string().min(1), help: 'Bearer token for the backend (instead of a username)' },
  { key: 'limits.connectTimeoutMs', env: 'DAVGATE_CONNECT_TIMEOUT_MS', schema: int(100, 600_000), default: DEFAULT_LIMITS.connectTimeoutMs, help: 'backend connect timeout' },
  { key: 'limits.headersTimeoutMs', env: 'DAVGATE_HEADERS_TIMEOUT_MS', schema: int(100, 3_600_000), default: DEFAULT_LIMITS.headersTimeoutMs, help: 'time from sending a request to the end of the answer\'s headers' },
  { key: 'limits.bodyTimeoutMs', env: 'DAVGATE_BODY_TIMEOUT_MS', schema: int(100, 3_600_000), default: DEFAULT_LIMITS.bodyTimeoutMs, help: 'longest gap between two chunks of an answer' },
  { key: 'limits.requestTimeoutMs', env: 'DAVGATE_REQUEST_TIMEOUT_MS', schema: int(100, 3_600_000), default: DEFAULT_LIMITS.requestTimeoutMs, help: 'overall deadline of one backend request, body and retries included (noticed up to a tenth of it, at most 500 ms, late)' },
  { key: 'limits.maxResponseBytes', env: 'DAVGATE_MAX_RESPONSE_BYTES', schema: int(1024, 1024 ** 3), default: DEFAULT_LIMITS.maxResponseBytes, help: 'largest backend answer read' },
  { key: 'limits.connections', env: 'DAVGATE_CONNECTIONS', schema: int(1, 1024), default: DEFAULT_LIMITS.connections, help: 'connections to the backend at most' },
  { key: 'limits.retries', env: 'DAVGATE_RETRIES', schema: int(0, 10), default: DEFAULT_LIMITS.retries, help: 'further attempts for requests the retry policy allows (never MOVE, LOCK or an unconditional PUT)' },
  { key: 'limits.maxQueued', env: 'DAVGATE_MAX_QUEUED', schema: int(0, 1_000_000), default: DEFAULT_LIMITS.maxQueued, help: 'requests waiting for a connection above which new ones get 503 BACKEND_OVERLOADED with Retry-After' },
  { key: 'limits.failurePercent', env: 'DAVGATE_FAILURE_PERCENT', schema: int(1, 100), default: DEFAULT_LIMITS.failurePercent, help: 'share of failed backend requests in the window that opens the circuit breaker (503 BACKEND_FAILING)' },
  { key: 'limits.failureVolume', env: 'DAVGATE_FAILURE_VOLUME', schema: int(1, 1_000_000), default: DEFAULT_LIMITS.failureVolume, help: 'requests the window must hold before the breaker may open' },
  { key: 'limits.failureWindowMs', env: 'DAVGATE_FAILURE_WINDOW_MS', schema: int(1_000, 3_600_000), default: DEFAULT_LIMITS.failureWindowMs, help: 'the breaker\'s rolling window' },
  { key: 'limits.recoveryMs', env: 'DAVGATE_RECOVERY_MS', schema: int(100, 3_600_000), default: DEFAULT_LIMITS.recoveryMs, help: 'how long an open breaker refuses requests before one probe goes through' },
];

/** Variables read as they are, outside the settings table. */
const OTHER_ENV = {
  DAVGATE_CONFIG: 'path of the configuration file (YAML, or JSON when it ends in .json)',
  NODE_ENV: 'production turns introspection off by default',
} as const;

/** Every variable and what it does, for `davgate serve --help` and the README. */
export const ENVIRONMENT: Readonly<Record<string, { help: string }>> = Object.fromEntries([
  ...Object.entries(OTHER_ENV).map(([name, help]) => [name, { help }]),
  ...[...GATEWAY_SETTINGS, ...BACKEND_SETTINGS].map((s) => [s.env, { help: s.help + defaultText(s) }]),
]);

/** Every key of the configuration file and what it does. */
export const FILE_KEYS: Readonly<Record<string, { help: string; env: string }>> = Object.fromEntries([
  ...GATEWAY_SETTINGS.map((s) => [s.key, { help: s.help + defaultText(s), env: s.env }]),
  ...BACKEND_SETTINGS.map((s) => [`backends.<name>.${s.key}`, { help: s.help + defaultText(s), env: s.env }]),
]);

function defaultText(setting: Setting): string {
  return setting.default === undefined ? '' : ` (default ${String(setting.default)})`;
}

type Tree = Record<string, unknown>;

/**
 * Reads and validates the configuration; throws CONFIG_INVALID naming the file key
 * (`davgate.yaml: backends.files.limits.connections: …`) or the variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): GatewayConfig {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const file = get('DAVGATE_CONFIG');
  const tree = file === undefined ? {} : readConfigFile(file);
  const where = (key: string) => (file === undefined ? key : `${file}: ${key}`);

  const gateway: Tree = {};
  for (const setting of GATEWAY_SETTINGS) {
    const value = settingValue(setting, at(tree, setting.key), where(setting.key), setting.env, get(setting.env));
    if (value !== undefined) gateway[setting.key] = value;
  }

  const declared = backendsOf(tree, where);
  const fromFile = declared.length > 0;
  // Without a file's backends, the variables make one: the embedded demo store when they give no URL.
  const entries: [string, Tree][] = fromFile ? declared : [[get('DAVGATE_BACKEND_URL') === undefined ? 'embedded' : 'default', {}]];
  checkNamedVariables(env, entries.map(([name]) => name));
  const defaultBackend = (gateway.defaultBackend as string | undefined) ?? (entries[0] as [string, Tree])[0];
  if (!entries.some(([name]) => name === defaultBackend)) {
    throw invalid(`${where('defaultBackend')}: no backend is named '${defaultBackend}' (configured: ${entries.map(([n]) => n).join(', ')})`);
  }

  const backends = entries.map(([name, fileTree]) => {
    const keyOf = fromFile ? (key: string) => where(`backends.${name}.${key}`) : (key: string) => key;
    const values: Tree = {};
    for (const setting of BACKEND_SETTINGS) {
      // The backend's own variable wins; the plain one applies to the default backend only.
      const named = namedVariable(name, setting.env);
      const variable = get(named) !== undefined ? named : name === defaultBackend ? setting.env : undefined;
      const value = settingValue(setting, at(fileTree, setting.key), keyOf(setting.key), variable, variable === undefined ? undefined : get(variable));
      if (value !== undefined) values[setting.key] = value;
    }
    return backendOf(name, values, keyOf);
  });
  const missing = fromFile ? backends.find((b) => b.url === undefined) : undefined;
  if (missing !== undefined) throw invalid(`${where(`backends.${missing.name}.url`)}: required`);
  const routed = canonicalPrefixes(backends, where);

  const introspection = gateway['graphql.introspection'] as boolean | undefined;
  return {
    host: gateway.host as string,
    port: gateway.port as number,
    logLevel: gateway.logLevel as string,
    maxBodyBytes: gateway.maxBodyBytes as number,
    concurrency: gateway.concurrency as number,
    shutdownGraceMs: gateway.shutdownGraceMs as number,
    graphql: {
      introspection: introspection ?? get('NODE_ENV') !== 'production',
      maxDepth: gateway['graphql.maxDepth'] as number,
      maxAliases: gateway['graphql.maxAliases'] as number,
      maxTokens: gateway['graphql.maxTokens'] as number,
      maxCost: gateway['graphql.maxCost'] as number,
      production: get('NODE_ENV') === 'production',
    },
    backends: routed,
    defaultBackend,
    file,
  };
}

/** The variable that sets `env`'s setting for one named backend. */
export function namedVariable(backend: string, env: string): string {
  const suffix = env.startsWith('DAVGATE_BACKEND_') ? env.slice('DAVGATE_BACKEND_'.length) : env.slice('DAVGATE_'.length);
  return `DAVGATE_BACKENDS__${backend.toUpperCase().replace(/-/g, '_')}__${suffix}`;
}

/** The variable's value (it wins), else the file's, else the default; validated, the error naming where the value came from. */
function settingValue(setting: Setting, fileValue: unknown, fileKey: string, variable: string | undefined, envValue: string | undefined): unknown {
  const [raw, source] = envValue !== undefined ? [envValue, variable] : fileValue !== undefined ? [fileValue, fileKey] : [setting.default, undefined];
  if (raw === undefined) return undefined;
  const result = setting.schema.safeParse(raw);
  if (!result.success) throw invalid(`${source ?? setting.env}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

function readConfigFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalid(`DAVGATE_CONFIG: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw invalid(`${file}: not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) throw invalid(`${file}: the top level must be a mapping of keys`);
  checkKeys(parsed, '', GATEWAY_SETTINGS.map((s) => s.key).concat('backends'), (key) => `${file}: ${key}`);
  return parsed;
}

/** The file's backends in their order, each with its keys checked. */
function backendsOf(tree: Tree, where: (key: string) => string): [string, Tree][] {
  const backends = tree.backends;
  if (backends === undefined || backends === null) return [];
  if (!isTree(backends)) throw invalid(`${where('backends')}: must be a mapping of backend names to backends`);
  return Object.entries(backends).map(([name, backend]) => {
    if (!BACKEND_NAME.test(name)) throw invalid(`${where(`backends.${name}`)}: a backend name is 1 to 63 letters, digits, - or _, starting with a letter or digit`);
    if (!isTree(backend)) throw invalid(`${where(`backends.${name}`)}: must be a mapping (url, prefix, auth, limits)`);
    checkKeys(backend, `backends.${name}.`, BACKEND_SETTINGS.map((s) => s.key), where);
    return [name, backend];
  });
}

/** Refuses a key the settings do not know, naming it and the keys known there: a typo must not pass silently. */
function checkKeys(tree: Tree, prefix: string, known: readonly string[], where: (key: string) => string): void {
  const walk = (node: Tree, path: string) => {
    for (const [key, value] of Object.entries(node)) {
      const full = path === '' ? key : `${path}.${key}`;
      if (known.includes(full)) continue;
      const below = known.filter((k) => k.startsWith(`${full}.`));
      if (below.length > 0 && isTree(value)) walk(value, full);
      else if (below.length > 0) throw invalid(`${where(prefix + full)}: must be a mapping (${below.join(', ')})`);
      else {
        const here = [...new Set(known.filter((k) => path === '' || k.startsWith(`${path}.`)).map((k) => k.slice(path === '' ? 0 : path.length + 1).split('.')[0]))];
        throw invalid(`${where(prefix + full)}: unknown key (known here: ${here.join(', ')})`);
      }
    }
  };
  walk(tree, '');
}

/** A `DAVGATE_BACKENDS__<NAME>__…` variable naming no configured backend is a mistake worth stopping for. */
function checkNamedVariables(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): void {
  const known = new Set(names.flatMap((name) => BACKEND_SETTINGS.map((s) => namedVariable(name, s.env))));
  for (const variable of Object.keys(env)) {
    if (variable.startsWith('DAVGATE_BACKENDS__') && !known.has(variable)) {
      throw invalid(`${variable}: names no configured backend and setting (backends: ${names.join(', ')})`);
    }
  }
}

function backendOf(name: string, values: Tree, where: (key: string) => string): BackendSettings {
  const username = values['auth.username'] as string | undefined;
  const token = values['auth.token'] as string | undefined;
  if (username !== undefined && token !== undefined) throw invalid(`${where('auth.username')} and ${where('auth.token')}: set one, not both`);
  if (values['auth.password'] !== undefined && username === undefined) throw invalid(`${where('auth.password')}: set without a username`);
  const auth: BackendAuth = username !== undefined ? { mode: 'basic', username, password: (values['auth.password'] as string | undefined) ?? '' }
    : token !== undefined ? { mode: 'bearer', token }
      : { mode: 'passthrough' };
  const limits = Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((k) => [k, values[`limits.${k}`]])) as unknown as BackendLimits;
  return { name, url: values.url as string | undefined, prefix: values.prefix as string | undefined, auth, limits };
}

/**
 * The backends with each prefix in the form hrefs are resolved to (upstream/paths.ts
 * canonicalRoot: `%2f` as `%2F`, a space as `%20`), which the router compares them with: a prefix
 * spelled otherwise would never match and its hrefs would go to the default backend. Each
 * prefix lies under its backend's root, in the same form (hrefs are sent as they are), and no
 * two backends share one.
 */
function canonicalPrefixes(backends: readonly BackendSettings[], where: (key: string) => string): BackendSettings[] {
  const seen = new Map<string, string>();
  return backends.map((backend) => {
    const root = backend.url === undefined ? '/' : rootOf(backend.name, backend.url, where);
    const prefix = backend.prefix === undefined ? undefined : canonicalRoot(backend.prefix);
    if (typeof prefix === 'object') throw invalid(`${where(`backends.${backend.name}.prefix`)}: ${prefix.problem}`);
    const routed = prefix ?? root;
    if (!routed.startsWith(root)) throw invalid(`${where(`backends.${backend.name}.prefix`)}: ${routed} is not under the url's path ${root}`);
    const other = seen.get(routed);
    if (other !== undefined) throw invalid(`${where(`backends.${backend.name}.prefix`)}: backends '${other}' and '${backend.name}' would both take hrefs under ${routed}: give one of them a longer prefix`);
    seen.set(routed, backend.name);
    return prefix === backend.prefix ? backend : { ...backend, prefix };
  });
}

/** The root the backend's upstream client will have (parseBackendUrl), its refusal naming where the url was set. */
function rootOf(name: string, url: string, where: (key: string) => string): string {
  try {
    return parseBackendUrl(name, url).root;
  } catch (error) {
    if (error instanceof DavgateError) throw invalid(`${where(`backends.${name}.url`)}: ${error.message}`);
    throw error;
  }
}

function at(tree: Tree, key: string): unknown {
  let node: unknown = tree;
  for (const part of key.split('.')) node = isTree(node) ? node[part] : undefined;
  return node;
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(detail: string): DavgateError {
  return new DavgateError('CONFIG_INVALID', detail);
}
