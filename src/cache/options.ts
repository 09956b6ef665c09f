// What the cache needs from outside, in its own words: its settings (createApp maps the app's config to them) and a
// logger of four methods. The cache imports neither the config module nor the logging library, so it can be built
// (by a test, a script, the import CLI) from a plain object.

import type { WarmupOperation } from './warmup.js';

export interface CacheOptions {
  /** Off: no lookups, no stores, no invalidations (a baseline to measure). */
  readonly enabled: boolean;
  /** Prefix of every Redis key and channel; instances sharing it share entries and invalidations. */
  readonly namespace: string;
  /** One Redis; undefined: L1 only (unless redisClusterNodes is set). */
  readonly redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster (the rest are discovered); never set together with redisUrl. */
  readonly redisClusterNodes: readonly string[] | undefined;
  /** False ignores redisUrl and redisClusterNodes. */
  readonly l2: boolean;
  /** Bound of L1 in bytes; 0 disables L1. */
  readonly l1MaxBytes: number;
  /** Budget of one read-path Redis call; past it, the call counts as a miss. */
  readonly redisTimeoutMs: number;
  /** After expiry, an entry is served stale while one background refresh runs, for this long. */
  readonly staleWhileRevalidateMs: number;
  /** After expiry, an entry is kept for this long as the fallback when a recompute fails. */
  readonly staleIfErrorMs: number;
  /** No entry lives longer than this, whatever its hints say. */
  readonly maxTtlMs: number;
  /** Operations run at start and by warmCache (read and checked by the configuration); empty: none. */
  readonly warmup: readonly WarmupOperation[];
  /** With Redis, the lease that makes an expensive field computed by one instance at a time (lease.ts); 0: off. */
  readonly leaseMs: number;
  /** Before a read trusts an entry, sync with the Redis clock (versions.ts); false: the invalidation channel alone. */
  readonly readAfterWrite: boolean;
  /** How long a write waits for Redis to record its invalidation before honouring it locally. */
  readonly writeTimeoutMs: number;
  /** While Redis is unreachable, L1 keeps serving for this long, then every lookup misses. */
  readonly outageTrustMs: number;
}

/** The logger the cache writes to: message first, fields second (src/log.ts's Logger satisfies it). */
export interface CacheLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The fields that describe an error in a log line (the same shape as src/log.ts errorFields). */
export function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { err: { name: error.name, message: error.message, stack: error.stack } } : { err: String(error) };
}
