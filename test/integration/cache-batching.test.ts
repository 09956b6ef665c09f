// With Redis as L2, the field-cache lookups of one execution level go to Redis as one batch and come back together,
// so the computations behind the misses start in the same tick and the DataLoaders batch exactly as without Redis.
// Real PostgreSQL and Redis. Three apps share one database: A and B on one Redis namespace, M on L1 alone (the
// count to match).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { postgresUp, REDIS_ENV, redisUp } from '../helpers/services.js';

const nPlusOne = (first: number, topN: number) =>
  `{ modelRuns(first: ${first}) { nodes { id dataset { name } metrics { f1 } featureImportance(topN: ${topN}) { feature importance } } } }`;
const NO_CACHE = { 'cache-control': 'no-cache' };

async function subscribed(t: TestApp): Promise<void> {
  await waitFor(() => t.app.cache.snapshot().redis.subscribed, 10_000, 'the Redis subscription');
}

describe.runIf(postgresUp && redisUp)('field-cache lookups batched per tick (postgres + Redis)', () => {
  const namespace = uniqueNamespace('batch');
  // A generous budget: this file is about batching, not timeouts, and a loaded machine must not turn reads into misses.
  const env = { ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' };
  let a: TestApp;
  let m: TestApp;
  let b: TestApp | undefined;

  /** Statements of one request that the response cache does not answer (it still executes). */
  async function coldCount(t: TestApp, query: string): Promise<{ statements: number; body: any }> {
    let body: any;
    const statements = await t.countStatements(async () => {
      const response = await t.gql(query, undefined, NO_CACHE);
      expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
      body = response.body.data;
    });
    return { statements, body };
  }

  /**
   * Opens a few pooled connections: a connection's first use sends a `set statement_timeout` that the statement
   * counter sees, which would blur the counts. Uses a topN no test measures, so the measured entries stay cold.
   */
  async function warmPool(t: TestApp): Promise<void> {
    await Promise.all([1, 2, 3].map(() => t.gql(nPlusOne(100, 1), undefined, NO_CACHE)));
  }

  beforeAll(async () => {
    a = await startTestApp({ database: 'postgres', env });
    m = await startTestApp({ database: 'postgres', databaseUrl: a.databaseUrl });
    await subscribed(a);
    await Promise.all([warmPool(a), warmPool(m)]);
  });
  afterAll(async () => {
    await b?.close();
    await m?.close();
    await a?.close();
    await dropNamespace(namespace);
  });

  it('resolves 100 runs with dataset, metrics and top features in 3 statements cold, as without Redis', async () => {
    const query = nPlusOne(100, 5);
    const memory = await coldCount(m, query);
    const redis = await coldCount(a, query);
    console.info(`[postgres] N+1 query cold: ${memory.statements} statements with L1 alone, ${redis.statements} with Redis`);
    expect(memory.statements).toBeLessThanOrEqual(3);
    expect(redis.statements).toBeLessThanOrEqual(3);
    expect(redis.statements).toBe(memory.statements);
    expect(redis.body).toEqual(memory.body);
    expect(redis.body.modelRuns.nodes.some((node: any) => node.featureImportance.length === 5)).toBe(true);
    // Every featureImportance lookup was a miss in both tiers, and all of them went to Redis in one round trip.
    const fields = a.app.cache.snapshot().fields.find((row) => row.name === 'ModelRun.featureImportance');
    expect(fields?.misses).toBeGreaterThanOrEqual(100);
  });

  it('keeps the batch whole when some entries in L2 are valid, some invalidated and some absent', async () => {
    // A stores the top-3 features of the newest 50 runs in Redis, then 25 of those runs change.
    const newest = (await a.gql(nPlusOne(50, 3))).body.data.modelRuns.nodes as { id: string }[];
    await a.app.cache.settle();
    const changed = newest.filter((_, index) => index % 2 === 0).map((run) => `ModelRun:${run.id}`);
    await a.app.cache.invalidate(changed);
    // B starts afterwards: every entry A stored is older than B's baseline, so B checks each one's tag versions in
    // Redis (one more round trip) before it knows whether it is a hit. The misses behind those checks and the misses
    // of absent entries must still compute in the same tick.
    b = await startTestApp({ database: 'postgres', databaseUrl: a.databaseUrl, env });
    await subscribed(b);
    await warmPool(b);
    const query = nPlusOne(100, 3);
    const before = b.app.cache.snapshot().fields.find((row) => row.name === 'ModelRun.featureImportance');
    const redis = await coldCount(b, query);
    const memory = await coldCount(m, query);
    console.info(`[postgres] N+1 query, L2 mixed: ${memory.statements} statements with L1 alone, ${redis.statements} with Redis`);
    expect(redis.statements).toBeLessThanOrEqual(3);
    expect(redis.statements).toBe(memory.statements);
    expect(redis.body).toEqual(memory.body);
    const after = b.app.cache.snapshot().fields.find((row) => row.name === 'ModelRun.featureImportance')!;
    expect(after.hits - (before?.hits ?? 0)).toBe(25); // the 25 unchanged runs
    expect(after.misses - (before?.misses ?? 0)).toBe(75); // 25 invalidated + 50 never stored
  });

  it('answers a warm L2 from one batch: no statement for the cached features', async () => {
    const query = nPlusOne(100, 3);
    await b!.app.cache.settle();
    // Read through A: its L1 holds the 25 entries that stayed valid; the other 75 (stored by B) come from Redis,
    // in one batch.
    const warm = await coldCount(a, query);
    expect(warm.statements).toBeLessThanOrEqual(2); // the page and the datasets; every feature list is a hit
  });
});
