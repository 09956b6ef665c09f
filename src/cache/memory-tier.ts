// L1: an in-process LRU bounded by bytes (lru-cache's sizeCalculation), holding entries as objects: a hit costs a map
// lookup, no parsing. Expiry is the entry's whole store lifetime; freshness is judged by the engine.
//
// It also keeps an index from tag to the keys of the entries carrying it, so that an invalidation (this instance's,
// or another's heard over the Redis channel) drops the affected entries at once instead of leaving them to be found
// invalid by their next lookup: their memory is freed and `entries`/`bytes` tell the truth. The index only holds
// what the LRU holds (entries leave it through `dispose`), so it is bounded by the tier's own bound; its cost is
// counted in each entry's size.
import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheTier } from './store.js';

/**
 * Fixed per-entry bookkeeping (the entry object, its stamp, headers, the LRU's slots), in bytes. Measured with
 * `npm run bench:memory` (heap growth / entries, after GC) at about 1 KB beyond key and body: a lower figure lets
 * the real heap outgrow CACHE_L1_MAX_BYTES.
 */
const ENTRY_OVERHEAD_BYTES = 1_024;
/** Per tag of an entry: the tag in the entry, and its slot (a Set member) in the tag index. */
const TAG_OVERHEAD_BYTES = 96;

export interface MemoryTierEvents {
  onEvict?(): void;
}

export class MemoryTier implements CacheTier {
  readonly name = 'L1' as const;
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly keysByTag = new Map<string, Set<string>>();

  constructor(maxBytes: number, events: MemoryTierEvents = {}) {
    this.lru = new LRUCache<string, CacheEntry>({
      maxSize: maxBytes,
      // One entry may take at most a quarter of the tier, so a single huge response cannot flush everything else.
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 4)),
      sizeCalculation: (entry, key) => entrySize(key, entry),
      dispose: (entry, key, reason) => {
        this.unindex(key, entry);
        if (reason === 'evict') events.onEvict?.();
      },
    });
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.lru.get(key);
  }

  /** Synchronous read for the hot path (no promise per hit). */
  peek(key: string): CacheEntry | undefined {
    return this.lru.get(key);
  }

  /** Whether an entry is held under `key`, however old, without touching its recency. */
  holds(key: string): boolean {
    return this.lru.has(key);
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    // A replaced entry leaves the index through dispose (reason 'set'), before the new one enters it.
    this.lru.set(key, entry, { ttl: ttlMs });
    // Indexed only if the LRU took it (an entry above maxEntrySize is refused).
    if (this.lru.peek(key, { allowStale: true }) !== entry) return;
    for (const tag of entry.tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }

  /**
   * Drops the entries carrying any of the tags that were stamped before `version` (every one of them when the
   * version is unknown): an entry stamped at or after it was computed after the change, and stays.
   */
  dropTagged(tags: readonly string[], version: number | undefined): number {
    let dropped = 0;
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) {
        const entry = this.lru.peek(key, { allowStale: true });
        // Read at or after the version (the tag's own clock: parts of an entry may be older than others): still valid.
        if (entry && version !== undefined && entry.stamp + (entry.ahead?.[entry.tags.indexOf(tag)] ?? 0) >= version) continue;
        // Deleting disposes, which unindexes the key from every tag it carried.
        if (this.lru.delete(key)) dropped += 1;
        else keys.delete(key);
      }
    }
    return dropped;
  }

  /** The keys of the entries carrying any of `tags` (what invalidating them would drop), or all: counts for reports. */
  keysTagged(tags: readonly string[], everything = false): Set<string> {
    if (everything) return new Set(this.lru.keys());
    const found = new Set<string>();
    for (const tag of tags) for (const key of this.keysByTag.get(tag) ?? []) found.add(key);
    return found;
  }

  clear(): void {
    this.lru.clear();
    this.keysByTag.clear();
  }

  get entries(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  /** Tags with at least one entry in the index (tests check that it never outgrows the tier). */
  get indexedTags(): number {
    return this.keysByTag.size;
  }

  private unindex(key: string, entry: CacheEntry): void {
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.keysByTag.delete(tag);
    }
  }
}

// V8 keeps ASCII text (nearly all JSON) one byte per character, so string length is a fair measure of its memory.
function entrySize(key: string, entry: CacheEntry): number {
  let size = ENTRY_OVERHEAD_BYTES + key.length + entry.body.length;
  for (const tag of entry.tags) size += tag.length + TAG_OVERHEAD_BYTES;
  return size;
}
