import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DavgateError } from '../model/errors';
import type { GraphQLContext } from './context';
import { LIMIT_CODES } from './limits';

/**
 * Codes a GraphQL error can carry besides DavgateError's ERROR_CODES: Apollo's own for a
 * request it cannot run, graphql-armor's limits, and INTERNAL_SERVER_ERROR for anything
 * unexpected (its message is masked; the cause is logged).
 */
export const GRAPHQL_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ...Object.values(LIMIT_CODES),
  'INTERNAL_SERVER_ERROR',
] as const;

const PASSED_THROUGH = new Set<string>(GRAPHQL_CODES);
const LIMITS = new Set<string>(Object.values(LIMIT_CODES));

/**
 * Apollo's formatError: a DavgateError keeps its code and message (which never hold
 * credentials or backend URLs: upstream errors name the backend and the path only); a known
 * GraphQL code keeps its message; everything else becomes INTERNAL_SERVER_ERROR with a fixed
 * message. Stack traces never leave, whatever the environment.
 */
export function formatError(log: FastifyBaseLogger | undefined) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const where = { ...(formatted.locations === undefined ? {} : { locations: formatted.locations }), ...(formatted.path === undefined ? {} : { path: formatted.path }) };
    if (original instanceof DavgateError) {
      const extensions = {
        code: original.code,
        ...(original.position === undefined ? {} : { position: original.position }),
        ...(original.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: original.retryAfterSeconds }),
      };
      return { message: original.message, ...where, extensions };
    }
    const limit = limitCode(original);
    if (limit !== undefined) return { message: formatted.message, ...where, extensions: { code: limit } };
    const code = typeof formatted.extensions?.['code'] === 'string' ? formatted.extensions['code'] : undefined;
    // graphql-js 16 words it "more that N tokens".
    const tokens = code === 'GRAPHQL_PARSE_FAILED' ? /Document contains more tha[nt] (\d+) tokens/.exec(formatted.message) : null;
    if (tokens !== null) return { message: `Token limit of ${tokens[1]} exceeded.`, ...where, extensions: { code: LIMIT_CODES.maxTokens } };
    if (code !== undefined && PASSED_THROUGH.has(code) && code !== 'INTERNAL_SERVER_ERROR') return { message: formatted.message, ...where, extensions: { code } };
    log?.error({ err: original }, 'unexpected error in a GraphQL request');
    return { message: 'internal error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** The code of a limit rejection (limits.ts) that Apollo wrapped as a validation error. */
function limitCode(error: unknown): string | undefined {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const code = original instanceof GraphQLError ? original.extensions['code'] : undefined;
  return typeof code === 'string' && LIMITS.has(code) ? code : undefined;
}

/**
 * Load shedding on the GraphQL face: an error refused by a shed backend (BACKEND_OVERLOADED,
 * BACKEND_FAILING) carries `retryAfterSeconds`; the answer then gets a `Retry-After` header
 * (the longest asked for), and when no field has data, the HTTP status 503 that a REST
 * client would get, so that proxies and clients back off the same way on both faces. An
 * answer without data is also counted as a rejected request.
 */
export function retryAfterPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          // An answer without any data was refused as a whole: counted like the REST face's refusals.
          if (data === null || data === undefined) {
            for (const error of errors ?? []) contextValue.metrics?.rejected.inc({ face: 'graphql', code: String(error.extensions?.['code'] ?? 'UNKNOWN') });
          }
          const seconds = (errors ?? []).map((e) => e.extensions?.['retryAfterSeconds']).filter((s): s is number => typeof s === 'number');
          if (seconds.length === 0) return;
          response.http.headers.set('retry-after', String(Math.max(...seconds)));
          const anyData = data !== null && data !== undefined && Object.values(data).some((v) => v !== null);
          if (!anyData) response.http.status = 503;
        },
      };
    },
  };
}
