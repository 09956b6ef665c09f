// Stale-if-error through a slow Redis: on a loaded machine the clock read of a lookup can miss its read budget. That
// lookup must miss (it cannot prove the entry valid), but it must not throw the entry away: when the recompute then
// fails (the database is down), the stale-if-error fallback waits longer for Redis, verifies the entry and serves it.
// Found by the chaos test under load: entries dropped in a slow moment left reads failing while the database was down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosCluster, type Instances } from '../helpers/chaos.js';
import { postgresUp, redisUp } from '../helpers/services.js';

const QUERY = 'query Names { datasets(first: 3) { nodes { id name } } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(postgresUp && redisUp)('stale-if-error when Redis is slow and the database is down', () => {
  let cluster: ChaosCluster;
  let one: Instances;

  beforeAll(async () => {
    cluster = await ChaosCluster.start({ label: 'sie' });
    // Entries expire after 1 s and are kept an hour as a fallback; no stale-while-revalidate.
    one = await cluster.startInstances(
      { CACHE_MAX_TTL_SECONDS: '1', CACHE_STALE_WHILE_REVALIDATE_SECONDS: '0', CACHE_STALE_IF_ERROR_SECONDS: '3600' },
      1,
    );
  });
  afterAll(async () => {
    await cluster?.restoreDatabase();
    await cluster?.close();
  });

  it('keeps an entry Redis could not vouch for in time, and serves it STALE when the recompute fails', async () => {
    const app = one.apps[0]!;
    const first = await app.gql(QUERY);
    expect(first.headers.get('x-beacon-cache')).toBe('MISS');
    await app.app.cache.settle();
    // Stored even if Redis was too slow to vouch for it at that moment (every read checks it again anyway).
    expect(app.app.cache.snapshot().tiers.find((t) => t.tier === 'L1')?.entries).toBeGreaterThan(0);
    await sleep(1_100); // expired: only the stale-if-error fallback may serve it now

    // Only this instance's L1 holds the entry (as if Redis had evicted its copy, if it had one).
    const responseKeys = (await cluster.redis.command(['KEYS', `*${one.namespace}:r:*`])) as string[];
    if (responseKeys.length > 0) await cluster.redis.command(['DEL', ...responseKeys]);

    await cluster.stopDatabase();
    // Redis stalls for 600 ms: the lookup's clock read misses its read budget (and opens the breaker).
    await cluster.redis.command(['CLIENT', 'PAUSE', '600', 'ALL']);
    const during = await app.gql(QUERY);
    await cluster.restoreDatabase();

    // On failure, what the cache saw of Redis says why (a reconnect, a lost clock, the breaker).
    const why = during.body.errors && JSON.stringify({ errors: during.body.errors, redis: app.app.cache.snapshot().redis });
    expect(why).toBeUndefined();
    expect(during.headers.get('x-beacon-cache')).toBe('STALE');
    expect(during.text).toBe(first.text);
  });
});
