// The cache as the app sees it: built from config by createCacheService, it owns the tiers, the Redis link, the
// versions and the engine, and hands out the seams (fieldCache, invalidate, the response cache, the Apollo plugins)
// plus what the cacheStats / clearCache / warmCache resolvers need. createApp wires it; stop() closes it.
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { cacheControlPlugin, responseCachePlugin, type CacheAwareContext } from './apollo-plugin.js';
import { CacheEngine } from './engine.js';
import { computeAlways, EngineFieldCache, invalidateNothing, type FieldCache, type Invalidate } from './field-cache.js';
import { KeySpace } from './keys.js';
import { MemoryTier } from './memory-tier.js';
import { CachePolicy } from './policy.js';
import { Leases } from './lease.js';
import type { CacheLogger, CacheOptions } from './options.js';
import { SharedPersistedQueries } from './persisted-queries.js';
import { FAILED, RedisConnection } from './redis-connection.js';
import { RedisTier } from './redis-tier.js';
import { ResponseCache } from './response-cache.js';
import { averages, CacheStats } from './stats.js';
import { ALL_TAG, tagVersionTtlMs, Versions } from './versions.js';
import { runWarmup, type WarmupOutcome, type WarmupRunner } from './warmup.js';

/** An APQ document lives this long in Redis after its last registration; clients re-register a forgotten one. */
const PERSISTED_QUERY_TTL_MS = 24 * 3_600_000;

export type ClearScope = 'ALL' | 'TYPE' | 'TAG';

/** How long the warm-up waits for Redis (subscribed, baseline read) before warming anyway. */
const WARMUP_WAITS_FOR_REDIS_MS = 5_000;

export interface CacheServiceOptions {
  config: CacheOptions;
  typeDefs: DocumentNode;
  logger: CacheLogger;
  /** The time entries are stamped and judged fresh by (default Date.now): tests pass a clock they move. */
  clock?: () => number;
}

export class CacheService {
  readonly policy: CachePolicy;
  readonly stats = new CacheStats();
  readonly keys: KeySpace;
  readonly engine: CacheEngine | undefined;
  readonly responseCache: ResponseCache | undefined;
  readonly fieldCache: FieldCache;
  readonly invalidate: Invalidate;
  /**
   * Apollo's APQ store, shared through Redis by every instance; undefined without Redis (Apollo's in-process default,
   * per instance, is then the only store there is).
   */
  readonly persistedQueries: SharedPersistedQueries | undefined;
  private readonly redis: RedisConnection | undefined;
  private readonly l1: MemoryTier | undefined;
  private readonly versions: Versions | undefined;
  private warmupRunner: WarmupRunner | undefined;
  private warming: Promise<WarmupOutcome> | undefined;

  constructor(private readonly options: CacheServiceOptions) {
    const { config, logger } = options;
    this.policy = new CachePolicy(options.typeDefs);
    this.keys = new KeySpace(config.namespace);
    if (!config.enabled) {
      this.fieldCache = computeAlways;
      this.invalidate = invalidateNothing;
      return;
    }
    if ((config.redisUrl || config.redisClusterNodes) && config.l2) {
      this.redis = new RedisConnection({
        ...(config.redisClusterNodes ? { clusterNodes: config.redisClusterNodes } : { url: config.redisUrl }),
        timeoutMs: config.redisTimeoutMs,
        logger,
        onFailure: () => void (this.stats.tiers.L2.errors += 1),
      });
    }
    if (this.redis) {
      // A document registered through another instance is learned by this one's response cache as Apollo finds it.
      this.persistedQueries = new SharedPersistedQueries(this.redis, this.keys, PERSISTED_QUERY_TTL_MS, (hash, document) =>
        this.responseCache?.learnPersisted(hash, document),
      );
    }
    if (config.l1MaxBytes > 0) {
      this.l1 = new MemoryTier(config.l1MaxBytes, { onEvict: () => void (this.stats.tiers.L1.evictions += 1) });
    }
    this.versions = new Versions(this.keys, this.redis, {
      tagVersionTtlMs: tagVersionTtlMs(config),
      writeTimeoutMs: config.writeTimeoutMs,
      readAfterWrite: config.readAfterWrite,
      outageTrustMs: config.outageTrustMs,
      logger,
    });
    this.engine = new CacheEngine({
      l1: this.l1,
      l2: this.redis ? new RedisTier(this.redis) : undefined,
      versions: this.versions,
      stats: this.stats,
      logger,
      graceMs: config.staleWhileRevalidateMs,
      reserveMs: config.staleIfErrorMs,
      maxTtlMs: config.maxTtlMs,
      leases: this.redis && config.leaseMs > 0 ? new Leases(this.redis, config.leaseMs) : undefined,
      ...(options.clock ? { now: options.clock } : {}),
    });
    this.responseCache = new ResponseCache(this.engine, this.keys);
    this.fieldCache = new EngineFieldCache(this.engine, this.keys, this.policy);
    const engine = this.engine;
    this.invalidate = (tags) => engine.invalidate(tags);
  }

