// The cache with Redis as L2, through HTTP: two instances sharing one Redis, and a private redis-server (no
// persistence) that the tests kill, restart, pause, or start late. L1 is switched off where a test needs to see L2
// at work (every hit is then HIT-L2).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseChoices, startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, PrivateRedis, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { postgresUp, REDIS_ENV, redisMode, redisUp, singleNodeOnly } from '../helpers/services.js';

const database = databaseChoices(postgresUp)[0]!;
const ADMIN_TOKEN = 'test-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
// checkedAt (millisecond precision) tells a recomputed report from the stored one; uptimeSeconds could coincide.
const HEALTH = '{ health { ok version checkedAt } }';

async function subscribed(t: TestApp): Promise<void> {
  await waitFor(async () => (await t.gql('{ cacheStats { redis { subscribed } } }')).body.data?.cacheStats.redis.subscribed === true, 10_000, 'the Redis subscription');
}

describe.runIf(redisUp)(`two instances on one Redis (${database})`, () => {
  const namespace = uniqueNamespace('pair');
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // A generous budget: these tests are about sharing, not about timeouts, and CI machines are busy.
    const env = { ...REDIS_ENV, CACHE_NAMESPACE: namespace, ADMIN_TOKEN, CACHE_REDIS_TIMEOUT_MS: '1000' };
    [a, b] = await Promise.all([startTestApp({ database, seed: 'none', env }), startTestApp({ database, seed: 'none', env })]);
    await Promise.all([subscribed(a), subscribed(b)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await dropNamespace(namespace);
  });

  it('runs on the Redis of this pass (one redis-server, or the Redis Cluster of the cluster pass)', async () => {
    const stats = (await a.gql('{ cacheStats { backend redis { state nodes { role state } } } }')).body.data.cacheStats;
    expect(stats.backend).toBe(redisMode === 'cluster' ? 'redis-cluster' : 'redis');
    if (redisMode === 'cluster') expect(stats.redis.nodes.filter((node: { role: string }) => node.role === 'master')).toHaveLength(3);
  });

  it('serves B from the entry A stored, and a write on A is seen by the next read on B', async () => {
    const miss = await a.gql(HEALTH);
    expect(miss.headers.get('x-beacon-cache')).toBe('MISS');
    await a.app.cache.settle();
    const fromL2 = await b.gql(HEALTH);
    expect(fromL2.headers.get('x-beacon-cache')).toBe('HIT-L2');
    expect(fromL2.text).toBe(miss.text);
    expect((await b.gql(HEALTH)).headers.get('x-beacon-cache')).toBe('HIT-L1');
    await a.gql('mutation { clearCache(scope: ALL) { invalidated } }', undefined, admin);
    const after = await b.gql(HEALTH);
    expect(after.headers.get('x-beacon-cache')).toBe('MISS');
    expect(Date.parse(after.body.data.health.checkedAt)).toBeGreaterThan(Date.parse(miss.body.data.health.checkedAt));
  });

  it("drops B's L1 copy within 100 ms of an invalidation on A", async () => {
    const query = '{ health { version } }';
    await b.gql(query);
    expect((await b.gql(query)).headers.get('x-beacon-cache')).toBe('HIT-L1');
    const key = b.app.cache.keys.response({ document: '{health{version}}', operationName: undefined, variables: {}, audience: 'PUBLIC|vis:public|application/json; charset=utf-8' });
    expect(b.app.cache.engine!.l1!.peek(key)).toBeDefined();
    const started = Date.now();
    await a.app.cache.clear('ALL', undefined);
    await waitFor(() => b.app.cache.engine!.l1!.peek(key) === undefined, 100, "B's L1 entry to drop");
    expect(Date.now() - started).toBeLessThanOrEqual(100);
  });
});

describe.runIf(redisUp && singleNodeOnly('the Redis failures suite kills, pauses and restarts a redis-server of its own'))(`Redis failures (${database})`, () => {
  let redis: PrivateRedis;
  let t: TestApp | undefined;
  beforeAll(async () => {
    redis = await PrivateRedis.create();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await redis.stop();
  });

  const start = (env: Record<string, string> = {}) =>
    startTestApp({
      database,
      seed: 'none',
      env: { REDIS_URL: redis.url, CACHE_NAMESPACE: uniqueNamespace('fail'), CACHE_L1_MAX_BYTES: '0', CACHE_REDIS_TIMEOUT_MS: '1000', ...env },
    });

  it('keeps answering while Redis is killed and restarted, and L2 hits resume by themselves', async () => {
    await redis.start();
    t = await start();
    await subscribed(t);
    await t.gql(HEALTH);
    await t.app.cache.settle();
    expect((await t.gql(HEALTH)).headers.get('x-beacon-cache')).toBe('HIT-L2');
    await redis.stop();
    const during = await Promise.all(Array.from({ length: 20 }, () => t!.gql(HEALTH)));
    expect(during.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(during.every((response) => response.body.errors === undefined)).toBe(true);
    await redis.start();
    await subscribed(t);
    await waitFor(async () => {
      await t!.app.cache.settle();
      return (await t!.gql(HEALTH)).headers.get('x-beacon-cache') === 'HIT-L2';
    }, 10_000, 'L2 hits to resume');
  });

  it('never makes a request wait for a paused Redis to come back', async () => {
    await redis.start();
    t = await start({ CACHE_REDIS_TIMEOUT_MS: '50' });
    await subscribed(t);
    await t.gql(HEALTH);
    // Not a latency assertion (a loaded machine decides those): the pause is far longer than ten requests take when
    // none waits, so all ten finishing inside it shows that none waited for Redis (each gave up after its 50 ms
    // budget, then the breaker skipped Redis).
    const PAUSE_MS = 8_000;
    const pausedAt = performance.now();
    await redis.command(['CLIENT', 'PAUSE', String(PAUSE_MS)]);
    for (let i = 0; i < 10; i += 1) {
      const response = await t.gql(i % 2 === 0 ? HEALTH : '{ health { ok } }');
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
    }
    expect(performance.now() - pausedAt).toBeLessThan(PAUSE_MS);
    const stats = await t.gql('{ cacheStats { tiers { tier errors } } }');
    expect(stats.body.data.cacheStats.tiers[1].errors).toBeGreaterThan(0);
    // Answered once the pause is over: the next test starts with Redis serving.
    await redis.command(['PING']);
  });

  it('starts without Redis, and uses it once it comes up', async () => {
    const startedAt = Date.now();
    t = await start();
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const without = await t.gql(HEALTH);
    expect(without.status).toBe(200);
    expect(without.headers.get('x-beacon-cache')).toBe('MISS');
    await redis.start();
    await subscribed(t);
    await t.gql(HEALTH);
    await t.app.cache.settle();
    expect((await t.gql(HEALTH)).headers.get('x-beacon-cache')).toBe('HIT-L2');
  });
});
