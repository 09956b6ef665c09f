// The model-run read API through HTTP, on a real PostgreSQL and on the embedded database, over TEST_SEED
// (40 datasets, 400 runs). Nothing here writes, so one app per database serves every test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/common/pagination.js';
import { databaseChoices, startTestApp, TEST_SEED, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

interface ListedRun {
  id: string;
  status: string;
  taskType: string;
  dataset: { id: string };
}

const RUN_FIELDS = `id name algorithm taskType status hyperparameters error createdAt startedAt completedAt updatedAt
  dataset { id name }
  metrics { accuracy precision recall f1 rocAuc logLoss rmse mae r2 }`;

const PAGE = `query Page($first: Int, $after: String, $datasetId: ID, $status: ModelRunStatus) {
  modelRuns(first: $first, after: $after, datasetId: $datasetId, status: $status) {
    nodes { id status taskType dataset { id } }
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

describe.each(databaseChoices(postgresUp))('model runs on %s', (database) => {
  let t: TestApp;
  /** Every seeded run, newest first, read in pages of 100. */
  let all: ListedRun[];

  async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await t.gql<T>(query, variables);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    return res.body.data as T;
  }

  /** The errors of a request that must fail. */
  async function errorsOf(query: string, variables?: Record<string, unknown>) {
    const res = await t.gql(query, variables);
    expect(res.body.errors, 'expected errors').toBeDefined();
    return res.body.errors!.map((error) => ({ code: error.extensions?.code, message: error.message }));
  }

  /** Follows endCursor until the last page. */
  async function walk(first: number, filter: Record<string, unknown> = {}): Promise<ListedRun[][]> {
    const pages: ListedRun[][] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 200; guard += 1) {
      const { modelRuns }: { modelRuns: any } = await data(PAGE, { first, after, ...filter });
      pages.push(modelRuns.nodes);
      expect(modelRuns.edges.map((edge: any) => edge.node.id)).toEqual(modelRuns.nodes.map((node: ListedRun) => node.id));
      if (!modelRuns.pageInfo.hasNextPage) return pages;
      expect(modelRuns.pageInfo.endCursor).toBe(modelRuns.edges.at(-1).cursor);
      after = modelRuns.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  const completedOf = (task: string) => all.filter((run) => run.status === 'COMPLETED' && run.taskType === task);

  beforeAll(async () => {
    t = await startTestApp({ database });
    all = (await walk(100)).flat();
  });
  afterAll(() => t?.close());

  // First in the file, so that no earlier test has warmed the field cache; each counted request also tells the
  // response cache not to answer it (it still executes), so the counts are those of a cold request.
  describe('statement counts', () => {
    const cold = async (query: string) => {
      const res = await t.gql(query, undefined, { 'cache-control': 'no-cache' });
      expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
      return res.body.data;
    };

    it('resolves 100 runs with dataset, metrics and top features in at most 4 SQL statements', async () => {
      let result: any;
      const statements = await t.countStatements(async () => {
        result = await cold(`{ modelRuns(first: 100) { nodes { dataset { name } metrics { f1 } featureImportance(topN: 5) { feature importance } } } }`);
      });
      expect(result.modelRuns.nodes).toHaveLength(100);
      expect(result.modelRuns.nodes.some((n: any) => n.featureImportance.length === 5)).toBe(true);
      expect(statements).toBeLessThanOrEqual(4);
      console.info(`[${database}] N+1 query: ${statements} SQL statements`);
    });

    it('reads Dataset.modelRuns of many datasets in one statement', async () => {
      const without = `{ modelRuns(first: 100) { nodes { dataset { id } } } }`;
      const withRuns = `{ modelRuns(first: 100) { nodes { dataset { id modelRuns(first: 5) { nodes { id } } } } } }`;
      const base = await t.countStatements(() => cold(without));
      let result: any;
      const nested = await t.countStatements(async () => {
        result = await cold(withRuns);
      });
      expect(nested - base).toBe(1);
      const first = result.modelRuns.nodes[0].dataset;
      const expected = all.filter((run) => run.dataset.id === first.id).slice(0, 5).map((run) => run.id);
      expect(first.modelRuns.nodes.map((n: any) => n.id)).toEqual(expected);
    });

    it('reads the runs of a page of datasets in one statement', async (ctx) => {
      // The datasets list belongs to another domain: without it, Dataset.modelRuns is still covered above.
      const probe = await t.gql('{ datasets(first: 1) { nodes { id } } }');
      if (probe.body.errors) ctx.skip();
      const base = await t.countStatements(() => cold('{ datasets(first: 20) { nodes { id } } }'));
      let result: any;
      const nested = await t.countStatements(async () => {
        result = await cold('{ datasets(first: 20) { nodes { id modelRuns(first: 5) { nodes { id } totalCount } } } }');
      });
      // One statement for the runs of all 20 datasets and one for their 20 counts.
      expect(nested - base).toBe(2);
      for (const dataset of result.datasets.nodes) {
        const expected = all.filter((run) => run.dataset.id === dataset.id);
        expect(dataset.modelRuns.nodes.map((n: any) => n.id)).toEqual(expected.slice(0, 5).map((run) => run.id));
        expect(dataset.modelRuns.totalCount).toBe(expected.length);
      }
    });
  });

  describe('the seed', () => {
    it('spreads the runs over every dataset in all four statuses, mostly COMPLETED', () => {
      expect(all).toHaveLength(TEST_SEED.modelRuns);
      expect(new Set(all.map((run) => run.dataset.id)).size).toBe(TEST_SEED.datasets);
      const statuses = new Map<string, number>();
      for (const run of all) statuses.set(run.status, (statuses.get(run.status) ?? 0) + 1);
      expect([...statuses.keys()].sort()).toEqual(['COMPLETED', 'FAILED', 'PENDING', 'RUNNING']);
      expect(statuses.get('COMPLETED')!).toBeGreaterThan(all.length / 2);
    });

    it('gives every completed run 20-30 ranked features and every failed run an error', async () => {
      const completed = completedOf('CLASSIFICATION').slice(0, 10).concat(completedOf('REGRESSION').slice(0, 10));
      const { a } = await data(`query($ids: [ID!]!) { a: compareModels(ids: $ids) { runs { id featureImportance(topN: 100) { rank } } } }`, {
        ids: completed.map((run) => run.id),
      });
      for (const run of a.runs) {
        expect(run.featureImportance.length).toBeGreaterThanOrEqual(20);
        expect(run.featureImportance.length).toBeLessThanOrEqual(30);
      }
      const failed = all.find((run) => run.status === 'FAILED')!;
      const { modelRun } = await data(`{ modelRun(id: "${failed.id}") { error metrics { f1 } completedAt } }`);
      expect(modelRun.error).toEqual(expect.any(String));
      expect(modelRun).toMatchObject({ metrics: null, completedAt: expect.any(String) });
    });
  });

  describe('modelRun(id)', () => {
    it('returns a run with its dataset, metrics, hyperparameters and timestamps', async () => {
      const run = completedOf('CLASSIFICATION')[0];
      const { modelRun } = await data(`{ modelRun(id: "${run.id}") { ${RUN_FIELDS} } }`);
      expect(modelRun).toMatchObject({ id: run.id, status: 'COMPLETED', taskType: 'CLASSIFICATION', error: null, dataset: { id: run.dataset.id } });
      expect(modelRun.hyperparameters).toEqual(expect.objectContaining({ random_state: expect.any(Number) }));
      expect(modelRun.metrics).toMatchObject({ accuracy: expect.any(Number), f1: expect.any(Number), logLoss: expect.any(Number), rmse: null, mae: null, r2: null });
      const times = ['createdAt', 'startedAt', 'completedAt'].map((field) => Date.parse(modelRun[field]));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(modelRun.updatedAt).toBe(modelRun.completedAt);
    });

    it('has only regression metrics for a regression run and no metrics before completion', async () => {
      const regression = completedOf('REGRESSION')[0];
      const pending = all.find((run) => run.status === 'PENDING')!;
      const { r, p } = await data(`{ r: modelRun(id: "${regression.id}") { metrics { accuracy f1 rmse mae r2 } }
        p: modelRun(id: "${pending.id}") { metrics { f1 } startedAt completedAt } }`);
      expect(r.metrics).toMatchObject({ accuracy: null, f1: null, rmse: expect.any(Number), mae: expect.any(Number), r2: expect.any(Number) });
      expect(p).toEqual({ metrics: null, startedAt: null, completedAt: null });
    });

    it('is null, without an error, for an id that does not exist', async () => {
      const res = await t.gql('{ modelRun(id: "999999") { id } }');
      expect(res.body).toEqual({ data: { modelRun: null } });
    });

    it('refuses a non-numeric id with BAD_USER_INPUT naming the argument', async () => {
      const [error] = await errorsOf('{ modelRun(id: "abc") { id } }');
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('"id"');
    });
  });

  describe('modelRuns', () => {
    it('lists runs newest first, and pages chain without overlap or gap', async () => {
      const ids = all.map((run) => Number(run.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const pages = await walk(37);
      expect(pages.flat().map((run) => run.id)).toEqual(all.map((run) => run.id));
      expect(pages.at(-1)!.length).toBe(TEST_SEED.modelRuns % 37);
    });

    it('filters by dataset and status, with totalCount of the filtered list', async () => {
      const datasetId = all[0].dataset.id;
      const expected = all.filter((run) => run.dataset.id === datasetId && run.status === 'COMPLETED');
      const pages = await walk(3, { datasetId, status: 'COMPLETED' });
      expect(pages.flat().map((run) => run.id)).toEqual(expected.map((run) => run.id));
      const { modelRuns } = await data(PAGE, { first: 1, datasetId, status: 'COMPLETED' });
      expect(modelRuns.totalCount).toBe(expected.length);
      const { modelRuns: failed } = await data(PAGE, { first: 100, status: 'FAILED' });
      expect(failed.totalCount).toBe(all.filter((run) => run.status === 'FAILED').length);
      expect(failed.nodes.every((run: ListedRun) => run.status === 'FAILED')).toBe(true);
    });

    it('counts every run in totalCount and returns an empty page for a dataset without runs', async () => {
      const { modelRuns } = await data(PAGE, { first: 1 });
      expect(modelRuns.totalCount).toBe(TEST_SEED.modelRuns);
      const { modelRuns: none } = await data(PAGE, { first: 5, datasetId: '999999' });
      expect(none).toEqual({ nodes: [], edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
    });

    it('refuses first 0 and 101 with BAD_USER_INPUT', async () => {
      for (const first of [0, 101]) {
        const [error] = await errorsOf(PAGE, { first });
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(error.message).toContain('"first" must be an integer from 1 to 100');
      }
    });

    it('refuses a garbage cursor and a cursor of another ordering with BAD_USER_INPUT', async () => {
      for (const after of ['garbage', encodeCursor(['Some dataset name', 3]), encodeCursor([3])]) {
        const [error] = await errorsOf(PAGE, { first: 5, after });
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(error.message).toContain('"after"');
      }
    });

    it('refuses the cursor of a datasets page', async (ctx) => {
      const res = await t.gql('{ datasets(first: 1) { pageInfo { endCursor } } }');
      if (res.body.errors) ctx.skip();
      const after = res.body.data.datasets.pageInfo.endCursor;
      const [error] = await errorsOf(PAGE, { first: 5, after });
      expect(error.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('Dataset.modelRuns', () => {
    it('lists the dataset runs newest first, paged like modelRuns(datasetId)', async () => {
      const datasetId = all[5].dataset.id;
      const expected = all.filter((run) => run.dataset.id === datasetId).map((run) => run.id);
      const query = `query($id: ID!, $after: String) { modelRun(id: $id) { dataset { modelRuns(first: 4, after: $after) {
        nodes { id dataset { id } } pageInfo { hasNextPage endCursor } totalCount } } } }`;
      const seen: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 20; guard += 1) {
        const { modelRun }: any = await data(query, { id: all[5].id, after });
        const page = modelRun.dataset.modelRuns;
        expect(page.totalCount).toBe(expected.length);
        seen.push(...page.nodes.map((node: ListedRun) => node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
    });

    it('filters by status and refuses first 101', async () => {
      const run = all.find((r) => r.status === 'FAILED')!;
      const { modelRun } = await data(`{ modelRun(id: "${run.id}") { dataset { modelRuns(first: 100, status: FAILED) { nodes { id status } } } } }`);
      const expected = all.filter((r) => r.dataset.id === run.dataset.id && r.status === 'FAILED').map((r) => r.id);
      expect(modelRun.dataset.modelRuns.nodes.map((n: ListedRun) => n.id)).toEqual(expected);
      const [error] = await errorsOf(`{ modelRun(id: "${run.id}") { dataset { modelRuns(first: 101) { nodes { id } } } } }`);
      expect(error.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('featureImportance', () => {
    it('returns the topN features by rank, most important first', async () => {
      const run = completedOf('REGRESSION')[0];
      const { modelRun } = await data(`{ modelRun(id: "${run.id}") { top: featureImportance(topN: 5) { feature importance rank }
        all: featureImportance(topN: 100) { feature importance rank } default: featureImportance { rank } } }`);
      expect(modelRun.top.map((f: any) => f.rank)).toEqual([1, 2, 3, 4, 5]);
      expect(modelRun.top).toEqual(modelRun.all.slice(0, 5));
      expect(modelRun.default).toHaveLength(10);
      const importances = modelRun.all.map((f: any) => f.importance);
      expect(importances).toEqual([...importances].sort((a, b) => b - a));
      expect(new Set(modelRun.all.map((f: any) => f.feature)).size).toBe(modelRun.all.length);
    });

    it('is empty for a run that has not completed', async () => {
      const pending = all.find((run) => run.status === 'PENDING')!;
      const { modelRun } = await data(`{ modelRun(id: "${pending.id}") { featureImportance(topN: 5) { feature } } }`);
      expect(modelRun.featureImportance).toEqual([]);
    });

    it('refuses topN 0 and 101 with BAD_USER_INPUT', async () => {
      for (const topN of [0, 101]) {
        const [error] = await errorsOf(`{ modelRun(id: "${all[0].id}") { featureImportance(topN: ${topN}) { feature } } }`);
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(error.message).toContain('"topN"');
      }
    });
  });

  describe('compareModels', () => {
    const COMPARE = `query($ids: [ID!]!, $metrics: [Metric!]) { compareModels(ids: $ids, metrics: $metrics) {
      runs { id }
      metrics { metric higherIsBetter bestValue bestRun { id } values { run { id } value deltaToBest rank } } } }`;

    it('gives the same answer for the same ids in any order, runs by ascending id', async () => {
      const ids = completedOf('CLASSIFICATION').slice(0, 4).map((run) => run.id);
      const sorted = [...ids].sort((a, b) => Number(a) - Number(b));
      const forward = await data(COMPARE, { ids });
      const shuffled = await data(COMPARE, { ids: [ids[2], ids[0], ids[3], ids[1], ids[0]] });
      expect(shuffled).toEqual(forward);
      expect(forward.compareModels.runs.map((run: any) => run.id)).toEqual(sorted);
      expect(forward.compareModels.metrics.map((m: any) => m.metric)).toEqual(['ACCURACY', 'PRECISION', 'RECALL', 'F1', 'ROC_AUC', 'LOG_LOSS']);
    });

    it('names the best run per metric, with deltas to it and shared ranks', async () => {
      const ids = completedOf('CLASSIFICATION').slice(0, 6).map((run) => run.id);
      const { compareModels } = await data(COMPARE, { ids, metrics: ['LOG_LOSS', 'ACCURACY'] });
      expect(compareModels.metrics.map((m: any) => m.metric)).toEqual(['ACCURACY', 'LOG_LOSS']);
      for (const m of compareModels.metrics) {
        const values = m.values.map((v: any) => v.value);
        const best = m.higherIsBetter ? Math.max(...values) : Math.min(...values);
        expect(m.higherIsBetter).toBe(m.metric === 'ACCURACY');
        expect(m.bestValue).toBe(best);
        expect(m.values.find((v: any) => v.run.id === m.bestRun.id).rank).toBe(1);
        for (const v of m.values) {
          expect(v.deltaToBest).toBeCloseTo(Math.abs(v.value - best), 12);
          const better = values.filter((other: number) => (m.higherIsBetter ? other > v.value : other < v.value)).length;
          expect(v.rank).toBe(better + 1);
        }
      }
    });

    it('leaves values, deltas and ranks null where a run has no such metric', async () => {
      const ids = [completedOf('CLASSIFICATION')[0].id, completedOf('REGRESSION')[0].id];
      const { compareModels } = await data(COMPARE, { ids, metrics: ['RMSE'] });
      const [rmse] = compareModels.metrics;
      const classification = rmse.values.find((v: any) => v.run.id === ids[0]);
      expect(classification).toMatchObject({ value: null, deltaToBest: null, rank: null });
      expect(rmse.bestRun.id).toBe(ids[1]);
    });

    it('refuses fewer than 2 distinct ids, more than 100 ids and non-numeric ids', async () => {
      const one = await errorsOf(COMPARE, { ids: [all[0].id, all[0].id] });
      expect(one[0]).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('2 to 100 distinct') });
      const many = await errorsOf(COMPARE, { ids: Array.from({ length: 101 }, (_, k) => String(k + 1)) });
      expect(many[0]).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('at most 100') });
      const bad = await errorsOf(COMPARE, { ids: [all[0].id, 'x1'] });
      expect(bad[0]).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('"x1"') });
      const empty = await errorsOf(COMPARE, { ids: [all[0].id, all[1].id], metrics: [] });
      expect(empty[0].code).toBe('BAD_USER_INPUT');
    });

    it('refuses an unknown id with NOT_FOUND naming it', async () => {
      const [error] = await errorsOf(COMPARE, { ids: [all[0].id, '888888'] });
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('888888');
    });
  });

  describe('modelRanking', () => {
    const RANKING = `query($datasetId: ID!, $metric: Metric!, $top: Int) { modelRanking(datasetId: $datasetId, metric: $metric, top: $top) {
      dataset { id } metric higherIsBetter entries { rank value run { id status dataset { id } metrics { f1 rmse } } } } }`;

    it('ranks the completed runs of a dataset best first by a metric where higher is better', async () => {
      const datasetId = completedOf('CLASSIFICATION')[0].dataset.id;
      const { modelRanking } = await data(RANKING, { datasetId, metric: 'F1', top: 100 });
      const expected = all.filter((run) => run.dataset.id === datasetId && run.status === 'COMPLETED');
      expect(modelRanking).toMatchObject({ dataset: { id: datasetId }, metric: 'F1', higherIsBetter: true });
      expect(modelRanking.entries.map((e: any) => e.run.id).sort()).toEqual(expected.map((run) => run.id).sort());
      const values = modelRanking.entries.map((e: any) => e.value);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      expect(modelRanking.entries.every((e: any) => e.run.metrics.f1 === e.value && e.run.status === 'COMPLETED')).toBe(true);
      expect(modelRanking.entries[0].rank).toBe(1);
    });

    it('ranks lowest first for an error metric and keeps only the top entries', async () => {
      const datasetId = completedOf('REGRESSION')[0].dataset.id;
      const { modelRanking } = await data(RANKING, { datasetId, metric: 'RMSE', top: 2 });
      expect(modelRanking.higherIsBetter).toBe(false);
      expect(modelRanking.entries.length).toBeLessThanOrEqual(2);
      const { modelRanking: full } = await data(RANKING, { datasetId, metric: 'RMSE', top: 100 });
      expect(modelRanking.entries).toEqual(full.entries.slice(0, 2));
      const values = full.entries.map((e: any) => e.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    });

    it('is empty for a metric the dataset runs do not have', async () => {
      const datasetId = completedOf('REGRESSION')[0].dataset.id;
      const { modelRanking } = await data(RANKING, { datasetId, metric: 'ACCURACY' });
      expect(modelRanking.entries).toEqual([]);
    });

    it('refuses top 0 and 101 and names an unknown dataset', async () => {
      for (const top of [0, 101]) {
        const [error] = await errorsOf(RANKING, { datasetId: '1', metric: 'F1', top });
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('"top"') });
      }
      const [missing] = await errorsOf(RANKING, { datasetId: '999999', metric: 'F1' });
      expect(missing).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('999999') });
    });
  });
});
