// The per-request context: fresh loaders (so no request ever sees another's cached rows), the repositories for
// writes, the recorder of the tags this request depended on, the field cache for expensive fields, and the
// invalidation that mutations call after they commit.
import { ANONYMOUS, visibilityOf, type Principal, type Visibility } from '../auth/principal.js';
import {
  computeAlways,
  invalidateNothing,
  RequestCacheState,
  type CacheService,
  type DependencyRecorder,
  type FieldCache,
  type Invalidate,
} from '../cache/index.js';
import type { Observability } from '../observability/index.js';
import { InvalidationLog, recordingInvalidate, type InvalidationReport } from './invalidation-report.js';
import { createLoaders, type Loaders, type Repositories } from './domains.js';

/** The dry run behind invalidationPreview (invalidation-preview.ts builds it; declared here so neither file imports the other). */
export type PreviewInvalidation = (mutation: string, variables: Record<string, unknown> | undefined, ctx: RequestContext) => Promise<InvalidationReport>;

export interface Services {
  repos: Repositories;
  /** Liveness of the database, for the health query. */
  pingDatabase(): Promise<void>;
  version: string;
  startedAt: number;
  fieldCache?: FieldCache;
  invalidate?: Invalidate;
  /** The cache itself, for cacheStats / clearCache / warmCache. */
  cache?: CacheService;
  /** The dry run behind invalidationPreview (invalidation-preview.ts), set once Apollo exists. */
  previewInvalidation?: PreviewInvalidation;
  /** Health checks and the performance window, for the health and performance queries. */
  observability?: Observability;
}

export interface RequestContext {
  services: Services;
  repos: Repositories;
  loaders: Loaders;
  deps: DependencyRecorder;
  fieldCache: FieldCache;
  /** Mutations call this after commit with every tag they changed (entities and the collections they join). */
  invalidate: Invalidate;
  /** What this request's invalidate calls invalidated (extensions.invalidation: invalidation-report.ts). */
  invalidations: InvalidationLog;
  /** What the cache knows of this request (its stamp, its Authorization, what Apollo found out). */
  cacheState: RequestCacheState;
  /** Who is calling (auth/principal.ts): writes check its role, every read its visibility (the loaders filter by it). */
  principal: Principal;
  visibility: Visibility;
}

/**
 * `cacheState` and `principal` come from the HTTP handler; a context built elsewhere gets a fresh state and is
 * anonymous (public data only).
 */
export function createRequestContext(services: Services, cacheState = new RequestCacheState(), principal: Principal = ANONYMOUS): RequestContext {
  const deps = cacheState.deps;
  const visibility = visibilityOf(principal);
  const fieldCache = services.fieldCache ?? computeAlways;
  const invalidations = new InvalidationLog();
  const cache = services.cache;
  return {
    services,
    repos: services.repos,
    loaders: createLoaders(services.repos, deps, visibility),
    deps,
    fieldCache: fieldCache.forRequest?.(cacheState) ?? fieldCache,
    invalidate: recordingInvalidate(services.invalidate ?? invalidateNothing, cache && ((tags) => cache.countTagged(tags)), invalidations),
    invalidations,
    cacheState,
    principal,
    visibility,
  };
}
