import { parseBatch, runBatch, type BatchBackend } from '../../batch/executor';
import type { Result } from '../../model/result';
import type { MutationResolvers } from '../__generated__/resolvers-types';
import type { BatchResultModel } from '../batch-result';
import type { GraphQLContext } from '../context';
import { operationJson } from './operation-input';

/**
 * Runs operations (already in REST JSON form) through the one batch executor the REST face
 * uses; answers the results and the backend the batch went to.
 */
export async function runOperations(context: GraphQLContext, operations: readonly Record<string, unknown>[], extra: { concurrency?: number | null; stopOnError?: boolean | null } = {}): Promise<{ results: Result[]; backend: BatchBackend }> {
  const batch = parseBatch(
    {
      operations,
      ...(extra.concurrency === null || extra.concurrency === undefined ? {} : { concurrency: extra.concurrency }),
      ...(extra.stopOnError === null || extra.stopOnError === undefined ? {} : { stopOnError: extra.stopOnError }),
    },
    context.concurrency,
  );
  // A shed backend refuses the whole batch; the GraphQL answer then says 503 with Retry-After (errors.ts).
  const backend = context.router?.forBatch(context.requested, batch.operations) ?? context.backend;
  const results = (await runBatch(batch, backend, context.send)).flat();
  context.log.info({ face: 'graphql', operations: batch.operations.length, results: results.length }, 'batch done');
  context.metrics?.recordBatch('graphql', batch.operations.length, results);
  return { results, backend };
}

export const batchMutation: Pick<MutationResolvers, 'batch'> = {
  async batch(_parent, args, context): Promise<BatchResultModel> {
    const operations = args.operations.map((input, index) => operationJson(input, index));
    return { results: (await runOperations(context, operations, args)).results };
  },
};
