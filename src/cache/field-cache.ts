// The field cache: expensive field results (assessment, compareModels, modelRanking, featureImportance, quality,
// sample) shared across requests and query shapes. First the contract resolvers see (ctx.fieldCache), then its
// implementation over the engine's get-or-compute.
//
// An entry's tags are exactly what its computation recorded (field-recording.ts); a hit adds them to the request's
// recorder, so an enclosing response depends on them too. It also hands over the stamp the value was computed under:
// the enclosing response (or field) is no more recent than the values it is built from, so it is stored under the
// earliest of those stamps.
import { decodeValue, encodeValue } from './codec.js';
import type { CacheEngine } from './engine.js';
import { recordCachedInOpenFields, recordStampInOpenFields, withFieldRecording } from './field-recording.js';
import type { KeySpace } from './keys.js';
import type { CachePolicy } from './policy.js';
import type { RequestCacheState } from './request-state.js';
import type { TagClocks } from './tags.js';
import { earliestStamp, type Stamp } from './versions.js';

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

interface Computed {
  body: string;
  /** The tags, with the clock each was read under. */
  deps: TagClocks;
  /** The stamp the value was computed under (and stored under, when it was). */
  stamp: Stamp;
  /** Computed by another instance, which held the key's lease; this one waited for its entry (lease.ts). */
  fromPeer?: boolean;
}

export class EngineFieldCache implements FieldCache {
  constructor(
    private readonly engine: CacheEngine,
    private readonly keys: KeySpace,
    private readonly policy: CachePolicy,
  ) {}

  /** Without a request (a script, a test): no recorder to feed, a fresh stamp per miss. */
  resolve<T>(field: string, args: Record<string, unknown>, compute: () => Promise<T>): Promise<T> {
    return this.resolveFor(undefined, field, args, compute);
  }

  forRequest(request: RequestCacheState): FieldCache {
    return {
      resolve: (field, args, compute) => this.resolveFor(request, field, args, compute),
    };
  }

  private async resolveFor<T>(
    request: RequestCacheState | undefined,
    field: string,
    args: Record<string, unknown>,
    compute: () => Promise<T>,
  ): Promise<T> {
    const startedAt = performance.now();
    const key = this.keys.field(field, args);
    const got = await this.engine.getOrCompute<Computed>({
      key,
      kind: 'field',
      name: field,
      startedAt,
      compute: () => this.computeOnce(key, field, request, compute),
      // The refresh must not reuse the request's stamp: it reads the data later, so it takes its own.
      refresh: () => this.computeAndStore(key, field, this.engine.stamp(), compute),
    });
    if (got.kind === 'found') {
      const { entry, stamp } = got.found;
      dependOn(request, entry, stamp);
      if (got.stale && request) request.staleServed = true;
      return decodeValue<T>(entry.body);
    }
    const computed = got.value;
    if (computed.fromPeer) this.engine.stats.hit('L2', 'field', field, performance.now() - startedAt);
    else this.engine.stats.miss('field', field, performance.now() - startedAt);
    // Possibly another request's computation (single-flight), started under that request's stamp.
    dependOn(request, computed.deps, computed.stamp);
    // Every caller gets the decoded copy, the computing one too: a miss returns what later hits will.
    return decodeValue<T>(computed.body);
  }

  /** A miss computes, unless another instance holds the key's lease: then its entry is used when it appears. */
  private async computeOnce<T>(key: string, field: string, request: RequestCacheState | undefined, compute: () => Promise<T>): Promise<Computed> {
    const before = await this.engine.leaseOrWait(key, this.keys.lease(key));
    if (before.kind === 'found') {
      const { entry, stamp } = before.found;
      return { body: entry.body, deps: entry, stamp, fromPeer: true };
    }
    try {
      return await this.computeAndStore(key, field, request?.stamp ?? this.engine.stamp(), compute);
    } finally {
      before.release();
    }
  }

  private async computeAndStore<T>(key: string, field: string, stamp: Promise<Stamp>, compute: () => Promise<T>): Promise<Computed> {
    // The stamp is taken (or was, by the request) before compute reads anything: see versions.ts.
    const taken = await stamp;
    const { value, tags, stamp: used } = await withFieldRecording(taken.clock, compute);
    // A cached field used inside (a nested field cache hit) makes this value no more recent than that one.
    const under = used ? earliestStamp(taken, used) : taken;
    const body = encodeValue(value);
    const ttlMs = this.policy.fieldTtlSeconds(field) * 1000;
    const entry = await this.engine.store(key, { body, tags, ttlMs, name: field }, under);
    return { body, deps: entry ?? this.engine.tagClocks(tags, under), stamp: under };
  }
}

/**
 * A cached (or shared) value is used: the request's response and every enclosing field computation depend on its
 * tags at the clocks they were read under, and are no more recent than its stamp. (deps.addCached also feeds the
 * enclosing field recordings; see field-recording.ts.)
 */
function dependOn(request: RequestCacheState | undefined, deps: TagClocks, stamp: Stamp): void {
  if (request) {
    request.deps.addCached(deps);
    request.usedCachedValue(stamp);
  } else {
    recordCachedInOpenFields(deps);
  }
  recordStampInOpenFields(stamp);
}