  get backend(): 'redis' | 'redis-cluster' | 'memory' {
    return this.redis ? (this.redis.cluster ? 'redis-cluster' : 'redis') : 'memory';
  }

  /** Connects to Redis in the background: never waits, never fails. */
  start(): void {
    const redis = this.redis;
    if (!redis) return;
    redis.client.once('ready', () => void warnAboutRedisSettings(redis, this.options.logger));
    redis.start();
  }

  plugins<TContext extends CacheAwareContext>(): ApolloServerPlugin<TContext>[] {
    const maxTtlSeconds = Math.floor(this.options.config.maxTtlMs / 1000);
    return [cacheControlPlugin(maxTtlSeconds) as ApolloServerPlugin<TContext>, responseCachePlugin<TContext>(this.policy)];
  }

  /** How warm-up operations reach the HTTP path (Fastify's inject), set once the server exists. */
  setWarmupRunner(runner: WarmupRunner): void {
    this.warmupRunner = runner;
  }

  /** Runs the warm-up file in the background at start; returns at once. */
  warmInBackground(): void {
    if (this.options.config.warmup.length === 0 || !this.engine) return;
    void this.warm().then(
      (outcome) => this.options.logger.info('cache warm-up finished', { ...outcome }),
      (error: unknown) => this.options.logger.warn('cache warm-up failed', { error: String(error) }),
    );
  }

  /** Runs the warm-up operations (once at a time), forcing each to recompute and store. */
  warm(): Promise<WarmupOutcome> {
    const operations = this.options.config.warmup;
    if (operations.length === 0 || !this.warmupRunner || !this.engine) return Promise.resolve({ operations: 0, cached: 0, failed: 0 });
    const runner = this.warmupRunner;
    const versions = this.versions;
    this.warming ??= (async () => {
      // Entries stored before the mirror has a baseline (Redis still connecting) are checked against Redis until
      // confirmed: warmed then, the first loads would pay a round trip each, or miss. So wait for it, boundedly.
      await versions?.ready(WARMUP_WAITS_FOR_REDIS_MS);
      return runWarmup(operations, runner);
    })().finally(() => (this.warming = undefined));
    return this.warming;
  }

  /**
   * Calls `listener` with the tags of every invalidation, this instance's or another's heard over Redis (the API-key
   * revocations ride on these: auth/authenticator.ts); `onLost` when the cache's clock was lost and messages with it.
   * Nothing is ever called with the cache off.
   */
  onInvalidation(listener: (tags: readonly string[], origin: 'local' | 'remote') => void, onLost?: () => void): void {
    this.versions?.onInvalidation((tags, origin) => listener(tags, origin));
    if (onLost) this.versions?.onReset(onLost);
  }

