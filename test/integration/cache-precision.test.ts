// Invalidation precision through the domains, over HTTP on a real PostgreSQL: warm a set of responses (and the field
// entries behind them), run one mutation, read everything again, and check exactly which entries became misses and
// which stayed hits, and that every miss now answers the new data. Once with L1 alone, once with L1 + Redis, and
// once with Redis alone (every hit is then an L2 hit, checked against tag versions). The three apps share one
// database; each picks its own runs and datasets among those no earlier one touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { backendsOfThisPass, postgresUp, REDIS_ENV, redisUp, usesRedis } from '../helpers/services.js';

interface Config {
  name: string;
  env: Record<string, string>;
  hit: 'HIT-L1' | 'HIT-L2';
}

const namespaces = [uniqueNamespace('precision-l1l2'), uniqueNamespace('precision-l2')];
const configs: Config[] = backendsOfThisPass([
  { name: 'L1 alone', env: {}, hit: 'HIT-L1' },
  ...(redisUp
    ? [
        { name: 'L1 + Redis', env: { ...REDIS_ENV, CACHE_NAMESPACE: namespaces[0]!, CACHE_REDIS_TIMEOUT_MS: '1000' }, hit: 'HIT-L1' as const },
        {
          name: 'Redis alone (L1 off)',
          env: { ...REDIS_ENV, CACHE_NAMESPACE: namespaces[1]!, CACHE_REDIS_TIMEOUT_MS: '1000', CACHE_L1_MAX_BYTES: '0' },
          hit: 'HIT-L2' as const,
        },
      ]
    : []),
]);

const NO_CACHE = { 'cache-control': 'no-cache' };

interface Probe {
  query: string;
  variables?: Record<string, unknown>;
}

interface Run {
  id: string;
  status: string;
  taskType: string;
  dataset: { id: string };
}

