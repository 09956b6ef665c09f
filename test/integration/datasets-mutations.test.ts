// updateDataset and appendDatasetRows through HTTP, on a real PostgreSQL and on the embedded database. Each test
// works on its own datasets of TEST_SEED, so the order of the tests does not matter.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseChoices, startTestApp, TEST_SEED, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const DETAIL = `query ($id: ID!) { dataset(id: $id) {
  id name description category tags rowCount updatedAt columns { name type }
  sample(size: 100) quality { rowCount duplicateRows score }
} }`;
const UPDATE = `mutation ($id: ID!, $input: DatasetUpdateInput!) {
  updateDataset(id: $id, input: $input) { id name description category tags updatedAt }
}`;
const APPEND = `mutation ($id: ID!, $rows: [JSON!]!) {
  appendDatasetRows(id: $id, rows: $rows) { id rowCount updatedAt sample(size: 100) quality { rowCount duplicateRows } }
}`;

describe.each(databaseChoices(postgresUp))('dataset mutations on %s', (database) => {
  let t: TestApp;

  async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await t.gql<T>(query, variables);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    return res.body.data as T;
  }

  async function firstError(query: string, variables?: Record<string, unknown>) {
    const res = await t.gql(query, variables);
    expect(res.body.errors, 'expected an error').toHaveLength(1);
    return res.body.errors![0];
  }

  const detail = async (id: string | number) => (await data(DETAIL, { id: String(id) })).dataset;

  beforeAll(async () => {
    t = await startTestApp({ database });
  });
  afterAll(() => t?.close());

  describe('updateDataset', () => {
    it('changes the given fields, bumps updatedAt, and later reads show the change', async () => {
      const before = await detail(5);
      const input = { name: '  Renamed Zeta Survey  ', description: 'Fresh words', category: 'Zoology', tags: ['b', 'a', 'b'] };
      const { updateDataset } = await data(UPDATE, { id: '5', input });
      expect(updateDataset).toMatchObject({ id: '5', name: 'Renamed Zeta Survey', description: 'Fresh words', category: 'Zoology', tags: ['b', 'a'] });
      expect(Date.parse(updateDataset.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));

      const after = await detail(5);
      expect(after).toMatchObject({ name: 'Renamed Zeta Survey', category: 'Zoology', rowCount: before.rowCount, columns: before.columns });
      const lists = await data(`{
        datasets(search: "zeta survey") { nodes { id } }
        byCategory: datasets(category: "Zoology") { totalCount }
        topUpdatedDatasets(limit: 1) { id }
        categories { name datasetCount }
      }`);
      expect(lists.datasets.nodes).toEqual([{ id: '5' }]);
      expect(lists.byCategory.totalCount).toBe(1);
      expect(lists.topUpdatedDatasets).toEqual([{ id: '5' }]);
      expect(lists.categories).toContainEqual({ name: 'Zoology', datasetCount: 1 });
      const total = lists.categories.reduce((sum: number, c: { datasetCount: number }) => sum + c.datasetCount, 0);
      expect(total).toBe(TEST_SEED.datasets);
    });

    it('leaves the fields it was not given alone', async () => {
      const before = await detail(6);
      await data(UPDATE, { id: '6', input: { description: '' } });
      const after = await detail(6);
      expect(after).toMatchObject({ name: before.name, category: before.category, tags: before.tags, description: '' });
    });

    it('refuses a name another dataset has with CONFLICT, and changes nothing', async () => {
      const taken = (await detail(8)).name;
      const before = await detail(7);
      const error = await firstError(UPDATE, { id: '7', input: { name: taken, description: 'should not stick' } });
      expect(error.extensions?.code).toBe('CONFLICT');
      expect(error.message).toContain(taken);
      expect(await detail(7)).toEqual(before);
    });

    it('accepts the name the dataset already has', async () => {
      const { name } = await detail(9);
      expect((await data(UPDATE, { id: '9', input: { name } })).updateDataset.name).toBe(name);
    });

    it.each([
      ['an empty input', {}],
      ['a blank name', { name: ' ' }],
      ['a null category', { category: null }],
      ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }],
      ['a 51-character tag', { tags: ['x'.repeat(51)] }],
      ['a 2001-character description', { description: 'x'.repeat(2001) }],
    ])('refuses %s with BAD_USER_INPUT and changes nothing', async (_what, input) => {
      const before = await detail(10);
      expect((await firstError(UPDATE, { id: '10', input })).extensions?.code).toBe('BAD_USER_INPUT');
      expect(await detail(10)).toEqual(before);
    });

    it('answers NOT_FOUND for a dataset that does not exist, and BAD_USER_INPUT for a malformed id', async () => {
      expect((await firstError(UPDATE, { id: '99999', input: { name: 'x' } })).extensions?.code).toBe('NOT_FOUND');
      expect((await firstError(UPDATE, { id: 'abc', input: { name: 'x' } })).extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('stores SQL-looking text as text', async () => {
      const name = "Robert'); drop table datasets; --";
      expect((await data(UPDATE, { id: '11', input: { name, tags: ["%'--", '_'] } })).updateDataset).toMatchObject({ name, tags: ["%'--", '_'] });
      expect((await data(`{ datasets { totalCount } }`)).datasets.totalCount).toBe(TEST_SEED.datasets);
      expect((await data(`query ($s: String) { datasets(search: $s) { nodes { id } } }`, { s: "'); drop" })).datasets.nodes).toEqual([{ id: '11' }]);
    });
  });

  describe('pagination after writes', () => {
    async function walkIds(orderBy: string, first: number): Promise<string[]> {
      const ids: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 100; guard += 1) {
        const { datasets }: { datasets: any } = await data(
          `query ($first: Int, $after: String, $orderBy: DatasetOrder) {
            datasets(first: $first, after: $after, orderBy: $orderBy) { nodes { id } pageInfo { hasNextPage endCursor } }
          }`,
          { first, after, orderBy },
        );
        ids.push(...datasets.nodes.map((n: { id: string }) => n.id));
        if (!datasets.pageInfo.hasNextPage) return ids;
        after = datasets.pageInfo.endCursor;
      }
      throw new Error('pagination did not end');
    }

    it('walks UPDATED_AT_DESC without gaps across microsecond timestamps and exact ties', async () => {
      // Writes stamp now(), with microseconds; five datasets then share one past instant, broken only by id.
      for (const id of ['30', '31']) await data(UPDATE, { id, input: { description: `touched ${id}` } });
      await sql`update datasets set updated_at = '2025-06-01T00:00:00.123456Z' where id between 20 and 24`.execute(t.app.database.db);
      const whole = (await data(`{ datasets(first: 100, orderBy: UPDATED_AT_DESC) { nodes { id } } }`)).datasets.nodes.map((n: { id: string }) => n.id);
      expect(whole).toHaveLength(TEST_SEED.datasets);
      const tied = whole.indexOf('24');
      expect(whole.slice(tied, tied + 5)).toEqual(['24', '23', '22', '21', '20']);
      for (const first of [1, 2, 3]) expect(await walkIds('UPDATED_AT_DESC', first)).toEqual(whole);
    });
  });

  describe('appendDatasetRows', () => {
    /** A seeded dataset whose rows all fit in one sample, so appended rows show up in it. */
    async function smallDataset(skip: number) {
      const { datasets } = await data(`{ datasets(first: 100, orderBy: ROW_COUNT_DESC) { nodes { id rowCount } } }`);
      const small = datasets.nodes.filter((d: { rowCount: number }) => d.rowCount <= 95);
      expect(small.length).toBeGreaterThan(skip);
      return detail(small[small.length - 1 - skip].id);
    }

    function rowFor(columns: { name: string; type: string }[], id: number): Record<string, unknown> {
      const values: Record<string, unknown> = { INTEGER: 7, FLOAT: 1.25, STRING: 'new', BOOLEAN: true, DATE: '2026-03-01' };
      return Object.fromEntries(columns.map((c) => [c.name, c.name === 'id' ? id : values[c.type]]));
    }

    it('appends after the stored rows: rowCount, updatedAt, sample and quality reflect it at once', async () => {
      const before = await smallDataset(0);
      const rows = [rowFor(before.columns, 1001), rowFor(before.columns, 1002), before.sample[0]];
      const { appendDatasetRows } = await data(APPEND, { id: before.id, rows });
      expect(appendDatasetRows.rowCount).toBe(before.rowCount + 3);
      expect(Date.parse(appendDatasetRows.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
      expect(appendDatasetRows.sample).toEqual([...before.sample, ...rows]);
      // The third row repeats the first stored row.
      expect(appendDatasetRows.quality).toEqual({ rowCount: before.rowCount + 3, duplicateRows: before.quality.duplicateRows + 1 });

      const after = await detail(before.id);
      expect(after.rowCount).toBe(before.rowCount + 3);
      expect(after.sample.slice(before.rowCount)).toEqual(rows);
      expect(after.quality.rowCount).toBe(before.rowCount + 3);
      const { topUpdatedDatasets } = await data(`{ topUpdatedDatasets(limit: 1) { id } }`);
      expect(topUpdatedDatasets).toEqual([{ id: before.id }]);
    });

    it('accepts partial rows and nulls, which lower completeness', async () => {
      const before = await smallDataset(1);
      const { appendDatasetRows } = await data(APPEND, { id: before.id, rows: [{ id: null }, {}] });
      expect(appendDatasetRows.sample.slice(-2)).toEqual([{ id: null }, {}]);
      const after = await detail(before.id);
      expect(after.quality.score).toBeLessThan(before.quality.score);
    });

    it('appends nothing when one row of the batch names an unknown column, and names it and the row', async () => {
      const before = await smallDataset(2);
      const rows = [rowFor(before.columns, 1), rowFor(before.columns, 2), { ...rowFor(before.columns, 3), colour: 'red' }];
      const error = await firstError(APPEND, { id: before.id, rows });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(/rows\[2\].*"colour"/);
      expect(await detail(before.id)).toEqual(before);
    });

    it.each([
      ['no rows', []],
      ['1001 rows', Array.from({ length: 1001 }, () => ({ id: 1 }))],
      ['a nested object', [{ id: 1 }, { id: { n: 1 } }]],
      ['a nested array', [{ id: [1] }]],
      ['a row that is not an object', [{ id: 1 }, 'id=2']],
      ['a row over 16 KB', [{ id: 1 }, { id: 'x'.repeat(17_000) }]],
      ['a NUL character', [{ id: 'a\u0000b' }]],
    ])('refuses %s with BAD_USER_INPUT and appends nothing', async (_what, rows) => {
      const before = await detail(12);
      expect((await firstError(APPEND, { id: '12', rows })).extensions?.code).toBe('BAD_USER_INPUT');
      expect(await detail(12)).toEqual(before);
    });

    it('answers NOT_FOUND for a dataset that does not exist', async () => {
      expect((await firstError(APPEND, { id: '99999', rows: [{ id: 1 }] })).extensions?.code).toBe('NOT_FOUND');
    });

    it('keeps concurrent appends apart: every row lands once, at its own index', async () => {
      const before = await detail(13);
      const batches = Array.from({ length: 4 }, (_, b) => Array.from({ length: 5 }, (_, r) => ({ id: 5000 + b * 10 + r })));
      const results = await Promise.all(batches.map((rows) => t.gql(APPEND, { id: '13', rows })));
      for (const res of results) expect(res.body.errors).toBeUndefined();
      const { dataset } = await data(`{ dataset(id: "13") { rowCount quality { rowCount duplicateRows } } }`);
      expect(dataset.rowCount).toBe(before.rowCount + 20);
      expect(dataset.quality).toEqual({ rowCount: before.rowCount + 20, duplicateRows: before.quality.duplicateRows });
    });
  });
});
