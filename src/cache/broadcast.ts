// Invalidation from a process that serves nothing, such as the import CLI. It takes the same path as a mutation on a
// running instance (versions.ts): it increments the Redis clock of CACHE_NAMESPACE, records the new value as the
// version of each tag, and publishes the tags on the invalidation channel. So every instance on that Redis and
// namespace drops its affected L1 entries as the message arrives, and rejects affected L2 entries through their tag
// versions. It opens one command client and no subscriber, because it does not listen. It never retries, and it
// closes what it opened before returning, so the calling process can exit as soon as its work is done.
//
// Without Redis there is nothing to reach: each server's L1 lives inside that server's process. The outcome
// 'no-redis' tells the caller so.
import type { CacheLogger, CacheOptions } from './options.js';
import { KeySpace } from './keys.js';
import { RedisConnection } from './redis-connection.js';
import { tagVersionTtlMs, Versions } from './versions.js';

export type BroadcastOutcome =
  /** Redis holds the new versions and the message went out: `version` is the clock value the tags now carry. */
  | { status: 'invalidated'; version: number }
  /** The cache is off (CACHE_ENABLED=false): servers keep nothing to invalidate. */
  | { status: 'cache-disabled' }
  /** No REDIS_URL nor REDIS_CLUSTER_NODES (or CACHE_L2=off): servers keep only an L1 each, and another process cannot reach it. */
  | { status: 'no-redis' }
  /** Redis could not be reached or did not answer in time; `reason` says why. Nothing was invalidated anywhere. */
  | { status: 'unreachable'; reason: string };

export interface BroadcastOptions {
  /**
   * Budget for connecting, and then for the invalidation's commands. The request path's budget
   * (CACHE_REDIS_TIMEOUT_MS, 50 ms by default) is short so that requests never wait. An offline process can afford
   * to wait longer: when the invalidation times out, stale entries stay until someone clears them.
   */
  budgetMs?: number;
}

const DEFAULT_BUDGET_MS = 2_000;

// Failures come back in the outcome, and the caller reports them in its own words.
const quiet: CacheLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Invalidates `tags` (at least one) on every instance that shares this cache configuration's Redis and namespace.
 * Resolves once Redis holds the new versions and the message is published; never throws.
 */
export async function broadcastInvalidation(
  config: CacheOptions,
  tags: readonly string[],
  options: BroadcastOptions = {},
): Promise<BroadcastOutcome> {
  if (!config.enabled) return { status: 'cache-disabled' };
  if (!(config.redisUrl || config.redisClusterNodes) || !config.l2) return { status: 'no-redis' };
  const budgetMs = Math.max(options.budgetMs ?? DEFAULT_BUDGET_MS, config.redisTimeoutMs);
  const target = config.redisClusterNodes ? { clusterNodes: config.redisClusterNodes } : { url: config.redisUrl };
  const redis = new RedisConnection({ ...target, timeoutMs: budgetMs, logger: quiet, reconnect: false });
  const versions = new Versions(new KeySpace(config.namespace), redis, { tagVersionTtlMs: tagVersionTtlMs(config), writeTimeoutMs: budgetMs });
  // Versions.invalidate fails open: when Redis does not take the bump, the tags are honoured locally and queued for
  // a replay that this process will not live to send. The version it reports is the only sign of success.
  let version: number | undefined;
  versions.onInvalidation((_tags, _origin, recorded) => (version = recorded));
  try {
    if (!(await redis.connectClient(budgetMs))) return { status: 'unreachable', reason: redis.lastError ?? 'no connection' };
    await versions.invalidate(tags);
    if (version === undefined) return { status: 'unreachable', reason: redis.lastError ?? `no answer within ${budgetMs} ms` };
    return { status: 'invalidated', version };
  } finally {
    versions.close();
    await redis.close();
  }
}
