// What the assessments domain tells the cache engine: the tags its reads depend on, the expensive field it routes
// through the field cache (and with which arguments), and the one tag updateCoefficients invalidates after commit.
// Executed against the real schema and a real database, with cache seams that record what they are handed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldCache } from '../../src/cache/field-cache.js';
import type { Database } from '../../src/db/database.js';
import { createRequestContext } from '../../src/graphql/context.js';
import { createRepositories } from '../../src/graphql/domains.js';
import { databaseChoices } from '../helpers/app.js';
import { startSchemaHarness, type SchemaHarness } from '../helpers/schema-harness.js';
import { postgresUp } from '../helpers/services.js';

describe.each(databaseChoices(postgresUp))('assessment cache tags on %s', (database) => {
  let db: Database;
  let apollo: SchemaHarness['apollo'];
  let harness: SchemaHarness;

  async function run(query: string) {
    const repos = createRepositories(db.db);
    const fields: { field: string; args: Record<string, unknown> }[] = [];
    const invalidated: { tags: string[]; coefficientAtInvalidation: number }[] = [];
    const fieldCache: FieldCache = {
      resolve(field, args, compute) {
        fields.push({ field, args });
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
        // What a reader would see at this moment: the write must already be committed.
        const [table] = await repos.assessments.findTablesByNames(['OECD_ICIO']);
        invalidated.push({ tags: [...tags], coefficientAtInvalidation: table.matrix.get(0, 1) });
      },
    });
    const response = await apollo.executeOperation({ query }, { contextValue: ctx });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { result: response.body.singleResult, fields, invalidated, tags: ctx.deps.tags.sort() };
  }

  beforeAll(async () => {
    harness = await startSchemaHarness(database);
    ({ db, apollo } = harness);
  });
  afterAll(() => harness?.close());

  it('records the collection tag and every model for ioModels', async () => {
    const { result, tags } = await run(`{ ioModels { name sectors { code } } }`);
    expect(result.errors).toBeUndefined();
    expect(tags).toEqual(['IoModel:EXIOBASE', 'IoModel:OECD_ICIO', 'IoModel:list']);
  });

  it('records only the model read by ioModel, coefficient and assessment', async () => {
    expect((await run(`{ ioModel(name: "EXIOBASE") { name } }`)).tags).toEqual(['IoModel:EXIOBASE']);
    // A miss is recorded too: creating the model later must invalidate the cached null.
    expect((await run(`{ ioModel(name: "WIOD") { name } }`)).tags).toEqual(['IoModel:WIOD']);
    const coefficient = await run(
      `{ coefficient(model: "OECD_ICIO", from: { country: "USA", sector: "C01T02" }, to: { country: "CHN", sector: "C10T12" }) }`,
    );
    expect(coefficient.tags).toEqual(['IoModel:OECD_ICIO']);
    const assessment = await run(`{ assessment(model: "EXIOBASE", country: "DEU", sector: "C10T12") { riskScore } }`);
    expect(assessment.tags).toEqual(['IoModel:EXIOBASE']);
  });

  it('routes each assessment through the field cache, keyed by model, country and sector', async () => {
    const { result, fields } = await run(`{
      one: assessment(model: "OECD_ICIO", country: "USA", sector: "C10T12") { riskScore }
      many: assessments(model: "OECD_ICIO", pairs: [
        { country: "CHN", sector: "C01T02" }, { country: "USA", sector: "C10T12" }, { country: "CHN", sector: "C01T02" }
      ]) { riskScore }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data as { one: { riskScore: number }; many: { riskScore: number }[] };
    expect(data.many[1]).toEqual(data.one);
    expect(data.many[2]).toEqual(data.many[0]);
    // The repeated pair inside the batch is asked once; across fields each asks, so the cache can answer.
    expect(fields).toEqual([
      { field: 'assessment', args: { model: 'OECD_ICIO', country: 'USA', sector: 'C10T12' } },
      { field: 'assessment', args: { model: 'OECD_ICIO', country: 'CHN', sector: 'C01T02' } },
      { field: 'assessment', args: { model: 'OECD_ICIO', country: 'USA', sector: 'C10T12' } },
    ]);
  });

  it('does not compute (or cache) an assessment of an unknown country-sector', async () => {
    const { result, fields } = await run(`{ assessment(model: "OECD_ICIO", country: "XXX", sector: "C10T12") { riskScore } }`);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(fields).toEqual([]);
  });

  it('invalidates exactly the model it changed, after the change is committed', async () => {
    const { result, invalidated } = await run(`mutation {
      updateCoefficients(model: "OECD_ICIO", changes: [
        { from: { country: "USA", sector: "C01T02" }, to: { country: "USA", sector: "C05T06" }, value: 0.0123 }
      ]) { changed }
    }`);
    expect(result.errors).toBeUndefined();
    expect(invalidated).toEqual([{ tags: ['IoModel:OECD_ICIO'], coefficientAtInvalidation: 0.0123 }]);
  });

  it('invalidates nothing when the change is rejected', async () => {
    const { result, invalidated } = await run(`mutation {
      updateCoefficients(model: "OECD_ICIO", changes: [
        { from: { country: "USA", sector: "C01T02" }, to: { country: "USA", sector: "C05T06" }, value: 0.9999 }
      ]) { changed }
    }`);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(invalidated).toEqual([]);
  });
});
