import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { GatewayConfig, GraphQLConfig } from '../config';
import type { BackendRouter } from '../router';
import { contextFor, type GraphQLContext } from './context';
import { formatError, retryAfterPlugin } from './errors';
import { registerExplorerAssets, withExplorer } from './explorer';
import { armor } from './limits';
import { resolvers } from './resolvers';
import { typeDefs } from './schema';

/**
 * The Apollo server of the GraphQL face, not started. Stack traces never leave, batched HTTP
 * requests are refused, CSRF prevention is on (Apollo's default, kept explicit), Apollo's
 * CDN landing page is off (davgate serves its own offline explorer). Apollo's cache-control
 * plugin is off: the schema gives no cache hints and every answer is `no-store` (app.ts), and
 * the plugin's per-field hook made Apollo wrap every resolver of every request.
 */
export function createApollo(config: GraphQLConfig, log?: FastifyBaseLogger): ApolloServer<GraphQLContext> {
  const limits = armor(config);
  return new ApolloServer<GraphQLContext>({
    typeDefs: typeDefs(),
    resolvers,
    introspection: config.introspection,
    // graphql-js stops lexing past the limit, before any document is built (GRAPHQL_PARSE_FAILED, mapped to TOO_MANY_TOKENS).
    parseOptions: { maxTokens: config.maxTokens },
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // The gateway drains on SIGTERM itself (server.ts); Apollo's own handler would stop it and re-raise the signal at once.
    stopOnTerminationSignals: false,
    ...(log === undefined ? {} : { logger: log }),
    formatError: formatError(log),
    validationRules: limits.validationRules,
    plugins: [...limits.plugins, ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), retryAfterPlugin()],
  });
}

/**
 * Mounts `/graphql` on the app (GET, POST, OPTIONS) with the app's body limit. Apollo starts
 * when the app becomes ready and stops when it closes.
 */
export function registerGraphQL(app: FastifyInstance, config: GatewayConfig, router: BackendRouter): void {
  const apollo = createApollo(config.graphql, app.log);
  void app.register(async (instance) => {
    await apollo.start();
    const handler = fastifyApolloHandler(apollo, { context: async (request) => contextFor(request, router, config.concurrency) });
    instance.route({ method: ['GET', 'POST', 'OPTIONS'], url: '/graphql', bodyLimit: config.maxBodyBytes, handler: withExplorer(handler) });
    registerExplorerAssets(instance);
  });
  app.addHook('onClose', async () => apollo.stop());
}
