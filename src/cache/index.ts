// The cache's front door: the only module outside src/cache/ imports (test/unit/cache-front-door.test.ts checks).
//
//   new CacheService({ config, typeDefs, logger })   built by createApp; start() / close()
//     .respond  the response cache: get-or-compute of a whole response (http/ asks, and builds the headers)
//     .field    the field cache: get-or-compute of an expensive field's value (resolvers, through ctx.fieldCache)
//     .invalidate(tags)   what a mutation calls after it commits
//     .snapshot() / .clear() / .warm()   what cacheStats / clearCache / warmCache show and do
//   collectionTag / entityTag / trackedLoader   how a domain names what it reads
//   broadcastInvalidation   invalidation from a process that serves nothing (the import CLI)
export { CacheService, type CacheServiceOptions } from './service.js';
export type { CacheLogger, CacheOptions } from './options.js';
export { collectionTag, entityTag, trackedLoader, type DependencyRecorder } from './tags.js';
export { computeAlways, invalidateNothing, type FieldCache, type Invalidate } from './field-cache.js';
export { RequestCacheState } from './request-state.js';
export type { CacheAwareContext } from './apollo-plugin.js';
export { broadcastInvalidation, type BroadcastOutcome } from './broadcast.js';
export { parseWarmup, type WarmupRunner, type WarmupOutcome } from './warmup.js';
export type {
  ComputeResponse,
  ExecutedResponse,
  HandedOn,
  RawLookup,
  ResponseAnswer,
  ResponseCache,
  ResponseRequest,
} from './response-cache.js';
