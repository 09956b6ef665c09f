// "After": a mutation's response tells a writer which tags it invalidated and how many of this instance's cached
// entries and operation responses that made stale, counted, not guessed: two cached reads depend on the run, one
// does not, and the report says 2 operations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const START = `mutation($input: StartTrainingInput!) { startTraining(input: $input) { id dataset { id } } }`;
const FAIL = `mutation($id: ID!) { failTraining(id: $id, error: "oom") { id status } }`;

describe.skipIf(!postgresUp)('mutation responses report their invalidation (postgres)', () => {
  let t: TestApp;
  let writer: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ database: 'postgres' });
    writer = { authorization: `Bearer ${(await new ApiKeyRepository(t.app.database.db).create({ role: 'writer', team: 'risk' })).key}` };
  }, 120_000);
  afterAll(() => t?.close());

  async function ok(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
    const response = await t.gql(query, variables, headers);
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response;
  }

  it('names the tags and counts the stale entries and operations of this instance', async () => {
    const started = await ok(START, { input: { datasetId: '3', name: 'after', algorithm: 'mlp', taskType: 'REGRESSION' } }, writer);
    const { id, dataset } = started.body.data.startTraining;
    expect(started.body.extensions.invalidation.tags).toEqual([`ModelRun:${id}`, 'ModelRun:list:dataset=3', 'ModelRun:list']);

    // Two cached operations depend on the run, one (a dataset's name) does not.
    await ok(`query($id: ID!) { modelRun(id: $id) { id status } }`, { id });
    await ok(`{ modelRuns(first: 3, datasetId: "3") { nodes { id } } }`);
    await ok(`{ dataset(id: "5") { name } }`);
    await t.app.cache.settle();
    const expected = t.app.cache.countTagged([`ModelRun:${id}`, `ModelRun:list:dataset=${dataset.id}`, 'ModelRun:list']);
    expect(expected.operations).toBe(2);

    const failed = await ok(FAIL, { id }, writer);
    expect(failed.body.extensions.invalidation).toEqual({
      tags: [`ModelRun:${id}`, 'ModelRun:list:dataset=3', 'ModelRun:list'],
      staleEntries: expected.entries,
      staleOperations: 2,
    });
    // And they are gone: nothing of this instance carries those tags any more.
    expect(t.app.cache.countTagged([`ModelRun:${id}`]).entries).toBe(0);
  });

  it('says nothing on queries, and reports an empty invalidation for a mutation that changed nothing', async () => {
    const read = await ok(`{ dataset(id: "5") { name } }`);
    expect(read.body.extensions?.invalidation).toBeUndefined();
    const refused = await t.gql(FAIL, { id: '999999' }, writer);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(refused.body.extensions.invalidation).toEqual({ tags: [], staleEntries: 0, staleOperations: 0 });
  });
});
