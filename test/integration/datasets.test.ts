// The datasets read API through HTTP, on a real PostgreSQL and on the embedded database, over TEST_SEED (40 datasets).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessQuality } from '../../src/datasets/quality.js';
import { databaseChoices, startTestApp, TEST_SEED, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const ORDERS = ['NAME', 'UPDATED_AT_DESC', 'CREATED_AT_DESC', 'ROW_COUNT_DESC'] as const;
const TOTAL = TEST_SEED.datasets;

interface Listed {
  id: string;
  name: string;
  description: string;
  category: string;
  rowCount: number;
  createdAt: string;
  updatedAt: string;
}

const LIST = `query List($first: Int, $after: String, $orderBy: DatasetOrder, $category: String, $search: String) {
  datasets(first: $first, after: $after, orderBy: $orderBy, category: $category, search: $search) {
    nodes { id name description category rowCount createdAt updatedAt }
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe.each(databaseChoices(postgresUp))('datasets on %s', (database) => {
  let t: TestApp;
  let all: Listed[];

  /** The data of a request that must succeed. */
  async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await t.gql<T>(query, variables);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    return res.body.data as T;
  }

  /** The error codes of a request that must fail. */
  async function errorCodes(query: string, variables?: Record<string, unknown>): Promise<unknown[]> {
    const res = await t.gql(query, variables);
    return (res.body.errors ?? []).map((error) => error.extensions?.code);
  }

  async function walk(orderBy: string, first: number, filter: Record<string, unknown> = {}): Promise<Listed[][]> {
    const pages: Listed[][] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard += 1) {
      const { datasets }: { datasets: any } = await data(LIST, { first, after, orderBy, ...filter });
      pages.push(datasets.nodes);
      expect(datasets.edges.map((e: any) => e.node.id)).toEqual(datasets.nodes.map((n: Listed) => n.id));
      if (datasets.nodes.length > 0) expect(datasets.pageInfo.endCursor).toBe(datasets.edges.at(-1).cursor);
      if (!datasets.pageInfo.hasNextPage) return pages;
      after = datasets.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  beforeAll(async () => {
    t = await startTestApp({ database });
    all = (await data(LIST, { first: 100 })).datasets.nodes;
  });
  afterAll(() => t?.close());

  describe('dataset(id)', () => {
    it('returns a dataset with its typed columns, tags and timestamps', async () => {
      const { dataset } = await data(`{ dataset(id: "1") { id name description category tags rowCount createdAt updatedAt columns { name type } } }`);
      expect(dataset).toMatchObject({ id: '1', name: expect.stringMatching(/#1$/), category: 'Agriculture' });
      expect(dataset.columns[0]).toEqual({ name: 'id', type: 'INTEGER' });
      expect(dataset.columns.length).toBeGreaterThanOrEqual(4);
      expect(dataset.tags).toContain('agriculture');
      expect(dataset.rowCount).toBeGreaterThanOrEqual(50);
      expect(dataset.rowCount).toBeLessThanOrEqual(200);
      expect(Date.parse(dataset.updatedAt)).toBeGreaterThanOrEqual(Date.parse(dataset.createdAt));
    });

    it('is null, without an error, for an id that does not exist', async () => {
      const res = await t.gql('{ dataset(id: "999999") { id } }');
      expect(res.body).toEqual({ data: { dataset: null } });
    });

    it.each(['abc', '0', '-1', '1.5', '99999999999'])('refuses the id %j as BAD_USER_INPUT', async (id) => {
      expect(await errorCodes('query ($id: ID!) { dataset(id: $id) { id } }', { id })).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('datasets connection', () => {
    it('lists every dataset once when asked for 100', () => {
      expect(all).toHaveLength(TOTAL);
      expect(new Set(all.map((d) => d.id)).size).toBe(TOTAL);
    });

    it.each(ORDERS)('walks all %s pages without gaps or overlaps', async (orderBy) => {
      const whole = (await data(LIST, { first: 100, orderBy })).datasets.nodes as Listed[];
      const pages = await walk(orderBy, 7);
      expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 7, 7, 5]);
      expect(pages.flat().map((d) => d.id)).toEqual(whole.map((d) => d.id));
    });

    it('orders by the requested value, ties broken by id', async () => {
      const byRows = (await data(LIST, { first: 100, orderBy: 'ROW_COUNT_DESC' })).datasets.nodes as Listed[];
      for (let i = 1; i < byRows.length; i += 1) {
        const [a, b] = [byRows[i - 1], byRows[i]];
        expect(a.rowCount > b.rowCount || (a.rowCount === b.rowCount && Number(a.id) > Number(b.id))).toBe(true);
      }
      for (const [orderBy, field] of [['UPDATED_AT_DESC', 'updatedAt'], ['CREATED_AT_DESC', 'createdAt']] as const) {
        const nodes = (await data(LIST, { first: 100, orderBy })).datasets.nodes as Listed[];
        const times = nodes.map((d) => Date.parse(d[field]));
        expect(times).toEqual([...times].sort((x, y) => y - x));
      }
    });

    it('orders by name by default', async () => {
      const byName = (await data(LIST, { first: 100, orderBy: 'NAME' })).datasets.nodes as Listed[];
      expect(all.map((d) => d.id)).toEqual(byName.map((d) => d.id));
    });

    it('ends with hasNextPage false and an empty page after the last cursor', async () => {
      const last = (await data(LIST, { first: TOTAL })).datasets;
      expect(last.pageInfo.hasNextPage).toBe(false);
      const after = (await data(LIST, { first: 5, after: last.pageInfo.endCursor })).datasets;
      expect(after).toMatchObject({ nodes: [], edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    });

    it('filters by category, and totalCount counts the filtered datasets', async () => {
      const { datasets } = await data(`{ datasets(category: "Energy", first: 2) { totalCount nodes { category } pageInfo { hasNextPage } } }`);
      const expected = all.filter((d) => d.category === 'Energy').length;
      expect(expected).toBeGreaterThan(2);
      expect(datasets.totalCount).toBe(expected);
      expect(datasets.nodes).toEqual([{ category: 'Energy' }, { category: 'Energy' }]);
      expect(datasets.pageInfo.hasNextPage).toBe(true);
      const walked = (await walk('UPDATED_AT_DESC', 2, { category: 'Energy' })).flat();
      expect(walked).toHaveLength(expected);
    });

    it('counts every dataset in totalCount without a filter, whatever the page', async () => {
      const first = (await data(`{ datasets(first: 3) { totalCount pageInfo { endCursor } } }`)).datasets;
      expect(first.totalCount).toBe(TOTAL);
      const next = await data(`query ($after: String) { datasets(first: 3, after: $after) { totalCount } }`, { after: first.pageInfo.endCursor });
      expect(next.datasets.totalCount).toBe(TOTAL);
    });

    it('searches name and description case-insensitively', async () => {
      const place = all[0].name.split(' ')[0];
      const expected = all.filter((d) => `${d.name} ${d.description}`.toLowerCase().includes(place.toLowerCase()));
      for (const search of [place.toUpperCase(), place.toLowerCase()]) {
        const { datasets } = await data(`query ($search: String) { datasets(first: 100, search: $search) { totalCount nodes { id } } }`, { search });
        expect(datasets.nodes.map((d: Listed) => d.id).sort()).toEqual(expected.map((d) => d.id).sort());
        expect(datasets.totalCount).toBe(expected.length);
      }
      const { datasets } = await data(`{ datasets(search: "records: ", first: 100) { totalCount } }`);
      expect(datasets.totalCount).toBe(TOTAL);
    });

    it('matches % and _ in a search literally, not as wildcards', async () => {
      const count = async (search: string) =>
        (await data(`query ($search: String) { datasets(search: $search) { totalCount } }`, { search })).datasets.totalCount;
      expect(await count('%')).toBe(0);
      // Descriptions list column names, and some of those (recorded_on, duration_min, opened_on) hold an underscore.
      const underscored = all.filter((d) => `${d.name}${d.description}`.includes('_')).length;
      expect(underscored).toBeGreaterThan(0);
      expect(underscored).toBeLessThan(TOTAL);
      expect(await count('_')).toBe(underscored);
      expect(await count('d_on')).toBe(all.filter((d) => d.description.includes('d_on')).length);
      expect(await count('\\')).toBe(0);
    });

    it.each([
      "'; drop table datasets; --",
      "%' or '1'='1",
      "\\' or 1=1 --",
      'x") or true --',
      '$1',
    ])('treats the search %j as text and returns normally', async (search) => {
      const { datasets } = await data(`query ($search: String) { datasets(search: $search) { totalCount nodes { id } } }`, { search });
      expect(datasets).toEqual({ totalCount: 0, nodes: [] });
      expect((await data(`{ datasets { totalCount } }`)).datasets.totalCount).toBe(TOTAL);
    });

    it('treats a blank search as no search', async () => {
      expect((await data(`{ datasets(search: "   ") { totalCount } }`)).datasets.totalCount).toBe(TOTAL);
    });
  });

  describe('bad input to datasets', () => {
    it.each([0, 101, -5])('refuses first: %d', async (first) => {
      expect(await errorCodes(LIST, { first })).toEqual(['BAD_USER_INPUT']);
    });

    it.each(['garbage', 'eyJ4IjoxfQ', Buffer.from('["NAME","x"]').toString('base64url'), 'x'.repeat(600)])(
      'refuses the cursor %j',
      async (after) => {
        expect(await errorCodes(LIST, { after })).toEqual(['BAD_USER_INPUT']);
      },
    );

    it('refuses a cursor made under another ordering', async () => {
      const { endCursor } = (await data(LIST, { first: 2, orderBy: 'UPDATED_AT_DESC' })).datasets.pageInfo;
      const res = await t.gql(LIST, { first: 2, orderBy: 'NAME', after: endCursor });
      expect(res.body.errors?.[0]).toMatchObject({
        message: expect.stringContaining('UPDATED_AT_DESC'),
        extensions: { code: 'BAD_USER_INPUT' },
      });
    });

    it('refuses a search longer than 200 characters and a search holding NUL', async () => {
      expect(await errorCodes(LIST, { search: 'x'.repeat(201) })).toEqual(['BAD_USER_INPUT']);
      expect(await errorCodes(LIST, { search: 'a\u0000b' })).toEqual(['BAD_USER_INPUT']);
      expect((await data(LIST, { search: 'x'.repeat(200) })).datasets.nodes).toEqual([]);
    });
  });

  describe('topUpdatedDatasets', () => {
    it('lists the most recently updated first, as the UPDATED_AT_DESC ordering does', async () => {
      const { topUpdatedDatasets } = await data(`{ topUpdatedDatasets(limit: 5) { id updatedAt } }`);
      const byUpdate = all.slice().sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || Number(b.id) - Number(a.id));
      expect(topUpdatedDatasets.map((d: Listed) => d.id)).toEqual(byUpdate.slice(0, 5).map((d) => d.id));
    });

    it('returns 10 by default and at most every dataset', async () => {
      expect((await data(`{ topUpdatedDatasets { id } }`)).topUpdatedDatasets).toHaveLength(10);
      expect((await data(`{ topUpdatedDatasets(limit: 100) { id } }`)).topUpdatedDatasets).toHaveLength(TOTAL);
    });

    it.each([0, 101])('refuses limit: %d', async (limit) => {
      expect(await errorCodes(`query ($limit: Int) { topUpdatedDatasets(limit: $limit) { id } }`, { limit })).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('categories', () => {
    it('lists every category in use alphabetically, with counts that sum to the total', async () => {
      const { categories } = await data(`{ categories { name datasetCount } }`);
      const names = categories.map((c: { name: string }) => c.name);
      expect(names).toEqual([...new Set(all.map((d) => d.category))].sort());
      expect(names).toHaveLength(14);
      for (const category of categories) {
        expect(category.datasetCount).toBe(all.filter((d) => d.category === category.name).length);
      }
      expect(categories.reduce((sum: number, c: { datasetCount: number }) => sum + c.datasetCount, 0)).toBe(TOTAL);
    });
  });

  describe('Dataset.sample', () => {
    const SAMPLE = `query ($id: ID!, $size: Int) { dataset(id: $id) { rowCount columns { name } sample(size: $size) } }`;

    it('returns the first rows in stored order, keyed by column name in column order', async () => {
      const { dataset } = await data(SAMPLE, { id: '2', size: 3 });
      expect(dataset.sample).toHaveLength(3);
      // The seed numbers the id column from 1; the first row can never repeat an earlier one.
      expect(dataset.sample[0].id).toBe(1);
      const names = dataset.columns.map((c: { name: string }) => c.name);
      for (const row of dataset.sample) expect(names).toEqual(expect.arrayContaining(Object.keys(row)));
      expect(Object.keys(dataset.sample[0])).toEqual(names.filter((n: string) => n in dataset.sample[0]));
    });

    it('returns 10 rows by default, and every row when size exceeds them', async () => {
      expect((await data(SAMPLE, { id: '2' })).dataset.sample).toHaveLength(10);
      const small = all.reduce((a, b) => (a.rowCount <= b.rowCount ? a : b));
      const { dataset } = await data(SAMPLE, { id: small.id, size: 100 });
      expect(dataset.sample).toHaveLength(Math.min(100, small.rowCount));
    });

    it('is a prefix of a larger sample', async () => {
      const three = (await data(SAMPLE, { id: '3', size: 3 })).dataset.sample;
      const ten = (await data(SAMPLE, { id: '3', size: 10 })).dataset.sample;
      expect(ten.slice(0, 3)).toEqual(three);
    });

    it.each([0, 101, -1])('refuses size: %d', async (size) => {
      expect(await errorCodes(SAMPLE, { id: '1', size })).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('Dataset.quality', () => {
    const QUALITY = `query ($id: ID!) { dataset(id: $id) {
      rowCount columns { name type } sample(size: 100)
      quality { score rowCount duplicateRows completeness typeValidity columns { name type completeness typeValidity distinctValues } }
    } }`;

    it('is computed from every stored row: it matches the rules applied to the rows themselves', async () => {
      const small = all.filter((d) => d.rowCount <= 100);
      expect(small.length).toBeGreaterThan(0);
      for (const { id } of small.slice(0, 3)) {
        const { dataset } = await data(QUALITY, { id });
        expect(dataset.sample).toHaveLength(dataset.rowCount);
        expect(dataset.quality).toEqual(assessQuality(dataset.columns, dataset.sample));
      }
    });

    it('reports per-column figures within their bounds and an overall score 0-100', async () => {
      for (const { id } of all.slice(0, 10)) {
        const { dataset } = await data(QUALITY, { id });
        const { quality } = dataset;
        expect(quality.rowCount).toBe(dataset.rowCount);
        expect(quality.columns.map((c: any) => ({ name: c.name, type: c.type }))).toEqual(dataset.columns);
        expect(quality.score).toBeGreaterThan(0);
        expect(quality.score).toBeLessThanOrEqual(100);
        for (const value of [quality.completeness, quality.typeValidity, ...quality.columns.flatMap((c: any) => [c.completeness, c.typeValidity])]) {
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(1);
        }
        // The seed leaves a few cells missing or of the wrong type, so no seeded dataset is perfect.
        expect(quality.score).toBeLessThan(100);
      }
    });

    it('finds the duplicate rows the seed planted somewhere', async () => {
      let duplicates = 0;
      for (const { id } of all) duplicates += (await data(QUALITY, { id })).dataset.quality.duplicateRows;
      expect(duplicates).toBeGreaterThan(0);
    });
  });

  describe('statements sent', () => {
    it('answers 50 datasets with samples and quality in 2 statements: the page and one batch of rows', async () => {
      let result: any;
      const statements = await t.countStatements(async () => {
        result = await data(`{ datasets(first: 50) { nodes { name sample(size: 3) quality { score } } } }`);
      });
      expect(result.datasets.nodes).toHaveLength(TOTAL);
      expect(statements).toBeLessThanOrEqual(2);
    });

    it('adds one count statement only when totalCount is asked for', async () => {
      const statements = await t.countStatements(() =>
        data(`{ datasets(first: 50) { totalCount nodes { name sample(size: 3) quality { score } } } }`),
      );
      expect(statements).toBeLessThanOrEqual(3);
    });

    it('reads a list asked twice under aliases, and the datasets it shows, once', async () => {
      const statements = await t.countStatements(() =>
        data(`{ a: datasets(first: 5) { nodes { id } } b: datasets(first: 5) { nodes { name } } one: dataset(id: "1") { name } }`),
      );
      // The page, plus dataset 1 when the first page by name does not hold it.
      expect(statements).toBeLessThanOrEqual(2);
    });

    it('answers topUpdatedDatasets with samples and quality, and categories, in 3 statements', async () => {
      const statements = await t.countStatements(() =>
        data(`{ topUpdatedDatasets(limit: 20) { name sample(size: 1) quality { score } } categories { name } }`),
      );
      expect(statements).toBeLessThanOrEqual(3);
    });
  });
});
