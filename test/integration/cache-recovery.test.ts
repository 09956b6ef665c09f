// Redis losing things, and what the cache does about it (issue 9, parts 3 and 5). Two instances on one PostgreSQL and
// a private redis-server the test kills, flushes and edits:
//  - a dropped subscription (messages may have been missed) keeps L1: its entries are re-verified against Redis, and a
//    write made meanwhile is still seen;
//  - a lost clock (FLUSHALL, a restart without persistence, the clock key evicted) means nothing older is trusted;
//  - a version key evicted from Redis never makes an old entry valid again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeySpace } from '../../src/cache/keys.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { PrivateRedis, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { postgresUp, redisUp } from '../helpers/services.js';

const READ = `query($id: ID!) { dataset(id: $id) { id description quality { score } } }`;
const UPDATE = `mutation($id: ID!, $d: String!) { updateDataset(id: $id, input: { description: $d }) { id } }`;

describe.runIf(postgresUp && redisUp)('Redis loses things: the cache re-verifies or distrusts, never serves stale', () => {
  let redis: PrivateRedis;
  let a: TestApp;
  let b: TestApp;
  let writes = 0;
  const namespace = uniqueNamespace('recovery');
  const keys = new KeySpace(namespace);

  const env = () => ({ REDIS_URL: redis.url, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' });
  const subscribed = (app: TestApp) => waitFor(() => app.app.cache.snapshot().redis.subscribed, 10_000, 'the subscription');
  const read = async (app: TestApp, id: string) => {
    const result = await app.gql(READ, { id });
    expect(result.body.errors).toBeUndefined();
    return { description: result.body.data.dataset.description as string, cache: result.headers.get('x-beacon-cache') };
  };
  const write = async (app: TestApp, id: string) => {
    const description = `recovery ${++writes}`;
    const result = await app.gql(UPDATE, { id, d: description });
    expect(result.body.errors).toBeUndefined();
    return description;
  };
  /**
   * Reads until L1 answers: the first read computes, the next is a hit, unless the previous test's fault is only now
   * noticed by this instance (a lost clock is noticed at its next read), which voids what that read stored.
   */
  const warm = async (app: TestApp, id: string) => {
    let cache: string | null = null;
    for (let attempt = 0; attempt < 3 && cache !== 'HIT-L1'; attempt += 1) {
      await read(app, id);
      await app.app.cache.settle();
      cache = (await read(app, id)).cache;
    }
    expect(cache).toBe('HIT-L1');
  };

  beforeAll(async () => {
    redis = await PrivateRedis.create();
    await redis.start();
    a = await startTestApp({ database: 'postgres', env: env() });
    b = await startTestApp({ database: 'postgres', databaseUrl: a.databaseUrl, env: env() });
  });
  beforeEach(async () => {
    await Promise.all([subscribed(a), subscribed(b)]);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('keeps L1 when the subscription drops: entries are re-verified, and a write made meanwhile is seen', async () => {
    await warm(b, '1');
    await warm(b, '2');
    await redis.command(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    const description = await write(a, '1');
    expect((await read(b, '1')).description).toBe(description);
    // Dataset 2 did not change: still served from L1 (re-verified against Redis), not recomputed.
    expect((await read(b, '2')).cache).toBe('HIT-L1');
    await subscribed(b);
    expect((await read(b, '2')).cache).toBe('HIT-L1');
  });

  it('serves nothing computed before a FLUSHALL: a write after it is seen on the other instance', async () => {
    await warm(b, '3');
    await redis.command(['FLUSHALL']);
    const description = await write(a, '3');
    expect((await read(b, '3')).description).toBe(description);
  });

  it('serves nothing computed before Redis restarted empty: a write after it is seen on the other instance', async () => {
    await warm(b, '4');
    await redis.stop();
    await redis.start();
    await Promise.all([subscribed(a), subscribed(b)]);
    const description = await write(a, '4');
    expect((await read(b, '4')).description).toBe(description);
  });

  it('treats an evicted clock as lost: the other instance recomputes instead of trusting its L1', async () => {
    await warm(b, '5');
    await redis.command(['DEL', keys.clock]);
    const description = await write(a, '5');
    expect((await read(b, '5')).description).toBe(description);
  });

  it('never lets an evicted version key make an entry valid again', async () => {
    // A stores dataset 6's response in Redis; a write bumps its tag; then Redis evicts that tag's version key.
    await warm(a, '6');
    const description = await write(a, '6');
    await redis.command(['DEL', keys.tagVersion('Dataset:6')]);
    // A new instance has heard of no write: only Redis can tell it whether the stored entry is still valid.
    const c = await startTestApp({ database: 'postgres', databaseUrl: a.databaseUrl, env: env() });
    try {
      await subscribed(c);
      expect((await read(c, '6')).description).toBe(description);
    } finally {
      await c.close();
    }
  });
});
