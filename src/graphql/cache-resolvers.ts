// cacheStats, clearCache and warmCache. The mutations are for admins (the ADMIN_TOKEN or an admin key): the auth
// plugin (auth/plugin.ts) refuses anyone else before any resolver runs; the check here is the same rule, again.
import type { Resolvers } from '../generated/graphql.js';
import { requireRole } from '../auth/principal.js';
import type { CacheService } from '../cache/index.js';
import { badInput, showValue } from '../common/errors.js';
import type { RequestContext } from './context.js';

const MAX_VALUE_LENGTH = 512;

function cacheOf(ctx: RequestContext): CacheService {
  const cache = ctx.services.cache;
  if (!cache) throw new Error('the cache service is not wired (createApp sets services.cache)');
  return cache;
}

function requireAdmin(ctx: RequestContext): CacheService {
  requireRole(ctx.principal, 'admin');
  return cacheOf(ctx);
}

export const cacheResolvers: Resolvers<RequestContext> = {
  Query: {
    cacheStats: (_parent, _args, ctx) => cacheOf(ctx).snapshot(),
  },
  Mutation: {
    clearCache: async (_parent, { scope, value }, ctx) => {
      const cache = requireAdmin(ctx);
      if (scope !== 'ALL') {
        if (!value || value.trim() === '') throw badInput(`clearCache(scope: ${scope}) needs a value`, 'value');
        if (value.length > MAX_VALUE_LENGTH) throw badInput(`value is longer than ${MAX_VALUE_LENGTH} characters: ${showValue(value)}`, 'value');
        if (scope === 'TYPE' && value.includes(':')) {
          throw badInput(`a TYPE is a type name such as ModelRun, got ${showValue(value)}`, 'value');
        }
      }
      const invalidated = await cache.clear(scope, value ?? undefined);
      return { scope, value: value ?? null, invalidated };
    },
    warmCache: async (_parent, _args, ctx) => requireAdmin(ctx).warm(),
  },
};
