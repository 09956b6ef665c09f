// The cache's front door: the only module outside src/cache/ imports (test/unit/cache-front-door.test.ts checks).
//
//   new CacheService({ config, typeDefs, logger })   built by createApp (config mapped to CacheOptions); start/close
//     .responseCache.respond(request, compute)   get-or-compute of a whole response; http/ reads the headers,
//                                                and turns the answer into HTTP (http/cache-replies.ts)
//     .fieldCache.resolve(field, args, compute)  get-or-compute of an expensive field (resolvers: ctx.fieldCache)
//     .invalidate(tags)                          what a mutation calls after it commits
//     .snapshot() / .clear() / .warm()           what cacheStats / clearCache / warmCache show and do
//     .plugins()                                 the Apollo plugins that tell a request's RequestCacheState what
//                                                only Apollo knows (operation type, errors, @cacheControl policy)
//   collectionTag / entityTag / trackedLoader    how a domain names what it reads
//   broadcastInvalidation                        invalidation from a process that serves nothing (the import CLI)
export { CacheService, type CacheServiceOptions } from './service.js';
export type { CacheLogger, CacheOptions } from './options.js';
export { collectionTag, entityTag, typeOfTag } from './tags.js';
export { trackedLoader, type DependencyRecorder } from './dependencies.js';
export { computeAlways, invalidateNothing, type FieldCache, type Invalidate } from './field-cache.js';
export { RequestCacheState } from './request-state.js';
export type { CacheAwareContext } from './apollo-plugin.js';
export { broadcastInvalidation, type BroadcastOutcome } from './broadcast.js';
export type { WarmupOperation, WarmupRunner, WarmupOutcome } from './warmup.js';
export type {
  ComputeResponse,
  ExecutedResponse,
  HandedOn,
  RawLookup,
  ResponseAnswer,
  ResponseCache,
  ResponseRequest,
} from './response-cache.js';
