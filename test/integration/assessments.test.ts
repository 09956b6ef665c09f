// The assessments domain through HTTP, on PostgreSQL and on the embedded database: models, assessments, coefficient
// lookups, updates, the errors a client can get, and the number of SQL statements a batch of assessments costs.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseChoices, startTestApp, TEST_SEED, type GqlResult, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

// 6 countries x 8 sectors = 48 x 48 with 25-40 inputs per column: some coefficients are not stored.
const SEED = { ...TEST_SEED, ioCountries: 6, ioSectors: 8 };
const COUNTRIES = ['USA', 'CHN', 'DEU', 'JPN', 'GBR', 'FRA'];
const SECTORS = ['C01T02', 'C05T06', 'C10T12', 'C13T15', 'C16', 'C17T18', 'C19', 'C20'];

const ASSESSMENT_FIELDS = `
  model country sector outputMultiplier domesticShare foreignShare supplierCountryHhi riskScore riskLevel
  topSuppliers(limit: 100) { country sector requirement share }
  countryShares { country share }
  exposureByTier { direct second third rest total }`;

const ASSESS = `query ($model: String!, $country: String!, $sector: String!) {
  assessment(model: $model, country: $country, sector: $sector) { ${ASSESSMENT_FIELDS} }
}`;
const ASSESS_MANY = `query ($model: String!, $pairs: [CountrySectorInput!]!) {
  assessments(model: $model, pairs: $pairs) { ${ASSESSMENT_FIELDS} }
}`;
// Light enough for 100 pairs to stay within the operation cost budget.
const ASSESS_MANY_SCORES = `query ($model: String!, $pairs: [CountrySectorInput!]!) {
  assessments(model: $model, pairs: $pairs) { country sector riskScore riskLevel topSuppliers(limit: 3) { share } }
}`;
const COEFFICIENT = `query ($model: String!, $from: CountrySectorInput!, $to: CountrySectorInput!) {
  coefficient(model: $model, from: $from, to: $to)
}`;
const UPDATE = `mutation ($model: String!, $changes: [CoefficientChangeInput!]!) {
  updateCoefficients(model: $model, changes: $changes) { changed model { name updatedAt } }
}`;

const pair = (country: string, sector: string) => ({ country, sector });

