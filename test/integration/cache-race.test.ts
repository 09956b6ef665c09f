// The race of issue 3, over HTTP on a real PostgreSQL: in each round, readers keep reading a run, a comparison that
// includes it and its dataset's ranking (some through the caches, some refreshing them with Cache-Control: no-cache,
// so computations from old data are still finishing when the write lands) while completeTraining completes the run.
// No read that starts after the mutation's response arrived may show the old state. Once with L1 alone, once with
// L1 + Redis, and once with two instances on one Redis (the write on A, the readers on A and B).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { backendsOfThisPass, postgresUp, REDIS_ENV, redisUp, usesRedis } from '../helpers/services.js';

const ROUNDS = 30;
const namespaces = [uniqueNamespace('race'), uniqueNamespace('race-pair')];
const redisEnv = (namespace: string) => ({ ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' });
const backends = backendsOfThisPass([
  { name: 'L1 alone', env: {} as Record<string, string>, instances: 1 },
  ...(redisUp
    ? [
        { name: 'L1 + Redis', env: redisEnv(namespaces[0]!), instances: 1 },
        { name: 'two instances, L1 + Redis', env: redisEnv(namespaces[1]!), instances: 2 },
      ]
    : []),
]);

const RUN = `query($id: ID!) { modelRun(id: $id) { id status metrics { f1 } } }`;
const COMPARE = `query($ids: [ID!]!) { compareModels(ids: $ids, metrics: [F1]) { runs { id status } metrics { values { run { id } value } } } }`;
const RANKING = `query($d: ID!) { modelRanking(datasetId: $d, metric: F1, top: 50) { entries { value run { id } } } }`;
const START = `mutation($d: ID!, $name: String!) { startTraining(input: { datasetId: $d, name: $name, algorithm: "race",
  taskType: CLASSIFICATION }) { id status } }`;
const COMPLETE = `mutation($id: ID!, $f1: Float!) { completeTraining(id: $id, metrics: { f1: $f1 },
  featureImportance: [{ feature: "x", importance: 1 }]) { id status } }`;

type Kind = 'run' | 'compare' | 'ranking';

interface Read {
  kind: Kind;
  bypass: boolean;
  start: number;
  end: number;
  /** Whether the body shows the completed run with the round's f1; undefined for an error. */
  fresh: boolean | undefined;
  /** The x-beacon-cache header. */
  outcome: string | null;
  /** Which instance answered (0: the one that writes). */
  instance: number;
  body: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Runs completed so far in this file. */
let completions = 0;

describe.runIf(postgresUp)('no stale read after a write: readers racing completeTraining (postgres)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    if (redisUp) await Promise.all(namespaces.map((namespace) => dropNamespace(namespace)));
  });

  describe.each(backends)('$name', (backend) => {
    let t: TestApp;
    /** Where the readers read: t, and the second instance when there is one. */
    let readFrom: TestApp[];
    beforeAll(async () => {
      t = await startTestApp({ database: 'postgres', databaseUrl: database.url, env: backend.env });
      readFrom = [t];
      if (backend.instances === 2) readFrom.push(await startTestApp({ database: 'postgres', databaseUrl: database.url, env: backend.env }));
      if (usesRedis(backend.env)) {
        await waitFor(() => readFrom.every((app) => app.app.cache.snapshot().redis.subscribed), 10_000, 'the Redis subscriptions');
      }
    });
    afterAll(async () => {
      await Promise.all(readFrom?.slice(1).map((app) => app.close()) ?? []);
      await t?.close();
    });

    async function data(query: string, variables: Record<string, unknown>): Promise<any> {
      const response = await t.gql(query, variables);
      expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
      return response.body.data;
    }

    it(`shows no read that starts after the mutation response the old state (${ROUNDS} rounds)`, async () => {
      // A dataset with a completed classification run to compare against.
      const completed = await data(`{ modelRuns(first: 100, status: COMPLETED) { nodes { id taskType dataset { id } } } }`, {});
      const other = completed.modelRuns.nodes.find((run: any) => run.taskType === 'CLASSIFICATION');
      const d: string = other.dataset.id;

      const stale: (Read & { responded: number })[] = [];
      let readsAfter = 0;
      let inFlightAtResponse = 0;
      let total = 0;
      // One PENDING run per round, created up front.
      const runs: { id: string; status: string }[] = [];
      for (let round = 0; round < ROUNDS; round += 1) runs.push((await data(START, { d, name: `race-${round}` })).startTraining);
      expect(runs.every((run) => run.status === 'PENDING')).toBe(true);
      for (let round = 0; round < ROUNDS; round += 1) {
        const run = runs[round]!;
        // Above every seeded f1 and every earlier round's (of any backend: they share the dataset), so the run tops
        // the ranking once completed.
        completions += 1;
        const f1 = Number((0.95 + completions * 0.0005).toFixed(6));
        const isFresh: Record<Kind, (body: any) => boolean> = {
          run: (body) => body.modelRun.status === 'COMPLETED' && body.modelRun.metrics?.f1 === f1,
          compare: (body) =>
            body.compareModels.runs.some((r: any) => r.id === run.id && r.status === 'COMPLETED') &&
            body.compareModels.metrics[0].values.some((v: any) => v.run.id === run.id && v.value === f1),
          ranking: (body) => body.modelRanking.entries.some((e: any) => e.run.id === run.id && e.value === f1),
        };
        const requests: Record<Kind, [string, Record<string, unknown>]> = {
          run: [RUN, { id: run.id }],
          compare: [COMPARE, { ids: [other.id, run.id] }],
          ranking: [RANKING, { d }],
        };

        const reads: Read[] = [];
        let stop = false;
        const reader = async (kind: Kind, bypass: boolean, app: TestApp) => {
          while (!stop) {
            const [query, variables] = requests[kind];
            const start = performance.now();
            const response = await app.gql(query, variables, bypass ? { 'cache-control': 'no-cache' } : {});
            const end = performance.now();
            const fresh = response.body.errors ? undefined : isFresh[kind](response.body.data);
            reads.push({ kind, bypass, start, end, fresh, outcome: response.headers.get('x-beacon-cache'), instance: readFrom.indexOf(app), body: response.text });
          }
        };
        // Six readers per instance: each query through the caches, and each refreshing them (a computation from old
        // data still running when the write lands must not be stored, or must be stored born invalid).
        const kinds: Kind[] = ['run', 'compare', 'ranking'];
        const readers = readFrom.flatMap((app) => [...kinds.map((kind) => reader(kind, false, app)), ...kinds.map((kind) => reader(kind, true, app))]);
        // Let them warm the caches with the old state and keep reading.
        await waitFor(() => reads.length >= 8, 5_000, 'the readers to warm up');
        await sleep(round % 3);
        await data(COMPLETE, { id: run.id, f1 });
        const responded = performance.now();
        // Keep reading after the response: each query is read at least three more times.
        await waitFor(() => kinds.every((kind) => reads.filter((r) => r.kind === kind && r.start > responded).length >= 3), 5_000, 'reads after the write');
        stop = true;
        await Promise.all(readers);

        expect(reads.every((r) => r.fresh !== undefined), 'a read failed').toBe(true);
        for (const r of reads) {
          if (r.start > responded) {
            readsAfter += 1;
            if (!r.fresh) stale.push({ ...r, responded });
          } else if (r.end > responded) {
            inFlightAtResponse += 1;
          }
        }
        total += reads.length;
      }
      const discarded = readFrom.reduce((sum, app) => sum + app.app.cache.snapshot().discardedStale, 0);
      console.info(
        `[${backend.name}] ${ROUNDS} rounds: ${total} reads, ${readsAfter} started after the write's response, ` +
          `${inFlightAtResponse} in flight across it, ${discarded} computations discarded as born stale`,
      );
      expect(stale.map((r) => `${r.kind}${r.bypass ? ' (no-cache)' : ''} ${r.outcome} on ${r.instance}, ${(r.start - r.responded).toFixed(1)} ms after: ${r.body}`)).toEqual([]);
      expect(readsAfter).toBeGreaterThanOrEqual(ROUNDS * 9);
      // The race was real: reads were in flight when the write's response arrived.
      expect(inFlightAtResponse).toBeGreaterThan(0);
      // Counts, not time: two instances with twelve readers take over a minute on a loaded two-core machine.
    }, 240_000);
  });
});
