// "Before": invalidationPreview runs a mutation as its caller would (Apollo's own pipeline: the same validation, limits,
// role checks and resolvers) inside a database transaction that is always rolled back, with an invalidate that records
// instead of invalidating. So nothing is written, no cache version moves, and the tags are exactly those the resolvers
// would hand to the cache after a real commit (docs/live.md).
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, Kind, parse, type DocumentNode } from 'graphql';
import type { Kysely, Transaction } from 'kysely';
import { computeAlways, RequestCacheState, type CacheService } from '../cache/index.js';
import { badInput } from '../common/errors.js';
import type { Tables } from '../db/tables.js';
import type { Resolvers } from '../generated/graphql.js';
import { createRequestContext, type PreviewInvalidation, type RequestContext, type Services } from './context.js';
import { createRepositories } from './domains.js';
import type { InvalidationReport } from './invalidation-report.js';


export interface PreviewOptions {
  apollo: () => ApolloServer<RequestContext>;
  db: Kysely<Tables>;
  maxTokens: number;
}

/** Thrown inside the transaction to roll it back once the mutation ran; never leaves this module. */
class RollBack extends Error {}

export function createInvalidationPreview(options: PreviewOptions): PreviewInvalidation {
  return async (mutation, variables, ctx) => {
    let document: DocumentNode;
    try {
      document = parse(mutation, { maxTokens: options.maxTokens });
    } catch (error) {
      throw badInput(`mutation does not parse: ${(error as GraphQLError).message}`, 'mutation');
    }
    const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    if (operations.length !== 1 || operations[0]!.operation !== 'mutation') throw badInput('mutation must hold exactly one mutation operation', 'mutation');
    if (variables !== undefined && (variables === null || typeof variables !== 'object' || Array.isArray(variables))) {
      throw badInput('variables must be an object', 'variables');
    }
    let report: InvalidationReport | undefined;
    let errors: readonly GraphQLError[] | undefined;
    try {
      await options.db.transaction().execute(async (trx) => {
        const services = previewServices(ctx.services, flattened(trx), (tags) => context.invalidate(tags));
        const context: RequestContext = createRequestContext(services, new RequestCacheState({ authorization: ctx.cacheState.authorization }), ctx.principal);
        const response = await options.apollo().executeOperation({ query: mutation, variables }, { contextValue: context });
        if (response.body.kind === 'single') errors = response.body.singleResult.errors as readonly GraphQLError[] | undefined;
        report = context.invalidations.report();
        throw new RollBack();
      });
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
    const first = errors?.[0];
    if (first) throw new GraphQLError(first.message, { extensions: first.extensions });
    return report!;
  };
}

/**
 * What the mutation runs against: repositories on the transaction, no field cache, an invalidate that only records
 * (createRequestContext counts and logs the tags), and a cache whose clear() records its tags without invalidating.
 */
function previewServices(base: Services, db: Kysely<Tables>, record: (tags: string[]) => Promise<void>): Services {
  const cache = base.cache;
  const services: Services = {
    ...base,
    repos: createRepositories(db),
    fieldCache: computeAlways,
    invalidate: async () => {},
  };
  if (cache) {
    services.cache = Object.assign(Object.create(cache) as CacheService, {
      clear: async (scope: 'ALL' | 'TYPE' | 'TAG', value: string | undefined) => {
        const tags = [scope === 'ALL' ? '*' : value!];
        await record(tags);
        return tags;
      },
      warm: async () => ({ operations: 0, cached: 0, failed: 0 }),
    });
  }
  return services;
}

/**
 * The transaction, as the repositories see a database: their own `transaction().execute(fn)` runs `fn` inside it
 * (Kysely refuses nested transactions; a nested BEGIN/COMMIT would commit the preview).
 */
function flattened(trx: Transaction<Tables>): Kysely<Tables> {
  const proxy: Kysely<Tables> = new Proxy(trx, {
    get(target, property) {
      if (property === 'transaction') {
        const builder = {
          setIsolationLevel: () => builder,
          setAccessMode: () => builder,
          execute: <T>(fn: (inner: Kysely<Tables>) => Promise<T>) => fn(proxy),
        };
        return () => builder;
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return proxy;
}

export const invalidationPreviewResolvers: Resolvers<RequestContext> = {
  Query: {
    invalidationPreview: async (_root, { mutation, variables }, ctx) => {
      const preview = ctx.services.previewInvalidation;
      if (!preview) throw new GraphQLError('invalidationPreview is not available on this server', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
      return preview(mutation, (variables ?? undefined) as Record<string, unknown> | undefined, ctx);
    },
  },
};
