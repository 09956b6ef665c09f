// The `performance` query: the sliding window (window.ts) and the alerts (alerts.ts), rounded for people.
import type { OperationPerformance, PerformanceOrder, Resolvers } from '../generated/graphql.js';
import { badInput } from '../common/errors.js';
import type { Observability } from './index.js';
import type { LatencyStats } from './window.js';

const MAX_FIRST = 1_000;

/** What these resolvers need of a request's context (the assembled one, graphql/context.ts, satisfies it). */
export interface ObservabilityContext {
  services: { observability?: Observability };
}

function observabilityOf(ctx: ObservabilityContext): Observability {
  const observability = ctx.services.observability;
  if (!observability) throw new Error('observability is not wired (createApp sets services.observability)');
  return observability;
}

const ms = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);
const ratio = (value: number) => Math.round(value * 10_000) / 10_000;

function rounded(stats: LatencyStats) {
  return {
    count: stats.count,
    errors: stats.errors,
    errorRate: ratio(stats.errorRate),
    requestsPerSecond: ratio(stats.requestsPerSecond),
    avgMs: ms(stats.avgMs),
    p50Ms: ms(stats.p50Ms),
    p95Ms: ms(stats.p95Ms),
    p99Ms: ms(stats.p99Ms),
    maxMs: ms(stats.maxMs),
    cacheHits: stats.cacheHits,
    cacheMisses: stats.cacheMisses,
    cacheHitRate: stats.cacheHitRate === null ? null : ratio(stats.cacheHitRate),
  };
}

function checkFirst(first: number): number {
  if (first < 0 || first > MAX_FIRST) throw badInput(`first must be from 0 to ${MAX_FIRST}, got ${first}`, 'first');
  return first;
}

const ORDERS: Record<PerformanceOrder, (a: OperationPerformance, b: OperationPerformance) => number> = {
  COUNT: (a, b) => b.count - a.count,
  P95: (a, b) => (b.p95Ms ?? -1) - (a.p95Ms ?? -1),
  ERROR_RATE: (a, b) => b.errorRate - a.errorRate || b.count - a.count,
};

export const observabilityResolvers: Resolvers<ObservabilityContext> = {
  Query: {
    performance: (_parent, _args, ctx) => {
      const report = observabilityOf(ctx).performance();
      const operations = report.operations.map((stats) => ({ operation: stats.operation, ...rounded(stats) }));
      return {
        windowSeconds: report.windowMs / 1000,
        bucketSeconds: report.bucketMs / 1000,
        coveredSeconds: Math.round(report.coveredMs) / 1000,
        total: { operation: '(all)', ...rounded(report.total) },
        // All of them, busiest first; the field resolvers below order and cut.
        operations,
        slowest: operations,
        timeline: report.timeline.map((bucket) => ({ start: new Date(bucket.start), seconds: bucket.durationMs / 1000, ...rounded(bucket) })),
        thresholds: report.thresholds,
        alerts: report.alerts.map((alert) => ({ ...alert, value: alert.rule === 'P95_HIGH' ? ms(alert.value)! : ratio(alert.value) })),
      };
    },
  },
  Performance: {
    operations: (parent, { orderBy, first }) => [...parent.operations].sort(ORDERS[orderBy ?? 'COUNT']).slice(0, checkFirst(first ?? 50)),
    slowest: (parent, { first }) =>
      parent.slowest
        .filter((stats) => stats.p95Ms !== null)
        .sort(ORDERS.P95)
        .slice(0, checkFirst(first ?? 5)),
  },
};
