// The schema's resolvers: each domain's map (and the cache's, observability's, health's), merged type by type.
// Each map is typed with the slice of the request context its domain needs; the assembled RequestContext
// (context.ts) satisfies every slice, which the type of `resolvers` checks.
import { assessmentResolvers } from '../assessments/resolvers.js';
import { cacheResolvers } from './cache-resolvers.js';
import { datasetResolvers } from '../datasets/resolvers.js';
import type { Resolvers } from '../generated/graphql.js';
import { modelResolvers } from '../models/resolvers.js';
import { observabilityResolvers } from '../observability/resolvers.js';
import type { RequestContext } from './context.js';
import { healthResolvers } from './health.js';
import { invalidationPreviewResolvers } from './invalidation-preview.js';

/** Merges per-domain resolver maps type by type; two domains defining the same field is a wiring bug. */
export function mergeResolvers(maps: Resolvers<RequestContext>[]): Resolvers<RequestContext> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      const target = (merged[type] ??= {});
      for (const [field, resolver] of Object.entries(fields as object)) {
        if (field in target) throw new Error(`resolver ${type}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  return merged as Resolvers<RequestContext>;
}

export const resolvers = mergeResolvers([
  healthResolvers,
  datasetResolvers,
  modelResolvers,
  assessmentResolvers,
  cacheResolvers,
  observabilityResolvers,
  invalidationPreviewResolvers,
]);
