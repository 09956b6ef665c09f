// Training-job writes through HTTP, on a real PostgreSQL and on the embedded database: checked state transitions,
// all-or-nothing writes, and the tags each write invalidates and each read records.
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldCache } from '../../src/cache/field-cache.js';
import { createRequestContext, type RequestContext } from '../../src/graphql/context.js';
import { createRepositories } from '../../src/graphql/domains.js';
import { loadTypeDefs, schemaResolvers } from '../../src/graphql/schema.js';
import { ModelRunRepository } from '../../src/models/repository.js';
import { databaseChoices, startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const RUN = `id status taskType error startedAt completedAt updatedAt hyperparameters dataset { id }
  metrics { accuracy f1 logLoss rmse r2 } featureImportance(topN: 100) { feature importance rank }`;

const START = `mutation($input: StartTrainingInput!) { startTraining(input: $input) { ${RUN} } }`;
const COMPLETE = `mutation($id: ID!, $metrics: ModelMetricsInput!, $features: [FeatureImportanceInput!]!) {
  completeTraining(id: $id, metrics: $metrics, featureImportance: $features) { ${RUN} } }`;
const FAIL = `mutation($id: ID!, $error: String!) { failTraining(id: $id, error: $error) { ${RUN} } }`;
const DELETE = `mutation($id: ID!) { deleteModelRun(id: $id) { id deleted } }`;
const GET = `query($id: ID!) { modelRun(id: $id) { ${RUN} } }`;

const FEATURES = [
  { feature: 'amount_log', importance: 0.2 },
  { feature: 'region=north', importance: 0.5 },
  { feature: 'age', importance: 0.3 },
];

describe.each(databaseChoices(postgresUp))('model run mutations on %s', (database) => {
  let t: TestApp;

  async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await t.gql<T>(query, variables);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    return res.body.data as T;
  }

  async function errorOf(query: string, variables?: Record<string, unknown>) {
    const res = await t.gql(query, variables);
    expect(res.body.errors, 'expected an error').toBeDefined();
    const [error] = res.body.errors!;
    return { code: error.extensions?.code, message: error.message, data: res.body.data };
  }

  async function startRun(overrides: Record<string, unknown> = {}) {
    const input = { datasetId: '3', name: 'candidate', algorithm: 'xgboost', taskType: 'CLASSIFICATION', ...overrides };
    return (await data(START, { input })).startTraining;
  }

  const getRun = async (id: string) => (await data(GET, { id })).modelRun;

  beforeAll(async () => {
    t = await startTestApp({ database });
  });
  afterAll(() => t?.close());

  describe('startTraining', () => {
    it('creates a PENDING run at the head of its dataset list and of all runs', async () => {
      const run = await startRun({ hyperparameters: { max_depth: 6, eta: 0.1 } });
      expect(run).toMatchObject({
        status: 'PENDING', taskType: 'CLASSIFICATION', error: null, startedAt: null, completedAt: null,
        hyperparameters: { max_depth: 6, eta: 0.1 }, dataset: { id: '3' }, metrics: null, featureImportance: [],
      });
      const lists = await data(`{ mine: modelRuns(first: 1, datasetId: "3") { nodes { id } }
        all: modelRuns(first: 1) { nodes { id } } }`);
      expect(lists.mine.nodes[0].id).toBe(run.id);
      expect(lists.all.nodes[0].id).toBe(run.id);
    });

    it('stores empty hyperparameters when none are given', async () => {
      expect((await startRun()).hyperparameters).toEqual({});
    });

    it('names an unknown dataset with NOT_FOUND', async () => {
      const error = await errorOf(START, { input: { datasetId: '999999', name: 'x', algorithm: 'mlp', taskType: 'REGRESSION' } });
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('999999') });
    });

    it('refuses a blank or too long name, a blank algorithm and non-object hyperparameters', async () => {
      const base = { datasetId: '3', name: 'ok', algorithm: 'mlp', taskType: 'REGRESSION' };
      const cases: [Record<string, unknown>, string][] = [
        [{ name: '   ' }, 'input.name'],
        [{ name: 'n'.repeat(201) }, 'input.name'],
        [{ algorithm: '' }, 'input.algorithm'],
        [{ hyperparameters: [1, 2] }, 'input.hyperparameters'],
        [{ hyperparameters: 'depth=3' }, 'input.hyperparameters'],
        [{ datasetId: 'three' }, 'input.datasetId'],
      ];
      for (const [change, argument] of cases) {
        const error = await errorOf(START, { input: { ...base, ...change } });
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining(argument) });
      }
    });
  });

  describe('completeTraining', () => {
    it('completes a PENDING run with its metrics and features ranked by importance', async () => {
      const { id } = await startRun();
      const { completeTraining } = await data(COMPLETE, { id, metrics: { accuracy: 0.91, f1: 0.88, logLoss: 0.25 }, features: FEATURES });
      expect(completeTraining).toMatchObject({
        status: 'COMPLETED',
        metrics: { accuracy: 0.91, f1: 0.88, logLoss: 0.25, rmse: null, r2: null },
        startedAt: expect.any(String),
        completedAt: expect.any(String),
      });
      expect(completeTraining.featureImportance).toEqual([
        { feature: 'region=north', importance: 0.5, rank: 1 },
        { feature: 'age', importance: 0.3, rank: 2 },
        { feature: 'amount_log', importance: 0.2, rank: 3 },
      ]);
      expect(await getRun(id)).toEqual(completeTraining);
    });

    it('puts a completed run into its dataset ranking', async () => {
      const { id } = await startRun({ datasetId: '4', taskType: 'REGRESSION', algorithm: 'ridge' });
      await data(COMPLETE, { id, metrics: { rmse: 0, r2: 1 }, features: FEATURES });
      const { modelRanking } = await data(`{ modelRanking(datasetId: "4", metric: RMSE, top: 3) { entries { rank value run { id } } } }`);
      expect(modelRanking.entries[0]).toEqual({ rank: 1, value: 0, run: { id } });
    });

    it('cannot complete a run twice, nor a FAILED run: CONFLICT naming the status', async () => {
      const { id } = await startRun();
      await data(COMPLETE, { id, metrics: { accuracy: 0.5 }, features: FEATURES });
      const again = await errorOf(COMPLETE, { id, metrics: { accuracy: 0.9 }, features: FEATURES });
      expect(again).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('COMPLETED') });
      expect((await getRun(id)).metrics.accuracy).toBe(0.5);

      const failed = await startRun();
      await data(FAIL, { id: failed.id, error: 'out of memory' });
      const conflict = await errorOf(COMPLETE, { id: failed.id, metrics: { accuracy: 0.9 }, features: FEATURES });
      expect(conflict).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('FAILED') });
      expect(await getRun(failed.id)).toMatchObject({ status: 'FAILED', metrics: null, featureImportance: [] });
    });

    it('leaves the run unchanged when the feature list or metrics are invalid', async () => {
      const { id } = await startRun();
      const before = await getRun(id);
      const cases: [Record<string, unknown>, unknown[]][] = [
        [{ accuracy: 0.9 }, [{ feature: 'a', importance: 1 }, { feature: 'a', importance: 2 }]],
        [{ accuracy: 0.9 }, [{ feature: 'a', importance: -1 }]],
        [{ accuracy: 0.9 }, []],
        [{ accuracy: 0.9 }, Array.from({ length: 1001 }, (_, k) => ({ feature: `f${k}`, importance: 1 }))],
        [{ accuracy: 1.5 }, FEATURES],
        [{ rmse: 2 }, FEATURES],
        [{}, FEATURES],
      ];
      for (const [metrics, features] of cases) {
        const error = await errorOf(COMPLETE, { id, metrics, features });
        expect(error.code, JSON.stringify(metrics)).toBe('BAD_USER_INPUT');
      }
      expect(await getRun(id)).toEqual(before);
    });

    it('writes nothing when the database refuses part of the write', async () => {
      const { id } = await startRun();
      const repo = new ModelRunRepository(t.app.database.db);
      const metrics = { accuracy: 0.9, precision: null, recall: null, f1: null, roc_auc: null, log_loss: null, rmse: null, mae: null, r2: null };
      // Two features with the same rank break the primary key after the run row was already updated.
      const clash = [{ feature: 'a', importance: 1, rank: 1 }, { feature: 'b', importance: 1, rank: 1 }];
      await expect(repo.complete(Number(id), metrics, clash)).rejects.toThrow();
      expect(await getRun(id)).toMatchObject({ status: 'PENDING', metrics: null, completedAt: null, featureImportance: [] });
    });

    it('lets exactly one of two concurrent completions win', async () => {
      const { id } = await startRun();
      const attempts = await Promise.all(
        [0.7, 0.8].map((accuracy) => t.gql(COMPLETE, { id, metrics: { accuracy }, features: FEATURES })),
      );
      const codes = attempts.map((res) => res.body.errors?.[0]?.extensions?.code ?? 'OK').sort();
      expect(codes).toEqual(['CONFLICT', 'OK']);
      const winner = attempts.find((res) => !res.body.errors)!.body.data.completeTraining;
      expect((await getRun(id)).metrics.accuracy).toBe(winner.metrics.accuracy);
    });

    it('names a missing run with NOT_FOUND', async () => {
      const error = await errorOf(COMPLETE, { id: '999999', metrics: { accuracy: 0.9 }, features: FEATURES });
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('999999') });
    });
  });

  describe('failTraining', () => {
    it('marks a PENDING run FAILED with the reason', async () => {
      const { id } = await startRun();
      const { failTraining } = await data(FAIL, { id, error: 'CUDA out of memory' });
      expect(failTraining).toMatchObject({ status: 'FAILED', error: 'CUDA out of memory', metrics: null, completedAt: expect.any(String) });
    });

    it('cannot fail a COMPLETED run and refuses a blank or too long reason', async () => {
      const { id } = await startRun();
      await data(COMPLETE, { id, metrics: { f1: 0.5 }, features: FEATURES });
      expect(await errorOf(FAIL, { id, error: 'late' })).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('COMPLETED') });
      const pending = await startRun();
      for (const error of [' ', 'e'.repeat(2001)]) {
        expect(await errorOf(FAIL, { id: pending.id, error })).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('"error"') });
      }
      expect((await getRun(pending.id)).status).toBe('PENDING');
      expect((await errorOf(FAIL, { id: '999999', error: 'x' })).code).toBe('NOT_FOUND');
    });
  });

  describe('deleteModelRun', () => {
    it('deletes a run with its features; it is then gone and cannot be completed', async () => {
      const { id } = await startRun();
      await data(COMPLETE, { id, metrics: { accuracy: 0.9 }, features: FEATURES });
      expect((await data(DELETE, { id })).deleteModelRun).toEqual({ id, deleted: true });
      expect(await getRun(id)).toBeNull();
      const features = await t.app.database.db.selectFrom('feature_importances').select('rank').where('run_id', '=', Number(id)).execute();
      expect(features).toEqual([]);

      const pending = await startRun();
      await data(DELETE, { id: pending.id });
      expect((await errorOf(COMPLETE, { id: pending.id, metrics: { accuracy: 0.9 }, features: FEATURES })).code).toBe('NOT_FOUND');
      expect(await errorOf(DELETE, { id: pending.id })).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(pending.id) });
    });

    it('removes the run from its dataset list', async () => {
      const { id } = await startRun({ datasetId: '5' });
      await data(DELETE, { id });
      const { modelRuns } = await data(`{ modelRuns(first: 100, datasetId: "5") { nodes { id } } }`);
      expect(modelRuns.nodes.map((n: any) => n.id)).not.toContain(id);
    });
  });

  describe('cache tags', () => {
    let apollo: ApolloServer<RequestContext>;
    const datasetTag = (id: string | number) => `ModelRun:list:dataset=${id}`;

    /** Runs one operation in a context of our own, to see what it recorded, invalidated and asked the field cache. */
    async function execute(query: string, variables?: Record<string, unknown>) {
      const invalidated: string[][] = [];
      const fieldCalls: { field: string; args: Record<string, unknown> }[] = [];
      const fieldCache: FieldCache = {
        resolve: (field, args, compute) => {
          fieldCalls.push({ field, args });
          return compute();
        },
      };
      const ctx = createRequestContext({
        repos: createRepositories(t.app.database.db),
        pingDatabase: async () => {},
        version: 'test',
        startedAt: Date.now(),
        fieldCache,
        invalidate: async (tags) => {
          invalidated.push([...tags]);
        },
      });
      const response = await apollo.executeOperation({ query, variables }, { contextValue: ctx });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return { result: response.body.singleResult, recorded: ctx.deps.tags, invalidated, fieldCalls };
    }

    beforeAll(async () => {
      apollo = new ApolloServer<RequestContext>({ typeDefs: loadTypeDefs(), resolvers: schemaResolvers() });
      await apollo.start();
    });
    afterAll(() => apollo?.stop());

    it('invalidates the run, its dataset list and the global list after each write, and nothing after a refused one', async () => {
      const started = await execute(START, { input: { datasetId: '6', name: 'tagged', algorithm: 'mlp', taskType: 'CLASSIFICATION' } });
      const id = (started.result.data as any).startTraining.id as string;
      const expected = [`ModelRun:${id}`, datasetTag(6), 'ModelRun:list'];
      expect(started.invalidated).toEqual([expected]);

      const completed = await execute(COMPLETE, { id, metrics: { f1: 0.5 }, features: FEATURES });
      expect(completed.result.errors).toBeUndefined();
      expect(completed.invalidated).toEqual([expected]);

      const refused = await execute(FAIL, { id, error: 'too late' });
      expect(refused.result.errors?.[0].extensions?.code).toBe('CONFLICT');
      expect(refused.invalidated).toEqual([]);

      expect((await execute(DELETE, { id })).invalidated).toEqual([expected]);
    });

    it('invalidates the same tags when a run fails', async () => {
      const started = await execute(START, { input: { datasetId: '6', name: 'doomed', algorithm: 'mlp', taskType: 'REGRESSION' } });
      const id = (started.result.data as any).startTraining.id as string;
      const failed = await execute(FAIL, { id, error: 'diverged' });
      expect(failed.invalidated).toEqual([[`ModelRun:${id}`, datasetTag(6), 'ModelRun:list']]);
    });

    it('records the dataset list tag for dataset-scoped lists and rankings, even when empty, and the global one otherwise', async () => {
      const empty = await execute(`{ modelRuns(first: 5, datasetId: "999999") { nodes { id } } }`);
      expect(empty.recorded).toContain(datasetTag(999999));
      const global = await execute(`{ modelRuns(first: 2, status: FAILED) { nodes { id } } }`);
      expect(global.recorded).toContain('ModelRun:list');
      const nested = await execute(`{ modelRun(id: "1") { dataset { id modelRuns(first: 1) { nodes { id } } } } }`);
      const datasetId = (nested.result.data as any).modelRun.dataset.id;
      expect(nested.recorded).toEqual(expect.arrayContaining(['ModelRun:1', `Dataset:${datasetId}`, datasetTag(datasetId)]));
      const ranking = await execute(`{ modelRanking(datasetId: "${datasetId}", metric: MAE) { entries { rank } } }`);
      expect(ranking.recorded).toContain(datasetTag(datasetId));
      expect(ranking.fieldCalls).toEqual([{ field: 'modelRanking', args: { datasetId: Number(datasetId), metric: 'MAE', top: 10 } }]);
    });

    it('records each compared run and asks the field cache with sorted ids', async () => {
      const compared = await execute(`{ compareModels(ids: ["9", "2", "7", "2"]) { metrics { metric } } }`);
      expect(compared.result.errors).toBeUndefined();
      expect(compared.recorded).toEqual(expect.arrayContaining(['ModelRun:2', 'ModelRun:7', 'ModelRun:9']));
      expect(compared.fieldCalls).toEqual([{ field: 'compareModels', args: { ids: [2, 7, 9], metrics: null } }]);
    });

    it('asks the field cache for feature importance by run and topN, recording the run', async () => {
      const res = await execute(`{ modelRun(id: "1") { featureImportance(topN: 3) { rank } } }`);
      expect(res.fieldCalls).toEqual([{ field: 'ModelRun.featureImportance', args: { id: 1, topN: 3 } }]);
      expect(res.recorded).toContain('ModelRun:1');
    });
  });
});
