import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import { batchMutation } from './batch';
import { collectionQueries, collectionTypes } from './collections';
import { objectMutations } from './objects';
import { readQueries, readTypes } from './reads';
import { resultResolvers } from './results';

/** Every resolver of schema.graphql. */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,
  Query: { ...readQueries, ...collectionQueries },
  ...readTypes,
  ...collectionTypes,
  Mutation: { ...batchMutation, ...objectMutations },
  ...resultResolvers,
};
