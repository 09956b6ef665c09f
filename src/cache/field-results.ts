// Expensive field results (assessment, compareModels, modelRanking, featureImportance, quality, sample) shared
// across requests and query shapes: the FieldCache implementation over the engine. An entry's tags are exactly what
// its computation recorded (scope.ts); a hit adds them to the request's recorder, so an enclosing response depends
// on them too. It also hands over the stamp the value was computed under: the enclosing response (or field) is no
// more recent than the values it is built from, so it is stored under the earliest of those stamps.
import { decodeValue, encodeValue } from './codec.js';
import type { CacheEngine } from './engine.js';
import type { FieldCache } from './field-cache.js';
import type { KeySpace } from './keys.js';
import type { CachePolicy } from './policy.js';
import type { RequestCacheState } from './request-state.js';
import { recordCachedInFieldScopes, recordStampInFieldScopes, withFieldScope } from './scope.js';
import type { TagClocks } from './tags.js';
import { earliestStamp, type Stamp } from './versions.js';

interface Computed {
  body: string;
  /** The tags, with the clock each was read under. */
  deps: TagClocks;
  /** The stamp the value was computed under (and stored under, when it was). */
  stamp: Stamp;
  /** Computed by another instance, which held the key's lease; this one waited for its entry (lease.ts). */
  fromPeer?: boolean;
}

export class FieldResultCache implements FieldCache {
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
    const started = performance.now();
    const key = this.keys.field(field, args);
    // An identical computation may have finished (and stored its entry) while the lookup waited on Redis.
    let found = await this.engine.lookup(key);
    if (!found || found.freshness === 'reserve') found = this.engine.storedMeanwhile(key) ?? found;
    if (found && found.freshness !== 'reserve') {
      this.engine.stats.hit(found.tier, 'field', field, performance.now() - started);
      dependOn(request, found.entry, found.stamp);
      if (found.freshness === 'stale') {
        this.engine.stats.tiers[found.tier].staleServed += 1;
        if (request) request.staleServed = true;
        // The refresh must not reuse the request's stamp: it reads the data later, so it takes its own.
        this.engine.refreshInBackground(key, () => this.computeAndStore(key, field, this.engine.stamp(), compute));
      }
      return decodeValue<T>(found.entry.body);
    }
    let computed: Computed;
    try {
      ({ value: computed } = await this.engine.flight(key, () => this.computeOnce(key, field, request, compute)));
    } catch (error) {
      const fallback = await this.staleIfError(key, request);
      if (fallback === undefined) throw error;
      return decodeValue<T>(fallback);
    }
    if (computed.fromPeer) this.engine.stats.hit('L2', 'field', field, performance.now() - started);
    else this.engine.stats.miss('field', field, performance.now() - started);
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
    const { value, tags, stamp: used } = await withFieldScope(taken.clock, compute);
    // A cached field used inside (a nested field cache hit) makes this value no more recent than that one.
    const under = used ? earliestStamp(taken, used) : taken;
    const body = encodeValue(value);
    const ttlMs = this.policy.fieldTtlSeconds(field) * 1000;
    const entry = await this.engine.store(key, { body, tags, ttlMs, name: field }, under);
    return { body, deps: entry ?? this.engine.tagClocks(tags, under), stamp: under };
  }

  /**
   * Stale-if-error: the last good entry when the compute failed. Looked up again, since an invalidation may have
   * landed while the compute ran; lookup never returns an invalidated entry.
   */
  private async staleIfError(key: string, request: RequestCacheState | undefined): Promise<string | undefined> {
    const found = await this.engine.lookup(key, true, false, true);
    if (!found) return undefined;
    this.engine.stats.tiers[found.tier].staleServed += 1;
    dependOn(request, found.entry, found.stamp);
    if (request) request.staleServed = true;
    return found.entry.body;
  }
}

/**
 * A cached (or shared) value is used: the request's response and every enclosing field computation depend on its
 * tags at the clocks they were read under, and are no more recent than its stamp. (deps.addCached also feeds the
 * enclosing field scopes; see scope.ts.)
 */
function dependOn(request: RequestCacheState | undefined, deps: TagClocks, stamp: Stamp): void {
  if (request) {
    request.deps.addCached(deps);
    request.usedCachedValue(stamp);
  } else {
    recordCachedInFieldScopes(deps);
  }
  recordStampInFieldScopes(stamp);
}
