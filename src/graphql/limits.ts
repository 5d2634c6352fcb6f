import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError } from 'graphql';
import type { GraphQLConfig } from '../config';

/** The codes a rejected query gets, one per limit (README, "GraphQL errors"). */
export const LIMIT_CODES = {
  maxDepth: 'QUERY_TOO_DEEP',
  maxAliases: 'TOO_MANY_ALIASES',
  costLimit: 'QUERY_TOO_COSTLY',
  maxDirectives: 'TOO_MANY_DIRECTIVES',
  maxTokens: 'TOO_MANY_TOKENS',
} as const;

/**
 * graphql-armor's protections with davgate's limits. Validation-time rejections are reported
 * with a code of their own instead of armor's generic BAD_USER_INPUT, so a client can tell
 * which limit it hit (Apollo wraps them as GRAPHQL_VALIDATION_FAILED; formatError restores
 * the code).
 */
export function armor(config: GraphQLConfig): ReturnType<ApolloArmor['protect']> {
  const report = (code: string): { onReject: GraphQLArmorRejectCallback[]; propagateOnRejection: false } => ({
    onReject: [(ctx, error) => ctx?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } }))],
    propagateOnRejection: false,
  });
  return new ApolloArmor({
    maxDepth: { n: config.maxDepth, ...report(LIMIT_CODES.maxDepth) },
    maxAliases: { n: config.maxAliases, ...report(LIMIT_CODES.maxAliases) },
    costLimit: { maxCost: config.maxCost, ...report(LIMIT_CODES.costLimit) },
    maxDirectives: { n: 50, ...report(LIMIT_CODES.maxDirectives) },
    // The token limit is graphql-js's own parse option (server.ts): armor's runs a second lexer and answers 500.
    maxTokens: { enabled: false },
    // Suggestions ("did you mean …") would let a client map a schema with introspection off.
    blockFieldSuggestion: { enabled: !config.introspection },
  }).protect();
}
