// Beacon on a real Redis Cluster (3 masters + 3 replicas on loopback, started and removed by the test): two instances
// share entries through L2, a write on one is seen by the next read on the other, the lease single-flights an
// expensive field across instances, the invalidation channel is sharded (SSUBSCRIBE on one slot's master), and
// cacheStats shows every master.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apq } from '../helpers/apq.js';
import { type TestApp } from '../helpers/app.js';
import type { CacheService } from '../../src/cache/service.js';
import { createTestCache, requestFieldCache, startPair, waitFor } from '../helpers/cache.js';
import { clusterToolsAvailable, TestRedisCluster } from '../helpers/redis-cluster.js';
import { postgresUp, servicesRequired } from '../helpers/services.js';

const toolsUp = await clusterToolsAvailable();
if (!toolsUp) {
  if (servicesRequired) throw new Error('redis-server and redis-cli are needed for the Redis Cluster tests, and REQUIRE_SERVICES=1 requires them');
  console.warn('skipping the Redis Cluster tests: redis-server or redis-cli is not installed');
}

describe.runIf(postgresUp && toolsUp)('two instances on a Redis Cluster (postgres)', () => {
  let cluster: TestRedisCluster;
  let a: TestApp;
  let b: TestApp;
  const namespace = 'cluster-test';

  beforeAll(async () => {
    cluster = await TestRedisCluster.start();
    const env = { REDIS_CLUSTER_NODES: cluster.seeds, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' };
    ({ a, b } = await startPair(env, 15_000));
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await cluster?.stop();
  });

  async function data(t: TestApp, query: string, variables?: Record<string, unknown>): Promise<any> {
    const response = await t.gql(query, variables);
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response.body.data;
  }

  it('reports the cluster backend and every master as ready', async () => {
    const stats = await data(a, '{ cacheStats { backend redis { state subscribed nodes { address role state } } } }');
    expect(stats.cacheStats.backend).toBe('redis-cluster');
    expect(stats.cacheStats.redis.state).toBe('ready');
    expect(stats.cacheStats.redis.subscribed).toBe(true);
    expect(stats.cacheStats.redis.nodes).toHaveLength(3);
    expect(stats.cacheStats.redis.nodes.every((node: any) => node.role === 'master' && node.state === 'ready')).toBe(true);
  });

  it('an entry computed on A is served to B from L2, without SQL on B', async () => {
    const QUERY = `query($id: ID!) { dataset(id: $id) { id name rowCount } }`;
    const first = await a.gql(QUERY, { id: '3' });
    expect(first.headers.get('x-beacon-cache')).toBe('MISS');
    await a.app.cache.settle();
    let served: string | null = null;
    const statements = await b.countStatements(async () => {
      served = (await b.gql(QUERY, { id: '3' })).headers.get('x-beacon-cache');
    });
    expect(served).toBe('HIT-L2');
    expect(statements).toBe(0);
  });

  it('a write through A is seen by the next read on B (read after write across instances)', async () => {
    const QUERY = `query($id: ID!) { dataset(id: $id) { id description } }`;
    await data(b, QUERY, { id: '5' });
    expect((await b.gql(QUERY, { id: '5' })).headers.get('x-beacon-cache')).toBe('HIT-L1');
    for (let round = 0; round < 20; round++) {
      const description = `cluster round ${round}`;
      await data(a, `mutation($id: ID!, $d: String!) { updateDataset(id: $id, input: { description: $d }) { id } }`, { id: '5', d: description });
      expect((await data(b, QUERY, { id: '5' })).dataset.description).toBe(description);
      // And B caches the new value again: the next read is a hit.
      expect((await b.gql(QUERY, { id: '5' })).headers.get('x-beacon-cache')).toMatch(/^HIT/);
    }
  });

  it('an expensive field missed on two instances at once is computed once (the lease, across instances)', async () => {
    const env = { REDIS_CLUSTER_NODES: cluster.seeds, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' };
    const [first, second] = [createTestCache(env), createTestCache(env)];
    try {
      await waitFor(() => first.snapshot().redis.subscribed && second.snapshot().redis.subscribed, 15_000, 'both subscriptions');
      let computes = 0;
      let finish: () => void = () => {};
      const held = new Promise<void>((done) => (finish = done));
      const resolve = (cache: CacheService) =>
        requestFieldCache(cache).fieldCache.resolve('assessment', { id: 'cluster-lease' }, async () => {
          computes += 1;
          await held;
          return { multiplier: 1.5 };
        });
      // The second instance asks while the first computes (and holds the lease): it waits for the entry.
      const onFirst = resolve(first);
      await waitFor(() => computes === 1, 10_000, 'the first computation');
      const onSecond = resolve(second);
      setTimeout(finish, 200);
      expect(await Promise.all([onFirst, onSecond])).toEqual([{ multiplier: 1.5 }, { multiplier: 1.5 }]);
      expect(computes).toBe(1);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('a persisted query registered through A is answered by B on the first try', async () => {
    expect((await apq(a, { id: '6' }, true)).body.data.dataset.id).toBe('6');
    const onB = await apq(b, { id: '6' }, false);
    expect(onB.body.errors).toBeUndefined();
    expect(onB.body.data.dataset.id).toBe('6');
  });
});
