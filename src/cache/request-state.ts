// What one request tells the cache about itself, and what the cache learns while Apollo runs it. The HTTP handler
// creates it, the request context carries it, the Apollo plugin and the field cache fill it in, and the response
// cache reads it to decide whether (and how long, and for whom) the response may be stored.
import type { CacheScope } from './policy.js';
import { DependencyRecorder } from './dependencies.js';
import { earliestStamp, type Stamp } from './versions.js';

export class RequestCacheState {
  readonly deps = new DependencyRecorder();
  /** Taken before Apollo reads anything, for a query that may be stored; field computations reuse it. */
  stamp: Promise<Stamp> | undefined;
  /** The earliest stamp of a cached field value this request used (a hit, or another request's computation). */
  private usedStamp: Stamp | undefined;
  /** The Authorization header, for PRIVATE keys and the admin check. */
  authorization: string | undefined;
  operationType: 'query' | 'mutation' | 'subscription' | undefined;
  operationName: string | undefined;
  /** Why the response must not be stored, when it must not (first reason wins). */
  noStoreReason: string | undefined;
  /** Set when an expensive field was served stale: the response is marked stale and not stored. */
  staleServed = false;
  policy: { maxAgeSeconds: number; scope: CacheScope } | undefined;
  hasErrors = false;

  constructor(init: { authorization?: string; stamp?: Stamp } = {}) {
    this.authorization = init.authorization;
    if (init.stamp) {
      this.stamp = Promise.resolve(init.stamp);
      // Known before Apollo reads anything: every tag a loader records was read under it.
      this.deps.ownClock = init.stamp.clock;
    }
  }

  noStore(reason: string): void {
    this.noStoreReason ??= reason;
  }

  /** Records that a cached value computed under `stamp` went into this response. */
  usedCachedValue(stamp: Stamp): void {
    this.usedStamp = earliestStamp(this.usedStamp, stamp);
  }

  /**
   * The stamp to store the response under: the request's own, or older when it used an older cached value. A
   * response is only as recent as the oldest value in it: stored under the request's stamp alone, a field value
   * that was valid when looked up but invalidated a moment later (its invalidation was already counted in the
   * request's stamp but not yet known to this instance) would live on, valid, inside the response.
   */
  async storeStamp(): Promise<Stamp | undefined> {
    if (!this.stamp) return undefined;
    const own = await this.stamp;
    return this.usedStamp ? earliestStamp(own, this.usedStamp) : own;
  }
}
