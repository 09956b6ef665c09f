// L2: Redis (one, or a cluster) on the connection's command client. Entries are stored as one string (codec.ts)
// with a PX expiry, one key per entry: GET, SET PX and DEL each touch one key (Redis Cluster-safe); MGET only on one
// Redis. Failures reach the connection's budget and counters. The engine reads through getMany: the lookups of one
// tick (the fast lane's: of one event-loop turn) go out together and come back together (tick-batcher.ts).
//
// The commands go to the client directly rather than through Keyv's adapter: the adapter connects a client it finds
// closed by itself, which would defeat the connection's fail-open rules (no offline queue, background reconnects).
import { decodeEntry, encodeEntry } from './codec.js';
import { FAILED, type RedisConnection } from './redis-connection.js';
import type { CacheEntry, CacheTier } from './store.js';

export class RedisTier implements CacheTier {
  readonly name = 'L2' as const;

  constructor(private readonly connection: RedisConnection) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    const text = await this.connection.call((client) => client.get(key));
    if (text === FAILED) throw new TierUnavailable();
    return typeof text === 'string' ? decodeEntry(text) : undefined;
  }

  /**
   * On one Redis, one MGET: a command (and a promise) per batch rather than per key. On a cluster, one GET per key,
   * all sent in the same tick (one pipeline per node), so nothing crosses a slot. Raced against one time budget.
   */
  async getMany(keys: readonly string[]): Promise<Array<CacheEntry | undefined>> {
    const texts = await this.connection.call((client) => (client.mGet ? client.mGet(keys) : Promise.all(keys.map((key) => client.get(key)))));
    if (texts === FAILED) throw new TierUnavailable();
    return texts.map((text) => (typeof text === 'string' ? decodeEntry(text) : undefined));
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    const done = await this.connection.call((client) => client.set(key, encodeEntry(entry), { PX: Math.ceil(ttlMs) }));
    if (done === FAILED) throw new TierUnavailable();
  }

  async delete(key: string): Promise<void> {
    const done = await this.connection.call((client) => client.del(key));
    if (done === FAILED) throw new TierUnavailable();
  }
}

/** A tier call that failed or ran out of budget (already counted and logged by the connection). */
export class TierUnavailable extends Error {
  override name = 'TierUnavailable';
  constructor() {
    super('cache tier unavailable');
  }
}
