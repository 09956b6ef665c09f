// L2: Redis through Keyv's Redis adapter (@keyv/redis), on the connection's command client. Entries are stored as
// one string (codec.ts) with a PX expiry, one key per entry: every command touches one key (Redis Cluster-safe).
// The adapter is told to throw, so the connection's budget and counters see every failure. The engine reads through
// getMany: the lookups of one tick go out together and come back together (tick-batcher.ts).
import KeyvRedis from '@keyv/redis';
import { decodeEntry, encodeEntry } from './codec.js';
import { FAILED, type RedisConnection } from './redis-connection.js';
import type { CacheEntry, CacheTier } from './store.js';

export class RedisTier implements CacheTier {
  readonly name = 'L2' as const;
  private readonly adapter: KeyvRedis<string>;

  constructor(private readonly connection: RedisConnection) {
    // Keys are already namespaced by keys.ts; the adapter adds nothing to them.
    this.adapter = new KeyvRedis<string>(connection.client, { throwOnErrors: true, throwOnConnectError: false });
    this.adapter.namespace = undefined;
    // Errors are counted and logged by the connection; the adapter's copies need a listener so they are not thrown.
    this.adapter.on('error', () => {});
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const text = await this.connection.call(() => this.adapter.get<string>(key));
    if (text === FAILED) throw new TierUnavailable();
    return typeof text === 'string' ? decodeEntry(text) : undefined;
  }

  /**
   * One GET per key, all sent in the same tick (node-redis writes them as one pipeline) and raced against one time
   * budget. No multi-key command (MGET), so nothing crosses a Redis Cluster slot.
   */
  async getMany(keys: readonly string[]): Promise<Array<CacheEntry | undefined>> {
    const texts = await this.connection.call(() => Promise.all(keys.map((key) => this.adapter.get<string>(key))));
    if (texts === FAILED) throw new TierUnavailable();
    return texts.map((text) => (typeof text === 'string' ? decodeEntry(text) : undefined));
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    const done = await this.connection.call(() => this.adapter.set(key, encodeEntry(entry), Math.ceil(ttlMs)));
    if (done === FAILED) throw new TierUnavailable();
  }

  async delete(key: string): Promise<void> {
    const done = await this.connection.call(() => this.adapter.delete(key));
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
