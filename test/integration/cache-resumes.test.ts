// Caching resumes after writes (issue 9, part 1). A response built from cached field entries (quality, sample,
// featureImportance ...) computed before a write, and from data read after it, is valid as long as no tag of either
// part changed after the part was read: validity is judged per tag, not by the oldest part. Before, such a response
// was refused ("invalidated while it was computed") until the field entries expired, and every repeat was a miss.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { DASHBOARD, MODELS } from '../helpers/chaos.js';
import { backendsOfThisPass, postgresUp, REDIS_ENV, redisUp, usesRedis } from '../helpers/services.js';

const SPORTS = `{ datasets(first: 5, category: "Sports") { nodes { id quality { score } } } }`;

const UPDATE = `mutation($id: ID!, $d: String!) { updateDataset(id: $id, input: { description: $d }) { id } }`;
const APPEND = `mutation($id: ID!) { appendDatasetRows(id: $id, rows: [{}]) { rowCount } }`;
const START = `mutation($d: ID!, $name: String!) { startTraining(input: { datasetId: $d, name: $name, algorithm: "xgboost",
  taskType: CLASSIFICATION }) { id } }`;

const namespace = uniqueNamespace('resumes');
const backends = backendsOfThisPass([
  { name: 'L1 alone', env: {} as Record<string, string> },
  ...(redisUp ? [{ name: 'L1 + Redis', env: { ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' } }] : []),
]);

describe.runIf(postgresUp).each(backends)('caching resumes after writes ($name)', ({ env }) => {
  let api: TestApp;
  let writes = 0;
  beforeAll(async () => {
    api = await startTestApp({ database: 'postgres', env });
    // Until the invalidation channel is subscribed, nothing is trusted to L1 (a Redis Cluster takes a little longer).
    if (usesRedis(env)) await waitFor(() => api.app.cache.snapshot().redis.subscribed, 10_000, 'the Redis subscription');
  });
  afterAll(async () => {
    await api?.close();
    if (usesRedis(env)) await dropNamespace(namespace);
  });

  const outcome = async (query: string) => {
    const result = await api.gql(query);
    expect(result.body.errors).toBeUndefined();
    return { cache: result.headers.get('x-beacon-cache'), text: result.text };
  };

  /** Warms `query`, runs `write`, then reads twice: the second read is a hit with the bytes of a fresh computation. */
  async function resumesAfter(query: string, write: () => Promise<void>) {
    await outcome(query);
    expect((await outcome(query)).cache).toBe('HIT-L1');
    await write();
    await api.app.cache.settle();
    const first = await outcome(query);
    const second = await outcome(query);
    expect(second.cache).toBe('HIT-L1');
    // Exact: the entry served is what the data says now.
    const fresh = await api.gql(query, undefined, { 'cache-control': 'no-cache' });
    expect(second.text).toBe(fresh.text);
    expect(first.text).toBe(fresh.text);
    return first.cache;
  }

  const update = (id: string) => async () => {
    const result = await api.gql(UPDATE, { id, d: `changed ${++writes}` });
    expect(result.body.errors).toBeUndefined();
  };

  it('serves a query built from cached fields as a hit again after a write to another dataset', async () => {
    // Sports datasets are 11, 25, 39 in the test seed; dataset 2 is Education.
    expect(await resumesAfter(SPORTS, update('2'))).toBe('MISS');
  });

  it('serves the README Dashboard query as a hit from its second repeat after updateDataset and appendDatasetRows', async () => {
    await resumesAfter(DASHBOARD, update('3'));
    await resumesAfter(DASHBOARD, async () => {
      const result = await api.gql(APPEND, { id: '6' });
      expect(result.body.errors).toBeUndefined();
    });
  });

  it('serves the README Models query as a hit from its second repeat after startTraining on its dataset', async () => {
    await resumesAfter(MODELS, async () => {
      const result = await api.gql(START, { d: '7', name: `resume-${++writes}` });
      expect(result.body.errors).toBeUndefined();
    });
  });

  it('recomputes only the list after a write to another dataset: every quality entry stays a hit', async () => {
    await outcome(SPORTS);
    const qualityMisses = async () => {
      const fields = (await api.gql('{ cacheStats { fields { name misses } } }')).body.data.cacheStats.fields;
      return fields.find((row: { name: string }) => row.name === 'Dataset.quality')?.misses ?? 0;
    };
    const before = await qualityMisses();
    await update('4')();
    const recompute = await outcome(SPORTS);
    expect(recompute.cache).toBe('MISS');
    expect(await qualityMisses()).toBe(before);
    expect((await outcome(SPORTS)).cache).toBe('HIT-L1');
  });
});
