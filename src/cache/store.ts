// The contract every cache tier implements, and the entry they store. Kept tiny on purpose (get / set / delete):
// the in-process LRU (L1) and Redis (L2) both satisfy it, and everything clever (tags, versions, single-flight,
// stale-while-revalidate, stats) lives once, in the engine above them.

/** One cached result. `body` is the exact text served, so a hit returns byte for byte what the miss returned. */
export interface CacheEntry {
  /** A response body, or a field value encoded by codec.ts. */
  body: string;
  /** The response's content type; undefined for field values. */
  contentType?: string;
  /** What the entry depends on (entity, collection and type tags). Valid while none was invalidated after `stamp`. */
  tags: readonly string[];
  /**
   * The Redis clock (or the local clock without Redis) read before the data behind this entry was read: the earliest,
   * when parts were read at different times (a response built from an older field entry).
   */
  stamp: number;
  /** Per tag, how much later than `stamp` its data was read (absent: all at `stamp`). See tags.ts TagClocks. */
  ahead?: readonly number[];
  /** When it was stored, in ms since the epoch. */
  createdAt: number;
  /** Fresh for this long after createdAt. */
  ttlMs: number;
  /** After ttlMs: served stale while one background refresh runs. */
  graceMs: number;
  /** After ttlMs: served (marked stale) when a recompute fails. */
  reserveMs: number;
  /** The field or operation name, for per-name stats. */
  name: string;
  /**
   * In-process only (never stored in Redis): the local invalidation counter and cache epoch the entry was computed
   * under. See versions.ts for why an instance may need them while Redis is unreachable.
   */
  local?: number;
  epoch?: number;
  /** In-process only: see Stamp.verified. */
  verified?: number;
}

export type TierName = 'L1' | 'L2';

/** A place entries live. Implementations never throw for a miss; a failing backend rejects and the engine counts it. */
export interface CacheTier {
  readonly name: TierName;
  get(key: string): Promise<CacheEntry | undefined>;
  /** Several entries at once, in order, in one round trip where the tier can (the engine's per-tick L2 batch). */
  getMany?(keys: readonly string[]): Promise<Array<CacheEntry | undefined>>;
  /** Keeps the entry for `ttlMs` (its whole life: fresh + grace), then the tier may drop it. */
  set(key: string, entry: CacheEntry, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** How long a tier keeps an entry: fresh, then the longer of the two stale windows. */
export function storeLifetimeMs(entry: Pick<CacheEntry, 'ttlMs' | 'graceMs' | 'reserveMs'>): number {
  return entry.ttlMs + Math.max(entry.graceMs, entry.reserveMs);
}
