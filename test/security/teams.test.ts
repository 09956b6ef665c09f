// Team-private data: a caller sees public data and its own team's, and nothing of another team: not in lists, counts,
// categories, rankings, comparisons, topUpdatedDatasets, by id, through a write (NOT_FOUND, never FORBIDDEN), in the
// ETag, or in the cache explain. Demo data: teams `risk` and `growth`, two private datasets each, with runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { PRIVATE_CATEGORY } from '../../src/datasets/team-seed.js';
import { ADMIN_AUTH, startTestApp, TEST_SEED, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';
import { databaseFingerprint, teamMarkers } from './helpers.js';

describe.skipIf(!postgresUp)('team-private data', () => {
  let t: TestApp;
  const auth: Record<string, Record<string, string>> = {};
  let privateDatasets: { id: number; team: string }[];
  let privateRuns: { id: number; team: string }[];

  beforeAll(async () => {
    t = await startTestApp({ database: 'postgres' });
    const keys = new ApiKeyRepository(t.app.database.db);
    for (const team of ['risk', 'growth']) {
      for (const role of ['reader', 'writer'] as const) {
        auth[`${team}-${role}`] = { authorization: `Bearer ${(await keys.create({ role, team })).key}` };
      }
    }
    const db = t.app.database.db;
    privateDatasets = (await db.selectFrom('datasets').select(['id', 'team']).where('team', 'is not', null).execute()) as { id: number; team: string }[];
    privateRuns = (await db
      .selectFrom('model_runs')
      .innerJoin('datasets', 'datasets.id', 'model_runs.dataset_id')
      .select(['model_runs.id as id', 'datasets.team as team'])
      .where('datasets.team', 'is not', null)
      .execute()) as { id: number; team: string }[];
  }, 120_000);
  afterAll(() => t?.close());

  const callers = () => [
    { who: 'anonymous', headers: {}, sees: [] as string[] },
    { who: 'risk', headers: auth['risk-reader']!, sees: ['risk'] },
    { who: 'growth', headers: auth['growth-reader']!, sees: ['growth'] },
  ];

  function expectOnly(text: string, sees: string[]) {
    for (const team of ['risk', 'growth']) {
      if (sees.includes(team)) continue;
      expect(teamMarkers(team).exec(text)?.[0] ?? null, `${team} data in ${text.slice(0, 300)}`).toBeNull();
    }
  }

  it('seeds two teams with private datasets after the public ones (public ids unchanged)', () => {
    expect(privateDatasets.map((d) => d.team).sort()).toEqual(['growth', 'growth', 'risk', 'risk']);
    expect(Math.min(...privateDatasets.map((d) => d.id))).toBe(TEST_SEED.datasets + 1);
    expect(Math.min(...privateRuns.map((r) => r.id))).toBe(TEST_SEED.modelRuns + 1);
  });

  it('lists, counts, categories and topUpdatedDatasets show public data and the caller’s team only', async () => {
    const query = `{ datasets(first: 100) { totalCount nodes { id name } } categories { name datasetCount }
      topUpdatedDatasets(limit: 5) { id name } modelRuns(first: 100) { totalCount nodes { id name } } }`;
    for (const caller of callers()) {
      const response = await t.gql(query, undefined, caller.headers);
      expect(response.body.errors).toBeUndefined();
      expectOnly(response.text, caller.sees);
      const data = response.body.data;
      expect(data.datasets.totalCount).toBe(TEST_SEED.datasets + 2 * caller.sees.length);
      expect(data.categories.some((c: { name: string }) => c.name === PRIVATE_CATEGORY)).toBe(caller.sees.length > 0);
      expect(data.topUpdatedDatasets.some((d: { name: string }) => / team: /.test(d.name))).toBe(caller.sees.length > 0);
      expect(data.modelRuns.totalCount).toBe(TEST_SEED.modelRuns + 8 * caller.sees.length);
    }
  });

  it('answers another team’s dataset or run by id as missing, and rankings and comparisons with NOT_FOUND', async () => {
    for (const caller of callers()) {
      for (const dataset of privateDatasets) {
        const visible = caller.sees.includes(dataset.team);
        const byId = await t.gql('query($id: ID!) { dataset(id: $id) { id name quality { score } modelRuns { totalCount } } }', { id: dataset.id }, caller.headers);
        expect(byId.body.data.dataset === null).toBe(!visible);
        const ranking = await t.gql('query($id: ID!) { modelRanking(datasetId: $id, metric: ACCURACY) { entries { run { name } } } }', { id: dataset.id }, caller.headers);
        expect(ranking.body.errors?.[0]?.extensions?.code ?? 'none').toBe(visible ? 'none' : 'NOT_FOUND');
        const runs = await t.gql('query($id: ID!) { modelRuns(datasetId: $id) { totalCount nodes { name } } }', { id: dataset.id }, caller.headers);
        expect(runs.body.data.modelRuns.totalCount).toBe(visible ? 4 : 0);
        for (const response of [byId, ranking, runs]) expectOnly(response.text, caller.sees);
      }
      for (const run of privateRuns) {
        const visible = caller.sees.includes(run.team);
        const byId = await t.gql('query($id: ID!) { modelRun(id: $id) { name } }', { id: run.id }, caller.headers);
        expect(byId.body.data.modelRun === null).toBe(!visible);
        const compared = await t.gql('query($ids: [ID!]!) { compareModels(ids: $ids) { runs { name } } }', { ids: ['1', String(run.id)] }, caller.headers);
        expect(compared.body.errors?.[0]?.extensions?.code ?? 'none').toBe(visible ? 'none' : 'NOT_FOUND');
        for (const response of [byId, compared]) expectOnly(response.text, caller.sees);
      }
    }
  });

  it('refuses a write to another team’s data with NOT_FOUND and writes nothing', async () => {
    const growthDataset = privateDatasets.find((d) => d.team === 'growth')!;
    const growthRun = privateRuns.find((r) => r.team === 'growth')!;
    const before = await databaseFingerprint(t.databaseUrl!);
    const writes = [
      ['mutation($id: ID!) { updateDataset(id: $id, input: { description: "risk was here" }) { id } }', { id: growthDataset.id }],
      ['mutation($id: ID!) { appendDatasetRows(id: $id, rows: [{ id: 1 }]) { id } }', { id: growthDataset.id }],
      ['mutation($id: ID!) { startTraining(input: { datasetId: $id, name: "x", algorithm: "y", taskType: CLASSIFICATION }) { id } }', { id: growthDataset.id }],
      ['mutation($id: ID!) { failTraining(id: $id, error: "x") { id } }', { id: growthRun.id }],
      ['mutation($id: ID!) { deleteModelRun(id: $id) { id } }', { id: growthRun.id }],
    ] as const;
    for (const [query, variables] of writes) {
      const response = await t.gql(query, variables, auth['risk-writer']);
      expect(response.body.errors?.[0]?.extensions?.code, response.text).toBe('NOT_FOUND');
      expectOnly(response.text, ['risk']);
    }
    expect(await databaseFingerprint(t.databaseUrl!)).toEqual(before);
    // Its own team's data, and public data, a writer may change.
    const own = privateDatasets.find((d) => d.team === 'risk')!;
    const wrote = await t.gql('mutation($id: ID!) { updateDataset(id: $id, input: { description: "risk-secret note" }) { description } }', { id: own.id }, auth['risk-writer']);
    expect(wrote.body.data.updateDataset.description).toBe('risk-secret note');
  });

  it('keys GET responses (and their ETags) by the caller’s visibility', async () => {
    const query = encodeURIComponent('{ datasets(first: 100) { totalCount } }');
    const get = (headers: Record<string, string>) =>
      fetch(`${t.url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true', ...headers } });
    const anonymous = await get({});
    const risk = await get(auth['risk-reader']!);
    expect(anonymous.headers.get('etag')).toBeTruthy();
    expect(risk.headers.get('etag')).not.toBe(anonymous.headers.get('etag'));
    // The team's ETag, sent by an anonymous caller, matches nothing: 200 with public data, not 304.
    const replay = await get({ 'if-none-match': risk.headers.get('etag')! });
    expect(replay.status).toBe(200);
    expect((await replay.json()).data.datasets.totalCount).toBe(TEST_SEED.datasets);
  });

  it('shares one entry among a team’s members (keyed by team, not by person)', async () => {
    const keys = new ApiKeyRepository(t.app.database.db);
    const second = { authorization: `Bearer ${(await keys.create({ role: 'reader', team: 'risk' })).key}` };
    const query = '{ topUpdatedDatasets(limit: 3) { name } }';
    await t.gql(query, undefined, auth['risk-reader']);
    const other = await t.gql(query, undefined, second);
    expect(other.headers.get('x-beacon-cache')).toBe('HIT-L1');
    const admin = await t.gql(query, undefined, ADMIN_AUTH);
    expect(admin.headers.get('x-beacon-cache')).toBe('MISS');
  });

  it('answers the examples of docs/security.md as the page says', async () => {
    const page = readFileSync(path.resolve('docs/security.md'), 'utf8');
    const query = /```graphql\n([\s\S]*?)```/.exec(page)![1]!;
    const anonymous = (await t.gql(query)).body.data;
    expect(anonymous.datasets.totalCount).toBe(TEST_SEED.datasets);
    expect(anonymous.categories.map((c: { name: string }) => c.name)).not.toContain(PRIVATE_CATEGORY);
    const risk = (await t.gql(query, undefined, auth['risk-reader'])).body.data;
    expect(risk.datasets.totalCount).toBe(TEST_SEED.datasets + 2);
    expect(risk.categories).toContainEqual({ name: PRIVATE_CATEGORY, datasetCount: 1 });
    expect(risk.topUpdatedDatasets.slice(0, 2).every((d: { name: string }) => d.name.startsWith('Risk team'))).toBe(true);
    // The curl example: a writer key fails a run (here a pending one of the demo data).
    const curl = /-d '(\{"query":"mutation[^']*)'/.exec(page)![1]!;
    const { query: mutation } = JSON.parse(curl) as { query: string };
    const pending = await t.app.database.db.selectFrom('model_runs').select('id').where('status', 'in', ['PENDING', 'RUNNING']).orderBy('id').executeTakeFirstOrThrow();
    const response = await t.gql(mutation.replace('"5001"', `"${pending.id}"`), undefined, auth['risk-writer']);
    expect(response.body.data.failTraining).toEqual({ id: String(pending.id), status: 'FAILED' });
  });
});
