import { z } from 'zod';
import { DavgateError } from './model/errors';

/**
 * The gateway's configuration, from environment variables (documented in the README and in
 * `davgate serve --help`). Validated at start: a bad value stops the gateway with a message
 * naming the variable.
 */
export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  /** The backend base URL; undefined starts the embedded store. */
  readonly backendUrl: string | undefined;
  readonly auth: { mode: 'passthrough' } | { mode: 'basic'; username: string; password: string } | { mode: 'bearer'; token: string };
  readonly maxBodyBytes: number;
  readonly concurrency: number;
  readonly logLevel: string;
  readonly graphql: GraphQLConfig;
  readonly upstream: {
    readonly connectTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly maxResponseBytes: number;
    readonly connections: number;
  };
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

/** Every variable, its default and what it does. */
export const ENVIRONMENT = {
  DAVGATE_HOST: { schema: z.string().min(1).default('127.0.0.1'), help: 'address to listen on' },
  DAVGATE_PORT: { schema: int(0, 65535).default(4000), help: 'port to listen on' },
  DAVGATE_BACKEND_URL: { schema: z.url({ protocol: /^https?$/ }).optional(), help: 'backend base URL (its path is the root davgate never leaves); unset: the embedded demo store' },
  DAVGATE_BACKEND_USERNAME: { schema: z.string().min(1).optional(), help: 'Basic (or Digest, when challenged) credentials for the backend' },
  DAVGATE_BACKEND_PASSWORD: { schema: z.string().optional(), help: 'password for DAVGATE_BACKEND_USERNAME' },
  DAVGATE_BACKEND_TOKEN: { schema: z.string().min(1).optional(), help: 'Bearer token for the backend (instead of a username)' },
  DAVGATE_MAX_BODY_BYTES: { schema: int(1024, 1024 ** 3).default(16 * 1024 * 1024), help: 'largest request body accepted' },
  DAVGATE_CONCURRENCY: { schema: int(1, 64).default(8), help: 'default operations in flight per batch' },
  DAVGATE_CONNECT_TIMEOUT_MS: { schema: int(100, 600_000).default(5_000), help: 'backend connect timeout' },
  DAVGATE_REQUEST_TIMEOUT_MS: { schema: int(100, 3_600_000).default(60_000), help: 'overall deadline of one backend request, body included' },
  DAVGATE_MAX_RESPONSE_BYTES: { schema: int(1024, 1024 ** 3).default(64 * 1024 * 1024), help: 'largest backend answer read' },
  DAVGATE_CONNECTIONS: { schema: int(1, 1024).default(16), help: 'connections per backend origin' },
  DAVGATE_GRAPHQL_INTROSPECTION: { schema: z.enum(['true', 'false']).optional(), help: 'allow GraphQL introspection (default: on, off when NODE_ENV=production)' },
  DAVGATE_GRAPHQL_MAX_DEPTH: { schema: int(1, 100).default(10), help: 'deepest GraphQL selection accepted' },
  DAVGATE_GRAPHQL_MAX_ALIASES: { schema: int(0, 1000).default(15), help: 'most aliases in one GraphQL operation' },
  DAVGATE_GRAPHQL_MAX_TOKENS: { schema: int(10, 100_000).default(2_000), help: 'most tokens in one GraphQL document' },
  DAVGATE_GRAPHQL_MAX_COST: { schema: int(1, 10_000_000).default(5_000), help: 'highest cost of one GraphQL operation (graphql-armor cost limit)' },
  NODE_ENV: { schema: z.string().optional(), help: 'production turns introspection off by default' },
  DAVGATE_LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), help: 'log level' },
} as const;

type Env = { [K in keyof typeof ENVIRONMENT]: z.infer<(typeof ENVIRONMENT)[K]['schema']> };

/** Reads and validates the configuration; throws CONFIG_INVALID naming the variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): GatewayConfig {
  const values = {} as Record<string, unknown>;
  for (const [name, { schema }] of Object.entries(ENVIRONMENT)) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = schema.safeParse(raw);
    if (!result.success) throw new DavgateError('CONFIG_INVALID', `${name}: ${result.error.issues[0]?.message ?? 'invalid'}`);
    values[name] = result.data;
  }
  const v = values as Env;
  if (v.DAVGATE_BACKEND_USERNAME !== undefined && v.DAVGATE_BACKEND_TOKEN !== undefined) {
    throw new DavgateError('CONFIG_INVALID', 'DAVGATE_BACKEND_USERNAME and DAVGATE_BACKEND_TOKEN: set one, not both');
  }
  const auth: GatewayConfig['auth'] =
    v.DAVGATE_BACKEND_USERNAME !== undefined ? { mode: 'basic', username: v.DAVGATE_BACKEND_USERNAME, password: v.DAVGATE_BACKEND_PASSWORD ?? '' }
      : v.DAVGATE_BACKEND_TOKEN !== undefined ? { mode: 'bearer', token: v.DAVGATE_BACKEND_TOKEN }
        : { mode: 'passthrough' };
  return {
    host: v.DAVGATE_HOST,
    port: v.DAVGATE_PORT,
    backendUrl: v.DAVGATE_BACKEND_URL,
    auth,
    maxBodyBytes: v.DAVGATE_MAX_BODY_BYTES,
    concurrency: v.DAVGATE_CONCURRENCY,
    logLevel: v.DAVGATE_LOG_LEVEL,
    graphql: {
      introspection: v.DAVGATE_GRAPHQL_INTROSPECTION === undefined ? v.NODE_ENV !== 'production' : v.DAVGATE_GRAPHQL_INTROSPECTION === 'true',
      maxDepth: v.DAVGATE_GRAPHQL_MAX_DEPTH,
      maxAliases: v.DAVGATE_GRAPHQL_MAX_ALIASES,
      maxTokens: v.DAVGATE_GRAPHQL_MAX_TOKENS,
      maxCost: v.DAVGATE_GRAPHQL_MAX_COST,
      production: v.NODE_ENV === 'production',
    },
    upstream: {
      connectTimeoutMs: v.DAVGATE_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: v.DAVGATE_REQUEST_TIMEOUT_MS,
      maxResponseBytes: v.DAVGATE_MAX_RESPONSE_BYTES,
      connections: v.DAVGATE_CONNECTIONS,
    },
  };
}
