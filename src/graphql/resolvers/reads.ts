import type { ClarkName } from '../../model/clark';
import { discoverPrincipal } from '../../reads/discovery';
import { getListing, getResource } from '../../reads/properties';
import { syncCollection } from '../../reads/sync';
import type { QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { readContext } from '../context';
import { propertyNamed } from './results';

const names = (properties: readonly string[] | null | undefined): readonly ClarkName[] | undefined => properties ?? undefined;

/** WebDAV reads: properties, listings, discovery, sync-collection (src/reads does the protocol). */
export const readQueries: Pick<QueryResolvers, 'resource' | 'listing' | 'principal' | 'changes'> = {
  resource: (_parent, args, context) => getResource(readContext(context, args.href), args.href, names(args.properties)),
  listing: (_parent, args, context) => getListing(readContext(context, args.href), args.href, args.depth === 'ZERO' ? 0 : 1, names(args.properties)),
  principal: (_parent, args, context) => discoverPrincipal(readContext(context, args.url ?? undefined), args.url ?? undefined),
  changes: (_parent, args, context) => syncCollection(readContext(context, args.collection), args.collection, args.syncToken ?? undefined),
};

export const readTypes: Pick<Resolvers, 'Resource'> = {
  Resource: {
    property: (resource, { name }) => propertyNamed(resource.properties, name),
  },
};