  /**
   * How many entries of this instance's L1 carry any of `tags`, and how many of those are operation responses (the
   * rest are field values): what invalidating them now would make stale here. Call it before invalidating.
   */
  countTagged(tags: readonly string[]): { entries: number; operations: number } {
    const l1 = this.l1;
    if (!l1) return { entries: 0, operations: 0 };
    const keys = l1.keysTagged(tags, tags.includes(ALL_TAG));
    let operations = 0;
    for (const key of keys) if (key.startsWith(`${this.keys.namespace}:r:`)) operations += 1;
    return { entries: keys.size, operations };
  }

  /** ALL invalidates the tag every entry carries; TYPE a type tag; TAG one tag. No key is ever scanned. */
  async clear(scope: ClearScope, value: string | undefined): Promise<string[]> {
    const tag = scope === 'ALL' ? ALL_TAG : value!;
    await this.invalidate([tag]);
    return [tag];
  }

  snapshot() {
    const redisState = this.redis ? this.redis.state : 'off';
    const tiers = (['L1', 'L2'] as const).map((tier) => ({
      tier,
      ...this.stats.tiers[tier],
      entries: tier === 'L1' ? (this.l1?.entries ?? 0) : null,
      bytes: tier === 'L1' ? (this.l1?.bytes ?? 0) : null,
    }));
    const names = (rows: Map<string, { hits: number; misses: number }>) =>
      [...rows].map(([name, { hits, misses }]) => ({
        name,
        hits,
        misses,
        hitRate: hits + misses === 0 ? null : hits / (hits + misses),
      }));
    return {
      backend: this.backend,
      enabled: this.options.config.enabled,
      redis: {
        configured: this.redis !== undefined,
        state: redisState,
        subscribed: this.versions?.subscriptionLive ?? false,
        pendingReplay: this.versions?.pendingReplay ?? 0,
        lastError: this.redis?.lastError ?? null,
        nodes: this.redis?.nodes() ?? [],
      },
      tiers,
      fields: names(this.stats.fields.rows),
      operations: names(this.stats.operations.rows),
      invalidations: {
        events: this.stats.invalidationEvents,
        tags: this.stats.invalidatedTags,
        byTagCount: [...this.stats.invalidationsByTagCount]
          .sort(([a], [b]) => a - b)
          .map(([tagCount, events]) => ({ tagCount, events })),
        mirroredTags: this.versions?.mirrorSize ?? 0,
        deferred: this.versions?.invalidationsDeferred ?? 0,
      },
      consistency: {
        readAfterWrite: this.versions?.syncsReads ?? false,
        remoteChecks: this.versions?.syncsChecked ?? 0,
        rebaselines: this.versions?.rebaselines ?? 0,
        clockLosses: this.versions?.clockLosses ?? 0,
      },
      responseLatency: averages(this.stats.responseLatency),
      fieldLatency: averages(this.stats.fieldLatency),
      bypasses: this.stats.bypasses,
      discardedStale: this.stats.discardedStale,
      backgroundRefreshes: this.stats.backgroundRefreshes,
      ttls: this.policy.table(),
    };
  }

  /** Waits for background cache work (L2 writes, refreshes). Tests use it to make timing deterministic. */
  async settle(): Promise<void> {
    await this.engine?.settle();
  }

  async close(): Promise<void> {
    await this.warming?.catch(() => {});
    await this.engine?.settle();
    this.versions?.close();
    await this.redis?.close();
  }
}

/**
 * An allkeys-* eviction policy may evict the clock, which every instance then treats as lost: nothing cached before
 * is trusted, and everything is recomputed. volatile-* policies evict only keys with a TTL (entries, tag versions,
 * both safe to lose: docs/cache.md), noeviction none. Managed Redis may refuse CONFIG GET: then nothing is said.
 */
async function warnAboutRedisSettings(redis: RedisConnection, logger: CacheLogger): Promise<void> {
  const reply = await redis.call((client) => client.configGet('maxmemory-policy'));
  if (reply === FAILED) return;
  const policy = reply['maxmemory-policy'];
  if (policy?.startsWith('allkeys-')) {
    logger.warn('redis maxmemory-policy may evict the cache clock: use volatile-lru (or noeviction)', { policy });
  }
}
