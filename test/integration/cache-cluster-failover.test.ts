// A Redis Cluster master killed (SIGKILL) under load on two instances: its replica is promoted (cluster-node-timeout
// 1000 ms), requests keep succeeding (fail open), no read returns data older than a write acknowledged before the
// read started, and L2 hits come back once the promoted replica serves. The master killed is the one holding the
// clock, the key every read syncs with and every write increments: the hardest one to lose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp } from '../helpers/app.js';
import { startPair, waitFor } from '../helpers/cache.js';
import { clusterToolsAvailable, TestRedisCluster } from '../helpers/redis-cluster.js';
import { postgresUp } from '../helpers/services.js';

const toolsUp = await clusterToolsAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(postgresUp && toolsUp)('a Redis Cluster failover under load (postgres)', () => {
  const namespace = 'failover-test';
  let cluster: TestRedisCluster;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    cluster = await TestRedisCluster.start();
    // A write's budget longer than a failover (node timeout 1 s, detection and election: ~3-4 s here), as
    // docs/scaling.md advises: a write during the failover waits for the promotion instead of being deferred.
    const env = {
      REDIS_CLUSTER_NODES: cluster.seeds,
      CACHE_NAMESPACE: namespace,
      CACHE_REDIS_TIMEOUT_MS: '200',
      CACHE_WRITE_TIMEOUT_MS: '10000',
    };
    ({ a, b } = await startPair(env, 15_000));
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await cluster?.stop();
  });

  it('kill the clock’s master: no failed request, no stale read, L2 hits back after the promotion', async () => {
    const READ = `query($id: ID!) { dataset(id: $id) { id description } }`;
    const WRITE = `mutation($id: ID!, $d: String!) { updateDataset(id: $id, input: { description: $d }) { id } }`;
    const instances = [a, b];
    let acknowledged = 0;
    let written = 0;
    let requests = 0;
    let failed = 0;
    const stale: string[] = [];
    let running = true;
    const failures: string[] = [];

    const reader = async (which: number) => {
      for (let i = 0; running; i++) {
        const t = instances[(which + i) % 2]!;
        const floor = acknowledged;
        const response = await t.gql(READ, { id: '9' });
        requests += 1;
        if (response.status !== 200 || response.body.errors) {
          failed += 1;
          failures.push(response.text.slice(0, 200));
          continue;
        }
        const seen = Number(/^v(\d+)$/.exec(response.body.data.dataset.description ?? '')?.[1] ?? 0);
        if (seen < floor) stale.push(`${t === a ? 'A' : 'B'} read v${seen} after v${floor} was acknowledged`);
      }
    };
    const writer = async () => {
      for (let i = 0; running; i++) {
        const version = (written += 1);
        const response = await instances[i % 2]!.gql(WRITE, { id: '9', d: `v${version}` });
        requests += 1;
        if (response.status !== 200 || response.body.errors) {
          failed += 1;
          failures.push(response.text.slice(0, 200));
        } else if (version > acknowledged) acknowledged = version;
        await sleep(20);
      }
    };

    const load = Promise.all([writer(), ...Array.from({ length: 12 }, (_, i) => reader(i))]);
    await sleep(1_500);
    const clockMaster = await cluster.masterOf(`${namespace}:clock`);
    const killedAt = Date.now();
    const requestsBefore = requests;
    await cluster.kill(clockMaster);
    // Its replica is promoted once the others agree it failed (node timeout 1 s + election): three live masters again.
    await cluster.waitForMasters(3, 20_000);
    const promotedAt = Date.now();

    // Under the same load, L2 hits again: an entry computed on A after the promotion is served to B from L2. The
    // issue asks for this within 5 s of the promotion; measured here 0.1-0.5 s (docs/scaling.md), so the 20 s bound
    // below only catches "never", not a slow machine.
    let l2BackMs = 0;
    let probe = 0;
    await waitFor(
      async () => {
        const id = String(10 + (probe++ % 25));
        const query = `query($id: ID!, $p: Int) { dataset(id: $id) { id name rowCount sample(size: $p) } }`;
        await a.gql(query, { id, p: probe });
        await a.app.cache.settle();
        const served = (await b.gql(query, { id, p: probe })).headers.get('x-beacon-cache');
        l2BackMs = Date.now() - promotedAt;
        return served === 'HIT-L2';
      },
      20_000,
      'an L2 hit on B after the promotion',
    );
    await sleep(1_000);
    running = false;
    await load;
    const seconds = (Date.now() - killedAt) / 1000;

    const stats = a.app.cache.snapshot();
    console.info(
      `[failover] killed master :${clockMaster}; promotion seen ${promotedAt - killedAt} ms later; ` +
        `${requests - requestsBefore} requests in ${seconds.toFixed(1)} s after the kill (${((requests - requestsBefore) / seconds).toFixed(0)}/s), ` +
        `${requests} in all, ${failed} failed, ${stale.length} stale; ${written} writes; L2 hits back ${l2BackMs} ms after the promotion; ` +
        `A: clockLosses ${stats.consistency.clockLosses}, rebaselines ${stats.consistency.rebaselines}, deferred ${stats.invalidations.deferred}`,
    );
    expect(failures).toEqual([]);
    expect(stale).toEqual([]);
    expect(written).toBeGreaterThan(10);
    // Every master answers again in A's view (the promoted replica replaced the dead one).
    await waitFor(() => a.app.cache.snapshot().redis.nodes.every((node) => node.state === 'ready'), 10_000, 'every master ready in A’s view');
    expect(a.app.cache.snapshot().redis.nodes.map((node) => node.address)).not.toContain(`127.0.0.1:${clockMaster}`);
  }, 120_000);
});
