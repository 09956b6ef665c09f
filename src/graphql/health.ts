// The `health` query: the dependency report of observability/health.ts (database, redis, cache: checked in
// parallel, each within its budget, the report reused for HEALTH_CACHE_MS), plus version and uptime.
import type { Resolvers } from '../generated/graphql.js';
import { databaseCheck, HealthChecker, type HealthReport } from '../observability/health.js';
import type { RequestContext, Services } from './context.js';

/** Services built without observability (some tests build them by hand) still answer, with the database alone. */
const fallbackCheckers = new WeakMap<Services, HealthChecker>();

function report(services: Services): Promise<HealthReport> {
  if (services.observability) return services.observability.healthReport();
  let checker = fallbackCheckers.get(services);
  if (!checker) {
    checker = new HealthChecker([databaseCheck(() => services.pingDatabase())], { timeoutMs: 1_000, cacheMs: 0 });
    fallbackCheckers.set(services, checker);
  }
  return checker.check();
}

export const healthResolvers: Resolvers<RequestContext> = {
  Query: {
    health: async (_parent, _args, { services, cacheState }) => {
      const { status, checkedAt, dependencies } = await report(services);
      // A report that is not OK must not be served from the response cache after the dependency is back.
      if (status !== 'OK') cacheState.noStore('health is not OK');
      return {
        ok: status !== 'DOWN',
        status,
        database: dependencies.find((dependency) => dependency.name === 'database')!,
        dependencies,
        checkedAt,
        version: services.version,
        uptimeSeconds: Math.round((Date.now() - services.startedAt) / 10) / 100,
      };
    },
  },
};
