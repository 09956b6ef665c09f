// Automatic persisted queries (APQ), shared by every instance on one Redis (or Redis Cluster) and namespace. A client
// registers a document on whichever instance its request reaches (hash + query); later it sends the hash alone, and a
// load balancer may send that to any other instance. With Apollo's default store (in process), each instance would
// answer PersistedQueryNotFound until the client registered the document there too.
//
// Apollo's KeyValueCache contract on the cache's Redis link: one key per document (a hash of the client's sha256, so
// a client string never appears raw in a key), SET PX and GET, fail open. A small in-process LRU in front answers
// repeats without a round trip and keeps this instance's registrations while Redis is unreachable. A document is
// immutable for its hash (Apollo checks the hash on registration), so a copy is never stale.
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { LRUCache } from 'lru-cache';
import type { KeySpace } from './keys.js';
import { FAILED, type RedisConnection } from './redis-connection.js';

const LOCAL_DOCUMENTS = 2_000;
const APOLLO_APQ_PREFIX = 'apq:';

export class SharedPersistedQueries implements KeyValueCache<string> {
  private readonly local = new LRUCache<string, string>({ max: LOCAL_DOCUMENTS });

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: KeySpace,
    /** How long a document lives in Redis after its last registration, unless Apollo says otherwise. */
    private readonly ttlMs: number,
    /** Told of a document found in Redis (registered through another instance), by its sha256. */
    private readonly onShared: (sha256: string, document: string) => void = () => {},
  ) {}

  async get(key: string): Promise<string | undefined> {
    const known = this.local.get(key);
    if (known !== undefined) return known;
    const document = await this.redis.call((client) => client.get(this.keys.persistedQuery(key)));
    if (document === FAILED || document === null) return undefined;
    this.local.set(key, document);
    // Apollo prefixes its APQ keys (`apq:<sha256>`); the response cache knows persisted queries by the bare hash.
    this.onShared(key.startsWith(APOLLO_APQ_PREFIX) ? key.slice(APOLLO_APQ_PREFIX.length) : key, document);
    return document;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    this.local.set(key, value);
    const ttlMs = typeof options?.ttl === 'number' && options.ttl > 0 ? options.ttl * 1000 : this.ttlMs;
    // Apollo does not wait for this (nor should a request): a failure only means another instance asks again.
    await this.redis.call((client) => client.set(this.keys.persistedQuery(key), value, { PX: Math.ceil(ttlMs) }));
  }

  async delete(key: string): Promise<boolean> {
    this.local.delete(key);
    const removed = await this.redis.call((client) => client.del(this.keys.persistedQuery(key)));
    return removed !== FAILED && removed > 0;
  }
}
