// An OECD ICIO file as published, imported with `import:io` into PostgreSQL and into the embedded database: Beacon
// serves its countries (CN1 + CN2 summed into CHN, MX1 + MX2 into MEX, or kept apart) and assessments whose numbers
// are those of the coefficients derived from the file by hand (A = Z / output) to 1e-9. A broken file exits 2,
// names the line and column, and leaves the database exactly as it was.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/assessments/assessment.js';
import { runImportCommand } from '../../src/cli/import-io.js';
import { CoefficientMatrix } from '../../src/assessments/leontief.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabase, databaseChoices, startTestApp, type TestApp } from '../helpers/app.js';
import { writeIcioTable } from '../helpers/icio-file.js';
import { postgresUp } from '../helpers/services.js';

const PUBLISHED = ['AUS', 'CN1', 'CN2', 'DEU', 'MX1', 'MX2', 'ROW'];
const INDUSTRIES = ['A01_02', 'C10T12', 'C26', 'D35'];
const dir = mkdtempSync(path.join(tmpdir(), 'beacon-icio-import-'));
const good = path.join(dir, 'icio.csv');
const written = writeIcioTable(good, { countries: PUBLISHED, industries: INDUSTRIES, edition: '2023', keep: true, seed: 5 });
const bad = path.join(dir, 'bad.csv');
writeIcioTable(bad, {
  countries: PUBLISHED,
  industries: INDUSTRIES,
  edition: '2023',
  seed: 5,
  corrupt: (row, column, text) => (row === 'DEU_C26' && column === 'MX2_D35' ? '1,5' : text),
});

/** The aggregated table computed by hand from the numbers written: what Beacon must have derived. */
function expectedMatrix(): { countries: string[]; matrix: CoefficientMatrix } {
  const countries = ['AUS', 'CHN', 'DEU', 'MEX', 'ROW'];
  const s = INDUSTRIES.length;
  const whole = (c: string) => (c.startsWith('CN') ? 'CHN' : c.startsWith('MX') ? 'MEX' : c);
  const target = written.labels.map((_, k) => countries.indexOf(whole(PUBLISHED[Math.floor(k / s)])) * s + (k % s));
  const size = countries.length * s;
  const n = written.labels.length;
  const z = new Float64Array(size * size);
  const output = new Float64Array(size);
  for (let j = 0; j < n; j += 1) output[target[j]] += written.output[j];
  for (let i = 0; i < n; i += 1) for (let j = 0; j < n; j += 1) z[target[i] * size + target[j]] += written.z![i * n + j];
  const table = Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (output[j] ? z[i * size + j] / output[j] : 0)));
  return { countries, matrix: CoefficientMatrix.fromDense(table) };
}

async function importFile(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await runImportCommand(args, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

describe.each(databaseChoices(postgresUp))('import:io of an OECD ICIO file (%s)', (choice) => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let env: Record<string, string>;
  let t: TestApp | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'beacon-icio-embedded-'));

  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  async function counts(): Promise<{ models: number; columns: number; versions: string }> {
    const opened = await openDatabase({ url: database?.url, poolSize: 1, dataDir });
    try {
      const models = await sql<{ n: number; versions: string | null }>`select count(*)::int as n, string_agg(name || ':' || version, ',' order by name) as versions from io_models`.execute(opened.db);
      const columns = await sql<{ n: number }>`select count(*)::int as n from io_coefficient_columns`.execute(opened.db);
      return { models: models.rows[0].n, columns: columns.rows[0].n, versions: models.rows[0].versions ?? '' };
    } finally {
      await opened.close();
    }
  }

  it('imports the file, and Beacon serves its labels and the assessments of the hand-derived coefficients', async () => {
    if (choice === 'postgres') database = await createTestDatabase();
    env = database ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir };
    const result = await importFile(['--model', 'OECD_2023', '--file', good], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created model OECD_2023: 5 countries x 4 sectors \(20 x 20\)/);
    const kept = await importFile(['--model', 'OECD_SPLIT', '--file', good, '--split-regions', 'keep'], env);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/^created model OECD_SPLIT: 7 countries x 4 sectors \(28 x 28\)/);

    t = await startTestApp({
      database: choice,
      seed: 'none',
      ...(database ? { databaseUrl: database.url } : { config: { dataDir } }),
    });
    const res = await t.gql(`{
      ioModels { name countries sectors { code name } }
      assessment(model: "OECD_2023", country: "CHN", sector: "C26") {
        outputMultiplier domesticShare foreignShare supplierCountryHhi riskScore
        topSuppliers(limit: 3) { country sector requirement }
        exposureByTier { direct second third total }
      }
    }`);
    expect(res.body.errors).toBeUndefined();
    const data = res.body.data as any;
    expect(data.ioModels.map((m: { name: string; countries: string[] }) => [m.name, m.countries])).toEqual([
      ['OECD_2023', ['AUS', 'CHN', 'DEU', 'MEX', 'ROW']],
      ['OECD_SPLIT', PUBLISHED],
    ]);
    expect(data.ioModels[0].sectors[1]).toEqual({ code: 'C10T12', name: 'Food products' });

    const { countries, matrix } = expectedMatrix();
    const want = assess({ model: 'OECD_2023', countries, sectorCodes: INDUSTRIES, matrix }, 1 * INDUSTRIES.length + 2);
    const got = data.assessment;
    expect(Math.abs(got.outputMultiplier - want.outputMultiplier)).toBeLessThan(1e-9);
    expect(Math.abs(got.domesticShare - want.domesticShare)).toBeLessThan(1e-9);
    expect(Math.abs(got.foreignShare - want.foreignShare)).toBeLessThan(1e-9);
    expect(Math.abs(got.supplierCountryHhi - want.supplierCountryHhi)).toBeLessThan(1e-6);
    expect(got.riskScore).toBe(want.riskScore);
    expect(got.topSuppliers).toEqual(
      want.suppliers.slice(0, 3).map((s) => ({ country: s.country, sector: s.sector, requirement: expect.closeTo(s.requirement, 9) })),
    );
    expect(got.exposureByTier.total).toBeCloseTo(want.exposureByTier.total, 9);
    expect(got.outputMultiplier).toBeGreaterThan(1.1); // a real chain, not an empty column
  }, 180_000);

  it('rejects a broken file with exit code 2, naming line and column, and writes nothing', async () => {
    await t?.close();
    t = undefined;
    const before = await counts();
    expect(before.models).toBe(2);
    const result = await importFile(['--model', 'OECD_2023', '--file', bad], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    // "1,5" splits the cell in two: the row has one cell too many.
    expect(result.stderr).toContain('line 16 ("DEU_C26"): expected 72 cells like the header, got 73');
    expect(await counts()).toEqual(before);
  }, 120_000);
});