describe.runIf(postgresUp)('invalidation precision through the domains (postgres)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    if (redisUp) await Promise.all(namespaces.map((namespace) => dropNamespace(namespace)));
  });

  describe.each(configs)('$name', (config) => {
    let t: TestApp;

    async function data<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<T> {
      const response = await t.gql<T>(query, variables, headers);
      expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
      return response.body.data as T;
    }

    /** Reads every probe until it is cached: each answers a hit on its second read. */
    async function warm(probes: Record<string, Probe>): Promise<void> {
      const outcomes: Record<string, string | null> = {};
      for (const [name, probe] of Object.entries(probes)) {
        const first = await t.gql(probe.query, probe.variables);
        expect(first.body.errors, `${name}: ${JSON.stringify(first.body.errors)}`).toBeUndefined();
        if (config.hit === 'HIT-L2') await t.app.cache.settle(); // L2 writes are in the background
        outcomes[name] = (await t.gql(probe.query, probe.variables)).headers.get('x-beacon-cache');
      }
      expect(outcomes).toEqual(Object.fromEntries(Object.keys(probes).map((name) => [name, config.hit])));
    }

    /** Reads every probe once: the named ones must miss, every other one must still hit. Returns the bodies. */
    async function expectOnly(probes: Record<string, Probe>, misses: readonly string[]): Promise<Record<string, any>> {
      const outcomes: Record<string, string | null> = {};
      const bodies: Record<string, any> = {};
      for (const [name, probe] of Object.entries(probes)) {
        const response = await t.gql(probe.query, probe.variables);
        expect(response.body.errors, `${name}: ${JSON.stringify(response.body.errors)}`).toBeUndefined();
        outcomes[name] = response.headers.get('x-beacon-cache');
        bodies[name] = response.body.data;
      }
      const expected = Object.fromEntries(Object.keys(probes).map((name) => [name, misses.includes(name) ? 'MISS' : config.hit]));
      expect(outcomes).toEqual(expected);
      return bodies;
    }

    /** Field-cache hits and misses of one field while `fn` runs. */
    async function fieldOutcomes(field: string, fn: () => Promise<unknown>): Promise<{ hits: number; misses: number }> {
      const row = () => t.app.cache.snapshot().fields.find((candidate) => candidate.name === field) ?? { hits: 0, misses: 0 };
      const before = row();
      await fn();
      const after = row();
      return { hits: after.hits - before.hits, misses: after.misses - before.misses };
    }

    /** Runs of one status across the seed (read past every cache). */
    async function runsWithStatus(status: string): Promise<Run[]> {
      const query = `query($status: ModelRunStatus) { modelRuns(first: 100, status: $status) { nodes { id status taskType dataset { id } } } }`;
      return (await data(query, { status }, NO_CACHE)).modelRuns.nodes;
    }

    beforeAll(async () => {
      t = await startTestApp({ database: 'postgres', databaseUrl: database.url, env: config.env });
      if (usesRedis(config.env)) await waitFor(() => t.app.cache.snapshot().redis.subscribed, 10_000, 'the Redis subscription');
    });
    afterAll(() => t?.close());

    it('completeTraining invalidates the run, its dataset’s lists and rankings, comparisons with it: nothing else', async () => {
      const completed = (await runsWithStatus('COMPLETED')).filter((run) => run.taskType === 'CLASSIFICATION');
      const unfinished = [...(await runsWithStatus('PENDING')), ...(await runsWithStatus('RUNNING'))];
      // R: an unfinished classification run of dataset D, which has a completed classification run O too.
      const target = unfinished.find(
        (run) => run.taskType === 'CLASSIFICATION' && completed.some((other) => other.dataset.id === run.dataset.id),
      )!;
      expect(target, 'an unfinished classification run of a dataset with completed ones').toBeDefined();
      const d = target.dataset.id;
      const other = completed.find((run) => run.dataset.id === d)!;
      // E: another dataset with two completed classification runs X and Y.
      const elsewhere = completed.filter((run) => run.dataset.id !== d);
      const e = elsewhere.find((run) => elsewhere.filter((x) => x.dataset.id === run.dataset.id).length >= 2)!.dataset.id;
      const [x, y] = elsewhere.filter((run) => run.dataset.id === e);

      const RUN = `query($id: ID!) { modelRun(id: $id) { id status metrics { f1 } featureImportance(topN: 3) { feature importance } } }`;
      const COMPARE = `query($ids: [ID!]!) { compareModels(ids: $ids, metrics: [F1, ACCURACY]) { runs { id status }
        metrics { metric bestRun { id } values { run { id } value } } } }`;
      const RANKING = `query($d: ID!) { modelRanking(datasetId: $d, metric: F1, top: 5) { entries { rank value run { id } } } }`;
      const probes: Record<string, Probe> = {
        run: { query: RUN, variables: { id: target.id } },
        runsOfD: { query: `query($d: ID!) { modelRuns(datasetId: $d, first: 100) { nodes { id status } } }`, variables: { d } },
        datasetDRuns: { query: `query($d: ID!) { dataset(id: $d) { id modelRuns(first: 100) { nodes { id status } } } }`, variables: { d } },
        rankingD: { query: RANKING, variables: { d } },
        compareWithRun: { query: COMPARE, variables: { ids: [target.id, other.id] } },
        compareWithRunToo: { query: COMPARE, variables: { ids: [x!.id, target.id, y!.id] } },
        allPending: { query: `{ modelRuns(first: 100, status: PENDING) { nodes { id } } }` },
        allRunning: { query: `{ modelRuns(first: 100, status: RUNNING) { nodes { id } } }` },
        // Unrelated:
        otherRunOfD: { query: RUN, variables: { id: other.id } },
        runsOfE: { query: `query($d: ID!) { modelRuns(datasetId: $d, first: 100) { nodes { id status } } }`, variables: { d: e } },
        rankingE: { query: RANKING, variables: { d: e } },
        compareWithout: { query: COMPARE, variables: { ids: [other.id, x!.id] } },
        datasetDName: { query: `query($d: ID!) { dataset(id: $d) { id name } }`, variables: { d } },
        assessment: { query: `{ assessment(model: "OECD_ICIO", country: "USA", sector: "C10T12") { riskScore } }` },
        categories: { query: `{ categories { name datasetCount } }` },
      };
      await warm(probes);

      const COMPLETE = `mutation($id: ID!, $features: [FeatureImportanceInput!]!) {
        completeTraining(id: $id, metrics: { f1: 0.9991, accuracy: 0.9992 }, featureImportance: $features) { id status } }`;
      const features = [
        { feature: 'precision_probe_a', importance: 0.7 },
        { feature: 'precision_probe_b', importance: 0.2 },
      ];
      expect((await data(COMPLETE, { id: target.id, features })).completeTraining.status).toBe('COMPLETED');

      const after = await expectOnly(probes, [
        'run', 'runsOfD', 'datasetDRuns', 'rankingD', 'compareWithRun', 'compareWithRunToo', 'allPending', 'allRunning',
      ]);
      // The misses answer the new state.
      expect(after.run.modelRun).toEqual({
        id: target.id,
        status: 'COMPLETED',
        metrics: { f1: 0.9991 },
        featureImportance: [
          { feature: 'precision_probe_a', importance: 0.7 },
          { feature: 'precision_probe_b', importance: 0.2 },
        ],
      });
      expect(after.runsOfD.modelRuns.nodes).toContainEqual({ id: target.id, status: 'COMPLETED' });
      expect(after.datasetDRuns.dataset.modelRuns.nodes).toContainEqual({ id: target.id, status: 'COMPLETED' });
      expect(after.rankingD.modelRanking.entries[0]).toEqual({ rank: 1, value: 0.9991, run: { id: target.id } });
      const f1 = (body: any) => body.compareModels.metrics.find((metric: any) => metric.metric === 'F1');
      expect(f1(after.compareWithRun).bestRun).toEqual({ id: target.id });
      expect(f1(after.compareWithRunToo).values).toContainEqual({ run: { id: target.id }, value: 0.9991 });
      expect(after.compareWithRunToo.compareModels.runs).toContainEqual({ id: target.id, status: 'COMPLETED' });
      const listed = [...after.allPending.modelRuns.nodes, ...after.allRunning.modelRuns.nodes].map((run: any) => run.id);
      expect(listed).not.toContain(target.id);

      // The field cache is just as exact: another run's features, another dataset's ranking and a comparison
      // without the run are still field hits when the response is recomputed; the run's own are recomputed.
      const recomputed = (query: string, variables: Record<string, unknown>) => () => data(query, variables, NO_CACHE);
      expect(await fieldOutcomes('ModelRun.featureImportance', recomputed(RUN, { id: other.id }))).toEqual({ hits: 1, misses: 0 });
      expect(await fieldOutcomes('modelRanking', recomputed(RANKING, { d: e }))).toEqual({ hits: 1, misses: 0 });
      expect(await fieldOutcomes('compareModels', recomputed(COMPARE, { ids: [other.id, x!.id] }))).toEqual({ hits: 1, misses: 0 });
      // (The run's own entries were recomputed by the re-read above, so they are hits again now.)
      expect(await fieldOutcomes('ModelRun.featureImportance', recomputed(RUN, { id: target.id }))).toEqual({ hits: 1, misses: 0 });
    });

    it('updateCoefficients invalidates that model’s assessments and coefficients only', async () => {
      const ASSESS = `query($model: String!) { assessment(model: $model, country: "USA", sector: "C10T12") { outputMultiplier riskScore } }`;
      const COEFFICIENT = `query($model: String!) { coefficient(model: $model, from: { country: "CHN", sector: "C01T02" },
        to: { country: "USA", sector: "C10T12" }) }`;
      const MODEL = `query($model: String!) { ioModel(name: $model) { name updatedAt } }`;
      const probes: Record<string, Probe> = {
        oecdAssessment: { query: ASSESS, variables: { model: 'OECD_ICIO' } },
        oecdCoefficient: { query: COEFFICIENT, variables: { model: 'OECD_ICIO' } },
        oecdModel: { query: MODEL, variables: { model: 'OECD_ICIO' } },
        oecdMany: {
          query: `{ assessments(model: "OECD_ICIO", pairs: [{ country: "DEU", sector: "C01T02" }, { country: "JPN", sector: "C05T06" }]) { riskScore } }`,
        },
        exioAssessment: { query: ASSESS, variables: { model: 'EXIOBASE' } },
        exioCoefficient: { query: COEFFICIENT, variables: { model: 'EXIOBASE' } },
        exioModel: { query: MODEL, variables: { model: 'EXIOBASE' } },
        runs: { query: `{ modelRuns(first: 10) { nodes { id status } } }` },
        categories: { query: `{ categories { name datasetCount } }` },
      };
      await warm(probes);
      const before = await expectOnly(probes, []);

      const value = before.oecdCoefficient.coefficient === 0.0456 ? 0.0567 : 0.0456;
      const UPDATE = `mutation($value: Float!) { updateCoefficients(model: "OECD_ICIO", changes: [
        { from: { country: "CHN", sector: "C01T02" }, to: { country: "USA", sector: "C10T12" }, value: $value }]) { changed } }`;
      expect((await data(UPDATE, { value })).updateCoefficients.changed).toBe(1);

      const after = await expectOnly(probes, ['oecdAssessment', 'oecdCoefficient', 'oecdModel', 'oecdMany']);
      expect(after.oecdCoefficient.coefficient).toBe(value);
      expect(after.oecdAssessment.assessment.outputMultiplier).not.toBe(before.oecdAssessment.assessment.outputMultiplier);
      expect(after.oecdModel.ioModel.updatedAt).not.toBe(before.oecdModel.ioModel.updatedAt);
      expect(after.exioAssessment).toEqual(before.exioAssessment);

      // The assessment field entries: EXIOBASE's stays a hit, OECD_ICIO's was recomputed by the re-read above.
      const recomputed = (model: string) => () => data(ASSESS, { model }, NO_CACHE);
      expect(await fieldOutcomes('assessment', recomputed('EXIOBASE'))).toEqual({ hits: 1, misses: 0 });
      expect(await fieldOutcomes('assessment', recomputed('OECD_ICIO'))).toEqual({ hits: 1, misses: 0 });
    });

    it('updateDataset and appendDatasetRows invalidate the dataset and the dataset lists; other datasets stay hits', async () => {
      const listed = (await data(`{ datasets(first: 3, orderBy: NAME) { nodes { id } } }`, undefined, NO_CACHE)).datasets.nodes;
      const [d, e] = listed.map((node: { id: string }) => node.id);
      const DETAIL = `query($d: ID!) { dataset(id: $d) { id name description rowCount } }`;
      const SAMPLE = `query($d: ID!) { dataset(id: $d) { id sample(size: 3) } }`;
      const QUALITY = `query($d: ID!) { dataset(id: $d) { id quality { rowCount duplicateRows score } } }`;
      const probes: Record<string, Probe> = {
        detailD: { query: DETAIL, variables: { d } },
        sampleD: { query: SAMPLE, variables: { d } },
        qualityD: { query: QUALITY, variables: { d } },
        list: { query: `{ datasets(first: 50) { nodes { id description rowCount } } }` },
        topUpdated: { query: `{ topUpdatedDatasets(limit: 5) { id } }` },
        categories: { query: `{ categories { name datasetCount } }` },
        detailE: { query: DETAIL, variables: { d: e } },
        sampleE: { query: SAMPLE, variables: { d: e } },
        qualityE: { query: QUALITY, variables: { d: e } },
        runsOfD: { query: `query($d: ID!) { modelRuns(datasetId: $d, first: 5) { nodes { id } } }`, variables: { d } },
        assessment: { query: `{ assessment(model: "EXIOBASE", country: "DEU", sector: "C01T02") { riskScore } }` },
      };
      await warm(probes);
      const before = await expectOnly(probes, []);

      const description = `described at ${Date.now()}`;
      const UPDATE = `mutation($d: ID!, $description: String!) { updateDataset(id: $d, input: { description: $description }) { id } }`;
      await data(UPDATE, { d, description });
      const dataset = ['detailD', 'sampleD', 'qualityD', 'list', 'topUpdated', 'categories'];
      const updated = await expectOnly(probes, dataset);
      expect(updated.detailD.dataset.description).toBe(description);
      expect(updated.list.datasets.nodes).toContainEqual({ id: d, description, rowCount: before.detailD.dataset.rowCount });
      expect(updated.topUpdated.topUpdatedDatasets[0]).toEqual({ id: d });
      // The rows did not change: D's sample and quality field entries are still hits under the new responses.
      expect(updated.sampleD).toEqual(before.sampleD);
      expect(await fieldOutcomes('Dataset.quality', () => data(QUALITY, { d }, NO_CACHE))).toEqual({ hits: 1, misses: 0 });

      const [row] = before.sampleD.dataset.sample;
      const APPEND = `mutation($d: ID!, $rows: [JSON!]!) { appendDatasetRows(id: $d, rows: $rows) { id rowCount } }`;
      expect((await data(APPEND, { d, rows: [row] })).appendDatasetRows.rowCount).toBe(before.detailD.dataset.rowCount + 1);
      const appended = await expectOnly(probes, dataset);
      expect(appended.detailD.dataset.rowCount).toBe(before.detailD.dataset.rowCount + 1);
      expect(appended.qualityD.dataset.quality.rowCount).toBe(before.qualityD.dataset.quality.rowCount + 1);
      expect(appended.qualityD.dataset.quality.duplicateRows).toBe(before.qualityD.dataset.quality.duplicateRows + 1);
      // E's field entries were never touched.
      expect(await fieldOutcomes('Dataset.sample', () => data(SAMPLE, { d: e }, NO_CACHE))).toEqual({ hits: 1, misses: 0 });
      expect(await fieldOutcomes('Dataset.quality', () => data(QUALITY, { d: e }, NO_CACHE))).toEqual({ hits: 1, misses: 0 });
    });

    it('startTraining makes a cached list it joins (also an empty one) a miss, and the new run appears', async () => {
      // F: a dataset with no PENDING run, whose (empty) list of pending runs gets cached.
      const datasets = await data(
        `{ datasets(first: 100) { nodes { id pending: modelRuns(first: 1, status: PENDING) { totalCount } } } }`,
        undefined,
        NO_CACHE,
      );
      const ids: string[] = datasets.datasets.nodes.map((node: any) => node.id);
      const f = datasets.datasets.nodes.find((node: any) => node.pending.totalCount === 0).id as string;
      const g = ids.find((id) => id !== f)!;
      const PENDING = `query($d: ID!) { modelRuns(datasetId: $d, status: PENDING, first: 10) { nodes { id name } totalCount } }`;
      const probes: Record<string, Probe> = {
        pendingOfF: { query: PENDING, variables: { d: f } },
        datasetFRuns: { query: `query($d: ID!) { dataset(id: $d) { id modelRuns(first: 3) { nodes { id } } } }`, variables: { d: f } },
        allRuns: { query: `{ modelRuns(first: 3) { nodes { id } } }` },
        rankingF: { query: `query($d: ID!) { modelRanking(datasetId: $d, metric: F1) { entries { run { id } } } }`, variables: { d: f } },
        pendingOfG: { query: PENDING, variables: { d: g } },
        datasetF: { query: `query($d: ID!) { dataset(id: $d) { id name } }`, variables: { d: f } },
      };
      await warm(probes);
      const before = await expectOnly(probes, []);
      expect(before.pendingOfF.modelRuns).toEqual({ nodes: [], totalCount: 0 });

      const START = `mutation($d: ID!) { startTraining(input: { datasetId: $d, name: "joins-lists", algorithm: "mlp",
        taskType: CLASSIFICATION }) { id } }`;
      const created = (await data(START, { d: f })).startTraining.id;
      // A run list of F's (and the list of all runs): also rankingF, which depends on F's run list.
      const after = await expectOnly(probes, ['pendingOfF', 'datasetFRuns', 'allRuns', 'rankingF']);
      expect(after.pendingOfF.modelRuns).toEqual({ nodes: [{ id: created, name: 'joins-lists' }], totalCount: 1 });
      expect(after.datasetFRuns.dataset.modelRuns.nodes[0]).toEqual({ id: created });
      expect(after.allRuns.modelRuns.nodes[0]).toEqual({ id: created });
      expect(after.rankingF).toEqual(before.rankingF);
    });
  });
});
