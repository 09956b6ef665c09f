// What the datasets domain tells the cache engine: the tags each read depends on, the tags each mutation
// invalidates (after its commit), and the expensive fields it routes through the field cache. Executed against the
// real schema and a real database, with a context whose cache seams record what they are handed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldCache } from '../../src/cache/field-cache.js';
import type { Database } from '../../src/db/database.js';
import { createRequestContext, type RequestContext } from '../../src/graphql/context.js';
import { createRepositories } from '../../src/graphql/domains.js';
import { databaseChoices } from '../helpers/app.js';
import { startSchemaHarness, type SchemaHarness } from '../helpers/schema-harness.js';
import { postgresUp } from '../helpers/services.js';

interface Recorded {
  ctx: RequestContext;
  invalidated: string[][];
  /** What the database said the dataset's name was when each invalidation arrived. */
  namesAtInvalidation: (string | undefined)[];
  fields: { field: string; args: Record<string, unknown> }[];
}

describe.each(databaseChoices(postgresUp))('dataset cache tags on %s', (database) => {
  let db: Database;
  let apollo: SchemaHarness['apollo'];
  let harness: SchemaHarness;

  async function run(query: string, variables?: Record<string, unknown>, watchId?: number) {
    const repos = createRepositories(db.db);
    const recorded: Omit<Recorded, 'ctx'> = { invalidated: [], namesAtInvalidation: [], fields: [] };
    const fieldCache: FieldCache = {
      resolve(field, args, compute) {
        recorded.fields.push({ field, args });
        return compute();
      },
    };
    const ctx = createRequestContext({
      repos,
      pingDatabase: () => db.ping(),
      version: 'test',
      startedAt: Date.now(),
      fieldCache,
      invalidate: async (tags) => {
        recorded.invalidated.push([...tags].sort());
        if (watchId !== undefined) recorded.namesAtInvalidation.push((await repos.datasets.findByIds([watchId]))[0]?.name);
      },
    });
    const response = await apollo.executeOperation({ query, variables }, { contextValue: ctx });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { result: response.body.singleResult, ...recorded, ctx };
  }

  beforeAll(async () => {
    harness = await startSchemaHarness(database);
    ({ db, apollo } = harness);
  });
  afterAll(() => harness?.close());

  it('records the entity tag of a dataset and the rows tag of its sample and quality', async () => {
    const { result, ctx } = await run(`{ dataset(id: "3") { name sample(size: 2) quality { score } } }`);
    expect(result.errors).toBeUndefined();
    expect(ctx.deps.tags.sort()).toEqual(['Dataset:3', 'DatasetRows:3']);
  });

  it('records the collection tag and every listed dataset for a page', async () => {
    const { result, ctx } = await run(`{ datasets(first: 4) { nodes { id } } }`);
    const ids = (result.data as any).datasets.nodes.map((n: { id: string }) => `Dataset:${n.id}`);
    expect(ctx.deps.tags.sort()).toEqual(['Dataset:list', ...ids].sort());
  });

  it('records the collection tag for an empty page too, so that a write that fills it invalidates it', async () => {
    const { ctx } = await run(`{ datasets(search: "no such dataset") { nodes { id } } }`);
    expect(ctx.deps.tags).toEqual(['Dataset:list']);
  });

  it('records the collection tag for topUpdatedDatasets and categories', async () => {
    const top = await run(`{ topUpdatedDatasets(limit: 2) { id } }`);
    expect(top.ctx.deps.tags).toContain('Dataset:list');
    expect(top.ctx.deps.tags).toHaveLength(3);
    expect((await run(`{ categories { name } }`)).ctx.deps.tags).toEqual(['Dataset:list']);
  });

  it('routes sample and quality through the field cache, keyed by what determines them', async () => {
    const { fields } = await run(`{ dataset(id: "4") { sample(size: 3) quality { score } } }`);
    expect(fields).toEqual([
      { field: 'Dataset.sample', args: { id: 4, size: 3 } },
      { field: 'Dataset.quality', args: { id: 4 } },
    ]);
  });

  it('invalidates the dataset and every list after updateDataset has committed', async () => {
    const { result, invalidated, namesAtInvalidation } = await run(
      `mutation { updateDataset(id: "5", input: { name: "Tagged rename" }) { name } }`,
      undefined,
      5,
    );
    expect(result.errors).toBeUndefined();
    expect(invalidated).toEqual([['Dataset:5', 'Dataset:list']]);
    expect(namesAtInvalidation).toEqual(['Tagged rename']);
  });

  it('invalidates the dataset, its rows and every list after appendDatasetRows', async () => {
    const { result, invalidated } = await run(`mutation { appendDatasetRows(id: "6", rows: [{ id: 1 }]) { rowCount } }`);
    expect(result.errors).toBeUndefined();
    expect(invalidated).toEqual([['Dataset:6', 'Dataset:list', 'DatasetRows:6']]);
  });

  it('invalidates nothing when a mutation fails', async () => {
    const failures = [
      `mutation { updateDataset(id: "99999", input: { name: "x" }) { id } }`,
      `mutation { updateDataset(id: "7", input: {}) { id } }`,
      `mutation { appendDatasetRows(id: "7", rows: [{ nope: 1 }]) { id } }`,
    ];
    for (const mutation of failures) {
      const { result, invalidated } = await run(mutation);
      expect(result.errors).toHaveLength(1);
      expect(invalidated).toEqual([]);
    }
  });
});
