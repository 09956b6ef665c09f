// The contract between resolvers of expensive fields and the cache engine. A resolver hands over the field's name,
// the arguments that determine its value and how to compute it; the engine decides whether to compute.
import type { RequestCacheState } from './request-state.js';

export interface FieldCache {
  /**
   * Returns the value of `field` for `args`, computing it with `compute` when there is no live entry. Tags recorded
   * (through loaders or ctx.deps) while `compute` runs become the entry's tags. `field` is a field name
   * (`assessment`) or a schema coordinate (`Dataset.quality`); its TTL comes from the schema's @cacheControl hints.
   * Values must survive JSON (Dates do): a hit returns what the miss returned.
   */
  resolve<T>(field: string, args: Record<string, unknown>, compute: () => Promise<T>): Promise<T>;
  /** The same cache bound to one request (its recorder, its stamp); createRequestContext calls it. */
  forRequest?(request: RequestCacheState): FieldCache;
}

/** No caching: every call computes. Used until a cache engine is configured, and to measure without one. */
export const computeAlways: FieldCache = {
  resolve: (_field, _args, compute) => compute(),
};

/** Called by a mutation after its transaction committed, with the tags it changed. */
export type Invalidate = (tags: readonly string[]) => Promise<void>;

export const invalidateNothing: Invalidate = async () => {};
