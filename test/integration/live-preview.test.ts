// "Before": invalidationPreview runs each kind of mutation in a rolled-back transaction and names the tags it would
// invalidate. For every mutation of the schema: the database fingerprint and the cache (invalidation events, L1
// entries) are the same after the preview, and the real mutation then invalidates exactly the previewed tags.
import { buildASTSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';
import { ADMIN_AUTH, startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';
import { databaseFingerprint } from '../security/helpers.js';

const PREVIEW = `query($m: String!, $v: JSON) { invalidationPreview(mutation: $m, variables: $v) { tags staleEntries staleOperations } }`;

describe.skipIf(!postgresUp)('invalidationPreview (postgres)', () => {
  let t: TestApp;
  let admin: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ database: 'postgres' });
    admin = { authorization: `Bearer ${(await new ApiKeyRepository(t.app.database.db).create({ role: 'admin', team: 'risk' })).key}` };
  }, 120_000);
  afterAll(() => t?.close());

  async function data(query: string, variables?: Record<string, unknown>, headers = admin) {
    const response = await t.gql(query, variables, headers);
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response.body;
  }

  function cacheState() {
    const snapshot = t.app.cache.snapshot();
    return { events: snapshot.invalidations.events, tags: snapshot.invalidations.tags, l1: snapshot.tiers[0]!.entries };
  }

  /** Previews `mutation`, checks nothing changed, runs it, returns both tag lists (and the real response). */
  async function previewThenRun(mutation: string, variables: Record<string, unknown>) {
    // Something cached that the write touches, so the counts are not all zero.
    await data(`{ dataset(id: "5") { id name } modelRuns(first: 2) { nodes { id } } }`, undefined, {});
    await t.app.cache.settle();
    const fingerprint = await databaseFingerprint(t.databaseUrl!);
    const cache = cacheState();
    const preview = (await data(PREVIEW, { m: mutation, v: variables })).data.invalidationPreview;
    expect(await databaseFingerprint(t.databaseUrl!), 'database after the preview').toEqual(fingerprint);
    expect(cacheState(), 'cache after the preview').toEqual(cache);
    const real = await data(mutation, variables);
    return { preview, real, actual: real.extensions.invalidation };
  }

  const started: string[] = [];
  const START = `mutation($input: StartTrainingInput!) { startTraining(input: $input) { id } }`;
  const startRun = async () => {
    const id = (await data(START, { input: { datasetId: '3', name: 'preview', algorithm: 'mlp', taskType: 'REGRESSION' } })).data.startTraining.id;
    started.push(id);
    return id as string;
  };

  const cases: Record<string, () => Promise<void>> = {
    async updateDataset() {
      const { preview, actual } = await previewThenRun(`mutation($d: String) { updateDataset(id: "5", input: { description: $d }) { id } }`, { d: 'previewed' });
      expect(preview).toEqual(actual);
      expect(preview.tags).toContain('Dataset:5');
      expect(preview.staleOperations).toBeGreaterThan(0);
    },
    async appendDatasetRows() {
      const columns = (await data(`{ dataset(id: "5") { columns { name type } } }`)).data.dataset.columns as { name: string; type: string }[];
      const sample: Record<string, unknown> = { INTEGER: 1, FLOAT: 1.5, STRING: 'x', BOOLEAN: true, DATE: '2024-01-01' };
      const row = Object.fromEntries(columns.map((column) => [column.name, sample[column.type]]));
      const { preview, actual } = await previewThenRun(`mutation($rows: [JSON!]!) { appendDatasetRows(id: "5", rows: $rows) { id } }`, { rows: [row] });
      expect(preview).toEqual(actual);
      expect(preview.tags).toContain('DatasetRows:5');
    },
    async startTraining() {
      const input = { datasetId: '3', name: 'previewed', algorithm: 'mlp', taskType: 'REGRESSION' };
      const { preview, real, actual } = await previewThenRun(START, { input });
      // Sequences do not roll back: the preview named the id the run would have had; the real write got the next.
      const id = real.data.startTraining.id;
      expect(preview.tags.map((tag: string) => (tag.startsWith('ModelRun:') && /^\d+$/.test(tag.slice(9)) ? 'ModelRun:<new>' : tag))).toEqual(
        actual.tags.map((tag: string) => (tag === `ModelRun:${id}` ? 'ModelRun:<new>' : tag)),
      );
      expect(preview.staleEntries).toBe(actual.staleEntries);
    },
    async completeTraining() {
      const id = await startRun();
      const { preview, actual } = await previewThenRun(
        `mutation($id: ID!) { completeTraining(id: $id, metrics: { rmse: 0.5, r2: 0.9 }, featureImportance: [{ feature: "a", importance: 1 }]) { id } }`,
        { id },
      );
      expect(preview).toEqual(actual);
      expect(preview.tags).toContain(`ModelRun:${id}`);
    },
    async failTraining() {
      const id = await startRun();
      const { preview, actual } = await previewThenRun(`mutation($id: ID!) { failTraining(id: $id, error: "oom") { id } }`, { id });
      expect(preview).toEqual(actual);
    },
    async deleteModelRun() {
      const id = await startRun();
      const { preview, actual } = await previewThenRun(`mutation($id: ID!) { deleteModelRun(id: $id) { id deleted } }`, { id });
      expect(preview).toEqual(actual);
      expect(preview.tags).toContain(`ModelRun:${id}`);
    },
    async updateCoefficients() {
      const model = (await data(`{ ioModel(name: "EXIOBASE") { countries sectors { code } } }`)).data.ioModel;
      const from = { country: model.countries[0], sector: model.sectors[0].code };
      const to = { country: model.countries[1], sector: model.sectors[1].code };
      const { preview, actual } = await previewThenRun(
        `mutation($changes: [CoefficientChangeInput!]!) { updateCoefficients(model: "EXIOBASE", changes: $changes) { changed } }`,
        { changes: [{ from, to, value: 0 }] },
      );
      expect(preview).toEqual(actual);
      expect(preview.tags).toContain('IoModel:EXIOBASE');
    },
    async clearCache() {
      // clearCache answers what it invalidated in its payload.
      const { preview, real } = await previewThenRun(`mutation { clearCache(scope: TAG, value: "Dataset:5") { invalidated } }`, {});
      expect(preview.tags).toEqual(real.data.clearCache.invalidated);
    },
    async warmCache() {
      const { preview, actual } = await previewThenRun(`mutation { warmCache { operations } }`, {});
      expect(preview).toEqual(actual);
      expect(preview.tags).toEqual([]);
    },
  };

  it('covers every mutation of the schema', () => {
    const mutations = Object.keys(buildASTSchema(loadTypeDefs()).getMutationType()!.getFields()).filter((name) => name !== '_noop');
    expect(Object.keys(cases).sort()).toEqual(mutations.sort());
  });

  for (const [name, run] of Object.entries(cases)) it(`${name}: the preview changes nothing and matches the write`, run);

  it('answers the mutation’s own error, and refuses what the caller may not run', async () => {
    const missing = await t.gql(PREVIEW, { m: `mutation { failTraining(id: "999999", error: "x") { id } }` }, admin);
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // A preview is never answered from the cache: it has no @cacheControl hint.
    const sample = `mutation { updateDataset(id: "5", input: { description: "cached?" }) { id } }`;
    for (let i = 0; i < 2; i += 1) expect((await t.gql(PREVIEW, { m: sample }, admin)).headers.get('x-beacon-cache')).not.toMatch(/^HIT/);
    const anonymous = await t.gql(PREVIEW, { m: `mutation { failTraining(id: "1", error: "x") { id } }` }, {});
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const reader = { authorization: `Bearer ${(await new ApiKeyRepository(t.app.database.db).create({ role: 'reader', team: 'risk' })).key}` };
    const refused = await t.gql(PREVIEW, { m: `mutation { clearCache(scope: ALL) { invalidated } }` }, reader);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const query = await t.gql(PREVIEW, { m: `{ dataset(id: "5") { id } }` }, admin);
    expect(query.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('invalidationPreview on the embedded database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: 'embedded' });
  }, 120_000);
  afterAll(() => t?.close());

  it('previews a write that opens its own transaction, and leaves the row as it was', async () => {
    const read = `{ dataset(id: "5") { description } }`;
    const before = (await t.gql(read)).body.data.dataset.description;
    const rows = await t.gql(`{ dataset(id: "5") { columns { name type } } }`);
    const sample: Record<string, unknown> = { INTEGER: 1, FLOAT: 1.5, STRING: 'x', BOOLEAN: true, DATE: '2024-01-01' };
    const row = Object.fromEntries(rows.body.data.dataset.columns.map((c: { name: string; type: string }) => [c.name, sample[c.type]]));
    const count = `{ dataset(id: "5") { rowCount } }`;
    const rowCount = (await t.gql(count)).body.data.dataset.rowCount;
    for (const [mutation, variables] of [
      [`mutation { updateDataset(id: "5", input: { description: "never" }) { id } }`, undefined],
      [`mutation($rows: [JSON!]!) { appendDatasetRows(id: "5", rows: $rows) { id } }`, { rows: [row] }],
    ] as const) {
      const preview = await t.gql(PREVIEW, { m: mutation, v: variables }, ADMIN_AUTH);
      expect(preview.body.errors, JSON.stringify(preview.body.errors)).toBeUndefined();
      expect(preview.body.data.invalidationPreview.tags).toContain('Dataset:5');
    }
    expect((await t.gql(read, undefined, { 'cache-control': 'no-cache' })).body.data.dataset.description).toBe(before);
    expect((await t.gql(count, undefined, { 'cache-control': 'no-cache' })).body.data.dataset.rowCount).toBe(rowCount);
  });
});