describe.each(databaseChoices(postgresUp))('assessments on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database, seed: SEED });
  });
  afterAll(() => t?.close());

  async function data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await t.gql<T>(query, variables);
    expect(res.body.errors).toBeUndefined();
    return res.body.data as T;
  }

  async function errorOf(query: string, variables?: Record<string, unknown>) {
    const res = await t.gql(query, variables);
    expect(res.body.errors).toHaveLength(1);
    return res.body.errors![0];
  }

  /** Stored coefficients of a model, straight from the table, to pick stored and unstored pairs. */
  async function storedCells(model: string): Promise<Map<string, number>> {
    // Each stored column unpacked in SQL (int4 and float8 big-endian, as column-codec.ts writes them).
    const rows = await sql<{ row_idx: number; col_idx: number; value: number }>`
      select ('x' || encode(substring(c.row_idx from 4 * k + 1 for 4), 'hex'))::bit(32)::int4 as row_idx, c.col_idx,
             c.value as packed, k
      from io_coefficient_columns c join io_models m on m.id = c.model_id,
           generate_series(0, length(c.row_idx) / 4 - 1) as k
      where m.name = ${model}`.execute(t.app.database.db);
    const cells = new Map<string, number>();
    for (const row of rows.rows as unknown as { row_idx: number; col_idx: number; packed: Uint8Array; k: number }[]) {
      const view = new DataView(row.packed.buffer, row.packed.byteOffset, row.packed.byteLength);
      cells.set(`${row.row_idx},${row.col_idx}`, view.getFloat64(row.k * 8, false));
    }
    return cells;
  }
  const labelOf = (index: number) => pair(COUNTRIES[Math.floor(index / SECTORS.length)], SECTORS[index % SECTORS.length]);

  it('lists both demo models with their countries and sectors', async () => {
    const { ioModels } = await data(`{ ioModels { name description countries sectors { code name } updatedAt } }`);
    expect(ioModels.map((m: { name: string }) => m.name)).toEqual(['EXIOBASE', 'OECD_ICIO']);
    for (const model of ioModels) {
      expect(model.countries).toEqual(COUNTRIES);
      expect(model.sectors.map((s: { code: string }) => s.code)).toEqual(SECTORS);
      expect(model.sectors[2]).toEqual({ code: 'C10T12', name: 'Food products' });
      expect(model.description.length).toBeGreaterThan(10);
      expect(Number.isNaN(Date.parse(model.updatedAt))).toBe(false);
    }
    expect(ioModels[0].description).not.toBe(ioModels[1].description);
  });

  it('finds one model by name, and null for an unknown one', async () => {
    const found = await data(`{ a: ioModel(name: "EXIOBASE") { name countries } b: ioModel(name: "WIOD") { name } }`);
    expect(found.a).toEqual({ name: 'EXIOBASE', countries: COUNTRIES });
    expect(found.b).toBeNull();
  });

  it('assesses a country-sector with consistent numbers', async () => {
    const { assessment: a } = await data(ASSESS, { model: 'OECD_ICIO', country: 'DEU', sector: 'C10T12' });
    expect(a).toMatchObject({ model: 'OECD_ICIO', country: 'DEU', sector: 'C10T12' });
    expect(a.outputMultiplier).toBeGreaterThanOrEqual(1);
    expect(a.domesticShare + a.foreignShare).toBeCloseTo(1, 12);
    expect(a.domesticShare).toBeGreaterThan(a.foreignShare);
    expect(a.countryShares.reduce((s: number, c: { share: number }) => s + c.share, 0)).toBeCloseTo(1, 12);
    expect(a.countryShares.find((c: { country: string }) => c.country === 'DEU').share).toBeCloseTo(a.domesticShare, 12);
    const tiers = a.exposureByTier;
    expect(tiers.direct + tiers.second + tiers.third + tiers.rest).toBeCloseTo(tiers.total, 12);
    expect(tiers.direct).toBeGreaterThan(tiers.second);
    expect(a.outputMultiplier).toBeCloseTo(1 + tiers.total, 12);
    expect(a.supplierCountryHhi).toBeGreaterThan(0);
    expect(a.supplierCountryHhi).toBeLessThanOrEqual(10_000);
    expect(a.riskScore).toBeGreaterThanOrEqual(0);
    expect(a.riskScore).toBeLessThanOrEqual(100);
    expect(['LOW', 'MODERATE', 'HIGH', 'SEVERE']).toContain(a.riskLevel);
    // Every one of the 48 country-sectors supplies DEU food through some chain; largest first; shares sum to 1.
    expect(a.topSuppliers).toHaveLength(48);
    const requirements = a.topSuppliers.map((s: { requirement: number }) => s.requirement);
    expect(requirements).toEqual([...requirements].sort((x, y) => y - x));
    expect(a.topSuppliers.reduce((s: number, x: { share: number }) => s + x.share, 0)).toBeCloseTo(1, 12);
    expect(requirements.reduce((s: number, r: number) => s + r, 0)).toBeCloseTo(tiers.total, 12);
  });

  it('gives the same answer for the same pair, and different answers for the two models', async () => {
    const variables = { model: 'EXIOBASE', country: 'JPN', sector: 'C19' };
    const first = await data(ASSESS, variables);
    const second = await data(ASSESS, variables);
    expect(second).toEqual(first);
    const other = await data(ASSESS, { ...variables, model: 'OECD_ICIO' });
    expect(other.assessment.outputMultiplier).not.toBe(first.assessment.outputMultiplier);
  });

  it('limits topSuppliers to 1-100', async () => {
    const { assessment } = await data(
      `{ assessment(model: "OECD_ICIO", country: "USA", sector: "C16") { topSuppliers { sector } three: topSuppliers(limit: 3) { sector } } }`,
    );
    expect(assessment.topSuppliers).toHaveLength(10);
    expect(assessment.three).toHaveLength(3);
    for (const limit of [0, 101]) {
      const error = await errorOf(`{ assessment(model: "OECD_ICIO", country: "USA", sector: "C16") { topSuppliers(limit: ${limit}) { sector } } }`);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toBe(`"limit" must be an integer from 1 to 100, got "${limit}"`);
    }
  });

  it('answers a batch in the order asked, each pair as if asked alone', async () => {
    const pairs = [pair('FRA', 'C20'), pair('USA', 'C01T02'), pair('CHN', 'C16'), pair('USA', 'C01T02'), pair('GBR', 'C05T06')];
    const { assessments } = await data(ASSESS_MANY, { model: 'OECD_ICIO', pairs });
    expect(assessments.map((a: { country: string; sector: string }) => pair(a.country, a.sector))).toEqual(pairs);
    const alone = await data(ASSESS, { model: 'OECD_ICIO', ...pairs[2] });
    expect(assessments[2]).toEqual(alone.assessment);
    expect(assessments[3]).toEqual(assessments[1]);
  });

  it('computes 20 assessments of one model in at most 2 SQL statements', async () => {
    const pairs = Array.from({ length: 20 }, (_, k) => pair(COUNTRIES[k % 6], SECTORS[(k * 3) % 8]));
    let res: GqlResult<any> | undefined;
    const statements = await t.countStatements(async () => {
      res = await t.gql(ASSESS_MANY_SCORES, { model: 'EXIOBASE', pairs });
    });
    expect(res!.body.errors).toBeUndefined();
    expect(res!.body.data.assessments).toHaveLength(20);
    expect(statements).toBeLessThanOrEqual(2);
  });

  it('takes 1 to 100 pairs', async () => {
    const many = Array.from({ length: 101 }, () => pair('USA', 'C16'));
    const tooMany = await errorOf(ASSESS_MANY_SCORES, { model: 'OECD_ICIO', pairs: many });
    expect(tooMany.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooMany.message).toBe('"pairs" takes 1 to 100 country-sectors, got 101');
    const none = await errorOf(ASSESS_MANY_SCORES, { model: 'OECD_ICIO', pairs: [] });
    expect(none.message).toBe('"pairs" takes 1 to 100 country-sectors, got 0');
    const { assessments } = await data(ASSESS_MANY_SCORES, { model: 'OECD_ICIO', pairs: many.slice(0, 100) });
    expect(assessments).toHaveLength(100);
  });

  it('names an unknown model (NOT_FOUND), country or sector (BAD_USER_INPUT)', async () => {
    const model = await errorOf(ASSESS, { model: 'WIOD', country: 'USA', sector: 'C16' });
    expect(model.extensions?.code).toBe('NOT_FOUND');
    expect(model.message).toContain('IoModel "WIOD" does not exist');
    expect(model.message).toContain('{ ioModels { name } }');

    const country = await errorOf(ASSESS, { model: 'OECD_ICIO', country: 'XXX', sector: 'C16' });
    expect(country.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'country' });
    expect(country.message).toBe(
      '"country": model "OECD_ICIO" has no country "XXX" (it has 6: USA, CHN, DEU, JPN, GBR, FRA); ' +
        '`{ ioModel(name: "OECD_ICIO") { countries } }` lists them',
    );

    const sector = await errorOf(ASSESS, { model: 'OECD_ICIO', country: 'USA', sector: 'C99' });
    expect(sector.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'sector' });
    expect(sector.message).toContain('has no sector "C99" (it has 8: C01T02, C05T06');
    expect(sector.message).toContain('`{ ioModel(name: "OECD_ICIO") { sectors { code name } } }` lists them');

    const inBatch = await errorOf(ASSESS_MANY, { model: 'OECD_ICIO', pairs: [pair('USA', 'C16'), pair('usa', 'C16')] });
    expect(inBatch.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'pairs[1].country' });
    const batchModel = await errorOf(ASSESS_MANY, { model: 'WIOD', pairs: [pair('USA', 'C16')] });
    expect(batchModel.extensions?.code).toBe('NOT_FOUND');
  });

  it('looks up coefficients: the stored value, and zero for a pair that is not stored', async () => {
    const cells = await storedCells('OECD_ICIO');
    const [storedKey, storedValue] = [...cells.entries()][0];
    const [row, col] = storedKey.split(',').map(Number);
    const stored = await data(COEFFICIENT, { model: 'OECD_ICIO', from: labelOf(row), to: labelOf(col) });
    expect(stored.coefficient).toBe(storedValue);

    let unstored: [number, number] | undefined;
    for (let k = 0; k < 48 * 48 && !unstored; k += 1) if (!cells.has(`${Math.floor(k / 48)},${k % 48}`)) unstored = [Math.floor(k / 48), k % 48];
    const zero = await data(COEFFICIENT, { model: 'OECD_ICIO', from: labelOf(unstored![0]), to: labelOf(unstored![1]) });
    expect(zero.coefficient).toBe(0);

    const bad = await errorOf(COEFFICIENT, { model: 'OECD_ICIO', from: pair('USA', 'C16'), to: pair('USA', 'nope') });
    expect(bad.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'to.sector' });
    const missing = await errorOf(COEFFICIENT, { model: 'WIOD', from: pair('USA', 'C16'), to: pair('USA', 'C16') });
    expect(missing.extensions?.code).toBe('NOT_FOUND');
  });

  it('updates coefficients, and the next assessment uses them', async () => {
    const model = 'EXIOBASE';
    const cells = await storedCells(model);
    const target = pair('CHN', 'C13T15');
    const col = COUNTRIES.indexOf('CHN') * 8 + SECTORS.indexOf('C13T15');
    const inputs = [...cells.entries()].filter(([key]) => Number(key.split(',')[1]) === col);
    const removedRow = Number(inputs[0][0].split(',')[0]);
    let unstoredRow = 0;
    while (cells.has(`${unstoredRow},${col}`)) unstoredRow += 1;

    const before = await data(ASSESS, { model, ...target });
    const modelBefore = await data(`{ ioModel(name: "${model}") { updatedAt } }`);
    const { updateCoefficients } = await data(UPDATE, {
      model,
      changes: [
        { from: labelOf(unstoredRow), to: target, value: 0.05 },
        { from: labelOf(removedRow), to: target, value: 0 },
      ],
    });
    expect(updateCoefficients.changed).toBe(2);
    expect(updateCoefficients.model.name).toBe(model);
    expect(Date.parse(updateCoefficients.model.updatedAt)).toBeGreaterThan(Date.parse(modelBefore.ioModel.updatedAt));

    const added = await data(COEFFICIENT, { model, from: labelOf(unstoredRow), to: target });
    expect(added.coefficient).toBe(0.05);
    const removed = await data(COEFFICIENT, { model, from: labelOf(removedRow), to: target });
    expect(removed.coefficient).toBe(0);
    const after = await data(ASSESS, { model, ...target });
    expect(after.assessment.exposureByTier.direct).toBeCloseTo(
      before.assessment.exposureByTier.direct + 0.05 - inputs[0][1],
      12,
    );
    expect(after.assessment.outputMultiplier).not.toBe(before.assessment.outputMultiplier);
  });

  it('rejects a change that makes a column sum reach 1, and leaves everything as it was', async () => {
    const model = 'OECD_ICIO';
    const target = pair('JPN', 'C20');
    const before = await data(ASSESS, { model, ...target });
    const updatedBefore = await data(`{ ioModel(name: "${model}") { updatedAt } }`);
    const coefficientBefore = await data(COEFFICIENT, { model, from: pair('USA', 'C16'), to: target });
    // A harmless change first in the list, then one that pushes JPN_C20 over the edge: both must roll back.
    const error = await errorOf(UPDATE, {
      model,
      changes: [
        { from: pair('USA', 'C16'), to: target, value: 0.01 },
        { from: pair('FRA', 'C19'), to: target, value: 0.99 },
      ],
    });
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'changes' });
    expect(error.message).toMatch(/^the changes would make column JPN_C20 sum to 1\.\d+: .* so nothing was changed$/);

    expect(await data(COEFFICIENT, { model, from: pair('USA', 'C16'), to: target })).toEqual(coefficientBefore);
    expect(await data(ASSESS, { model, ...target })).toEqual(before);
    expect(await data(`{ ioModel(name: "${model}") { updatedAt } }`)).toEqual(updatedBefore);
  });

  it('lets only one of two concurrent updates push the same column toward 1', async () => {
    const model = 'OECD_ICIO';
    const target = pair('GBR', 'C01T02');
    const col = COUNTRIES.indexOf('GBR') * 8;
    const cells = await storedCells(model);
    let columnSum = 0;
    for (const [key, value] of cells) if (Number(key.split(',')[1]) === col) columnSum += value;
    // Each change alone keeps the column below 1; both together would not.
    const room = (1 - columnSum) * 0.75;
    const [free1, free2] = Array.from({ length: 48 }, (_, row) => row).filter((row) => !cells.has(`${row},${col}`));
    const results = await Promise.all(
      [free1, free2].map((row) => t.gql(UPDATE, { model, changes: [{ from: labelOf(row), to: target, value: room }] })),
    );
    const failed = results.filter((res) => res.body.errors);
    expect(results.length - failed.length).toBe(1);
    expect(failed[0].body.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('validates changes: count, value range, labels, duplicates, and the model', async () => {
    const change = (value: number, from = pair('USA', 'C16')) => ({ from, to: pair('USA', 'C20'), value });
    const cases: [unknown[], string, string][] = [
      [[], 'changes', '"changes" takes 1 to 1000 coefficients, got 0'],
      [Array.from({ length: 1001 }, () => change(0.01)), 'changes', '"changes" takes 1 to 1000 coefficients, got 1001'],
      [[change(0.01), change(1)], 'changes[1].value', '"changes[1].value" must be a number with 0 <= value < 1, got "1"'],
      [[change(-0.5)], 'changes[0].value', '"changes[0].value" must be a number with 0 <= value < 1, got "-0.5"'],
      [[change(0.01, pair('ZZZ', 'C16'))], 'changes[0].from.country', ''],
      [[change(0.01), change(0.02)], 'changes[1]', '"changes[1]" sets the same coefficient as changes[0]; give each coefficient once'],
    ];
    for (const [changes, argument, message] of cases) {
      const error = await errorOf(UPDATE, { model: 'OECD_ICIO', changes });
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
      if (message) expect(error.message).toBe(message);
    }
    const unknown = await errorOf(UPDATE, { model: 'WIOD', changes: [change(0.01)] });
    expect(unknown.extensions?.code).toBe('NOT_FOUND');
    expect(await data(COEFFICIENT, { model: 'OECD_ICIO', from: pair('USA', 'C16'), to: pair('USA', 'C20') })).not.toEqual({
      coefficient: 0.02,
    });
  });
});
