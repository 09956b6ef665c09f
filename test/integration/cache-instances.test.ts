// Two instances on one Redis and one PostgreSQL database, with domain mutations: B serves from its L1, A writes,
// and B's next read returns the new data at once; B's L1 drops the affected entries within 100 ms, without being
// read (the invalidation reaches it over the Redis channel), while its unrelated entries stay.
import { stripIgnoredCharacters } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp } from '../helpers/app.js';
import { dropNamespace, startPair, uniqueNamespace } from '../helpers/cache.js';
import { postgresUp, REDIS_ENV, redisUp } from '../helpers/services.js';

// Anonymous callers see public data: their visibility is part of the key (auth/principal.ts visibilityScope).
const JSON_SCOPE = 'PUBLIC|vis:public|application/json; charset=utf-8';

describe.runIf(postgresUp && redisUp)('two instances on one Redis, domain mutations (postgres)', () => {
  const namespace = uniqueNamespace('instances');
  const env = { ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    ({ a, b } = await startPair(env, 10_000));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await dropNamespace(namespace);
  });

  async function data(t: TestApp, query: string, variables?: Record<string, unknown>): Promise<any> {
    const response = await t.gql(query, variables);
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response.body.data;
  }

  /** Reads on B until it answers from its own L1; returns the key of that entry. */
  async function warmOnB(query: string, variables: Record<string, unknown>): Promise<string> {
    await data(b, query, variables);
    const hit = await b.gql(query, variables);
    expect(hit.headers.get('x-beacon-cache')).toBe('HIT-L1');
    const key = b.app.cache.keys.response({ document: stripIgnoredCharacters(query), operationName: undefined, variables, audience: JSON_SCOPE });
    expect(b.app.cache.engine!.l1!.peek(key), 'the entry in B’s L1').toBeDefined();
    return key;
  }

  /**
   * Polls B's L1 (without reading through the cache, which would drop an invalid entry itself) until the entries
   * are gone; returns how long after `since` that was seen.
   */
  async function droppedFromL1(keys: string[], since: number): Promise<number> {
    const l1 = b.app.cache.engine!.l1!;
    for (;;) {
      if (keys.every((key) => l1.peek(key) === undefined)) return Date.now() - since;
      if (Date.now() - since > 2_000) throw new Error('B’s L1 still holds the entries 2 s after the write');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  it('completeTraining on A: B reads the completed run at once, and drops what depended on it within 100 ms', async () => {
    const unfinished = await data(a, `{ running: modelRuns(first: 100, status: RUNNING) { nodes { id taskType dataset { id } } }
      pending: modelRuns(first: 100, status: PENDING) { nodes { id taskType dataset { id } } } }`);
    const run = [...unfinished.running.nodes, ...unfinished.pending.nodes].find((node: any) => node.taskType === 'CLASSIFICATION');
    const completed = await data(a, `query($d: ID!) { modelRuns(datasetId: $d, first: 100, status: COMPLETED) { nodes { id } } }`, {
      d: run.dataset.id,
    });
    const other = completed.modelRuns.nodes[0].id;

    const RUN = `query($id: ID!) { modelRun(id: $id) { id status metrics { f1 } } }`;
    const COMPARE = `query($ids: [ID!]!) { compareModels(ids: $ids, metrics: [F1]) { metrics { values { run { id } value } } } }`;
    const RANKING = `query($d: ID!) { modelRanking(datasetId: $d, metric: F1, top: 3) { entries { value run { id } } } }`;
    const OTHER = `query($id: ID!) { modelRun(id: $id) { id status } }`;
    await warmOnB(RUN, { id: run.id });
    const dependent = [
      await warmOnB(COMPARE, { ids: [run.id, other] }),
      await warmOnB(RANKING, { d: run.dataset.id }),
    ];
    const unrelated = await warmOnB(OTHER, { id: other });

    const COMPLETE = `mutation($id: ID!) { completeTraining(id: $id, metrics: { f1: 0.99991 },
      featureImportance: [{ feature: "instances", importance: 1 }]) { id status } }`;
    expect((await data(a, COMPLETE, { id: run.id })).completeTraining.status).toBe('COMPLETED');
    // A's invalidation was published before its response: from then on, B reads the new state, and B's L1 lets go
    // of what depended on the run within 100 ms (in practice, before the response even arrives).
    const responded = Date.now();
    const [read, dropped] = await Promise.all([b.gql(RUN, { id: run.id }), droppedFromL1(dependent, responded)]);
    expect(read.headers.get('x-beacon-cache')).toBe('MISS');
    expect(read.body.data.modelRun).toEqual({ id: run.id, status: 'COMPLETED', metrics: { f1: 0.99991 } });
    expect(dropped).toBeLessThanOrEqual(100);
    expect(b.app.cache.engine!.l1!.peek(unrelated)).toBeDefined();
    expect((await b.gql(OTHER, { id: other })).headers.get('x-beacon-cache')).toBe('HIT-L1');
    // And B's recomputed answers hold the new state.
    const ranking = await data(b, RANKING, { d: run.dataset.id });
    expect(ranking.modelRanking.entries[0]).toEqual({ value: 0.99991, run: { id: run.id } });
  });

  it('updateDataset on A: B reads the new description at once, and drops the dataset’s entries within 100 ms', async () => {
    const listed = await data(a, `{ datasets(first: 2) { nodes { id } } }`);
    const [d, e] = listed.datasets.nodes.map((node: { id: string }) => node.id);
    const DETAIL = `query($d: ID!) { dataset(id: $d) { id description } }`;
    const LIST = `query($first: Int!) { datasets(first: $first) { nodes { id description } } }`;
    const SAMPLE = `query($d: ID!) { dataset(id: $d) { id sample(size: 2) } }`;
    await warmOnB(DETAIL, { d });
    const dependent = [await warmOnB(LIST, { first: 10 }), await warmOnB(SAMPLE, { d })];
    const unrelated = await warmOnB(SAMPLE, { d: e });

    const description = `from A at ${Date.now()}`;
    await data(a, `mutation($d: ID!, $description: String!) { updateDataset(id: $d, input: { description: $description }) { id } }`, {
      d,
      description,
    });
    const responded = Date.now();
    const [read, dropped] = await Promise.all([b.gql(DETAIL, { d }), droppedFromL1(dependent, responded)]);
    expect(read.headers.get('x-beacon-cache')).toBe('MISS');
    expect(read.body.data.dataset).toEqual({ id: d, description });
    expect(dropped).toBeLessThanOrEqual(100);
    expect(b.app.cache.engine!.l1!.peek(unrelated)).toBeDefined();
    expect((await b.gql(SAMPLE, { d: e })).headers.get('x-beacon-cache')).toBe('HIT-L1');
    expect((await data(b, LIST, { first: 10 })).datasets.nodes).toContainEqual({ id: d, description });
  });
});
