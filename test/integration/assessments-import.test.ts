// `npm run import:io` for real: a child process writes a CSV table into a fresh PostgreSQL database, and Beacon,
// started on that database, serves assessments of it whose numbers match the table solved by hand.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src/assessments/import-cli.ts');

// The 4 x 4 table of the engine's unit test (countries X, Y; sectors a, b), written as a CSV in a shuffled label
// order to prove the import maps labels to the grid. For X_a: multiplier 68/45, domestic 15/23, foreign 8/23.
const TABLE = [
  ',Y_a,X_a,X_b,Y_b',
  'Y_a,0,0.1,0,0.5',
  'X_a,0,0.1,0,0',
  'X_b,0,0.2,0,0',
  'Y_b,0,0,0.2,0',
].join('\n');

async function runCli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(!postgresUp)('import:io into PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let t: TestApp | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'beacon-import-'));
  const good = path.join(dir, 'table.csv');
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(good, TABLE);
  writeFileSync(bad, TABLE.replace('X_b,0,0.2,0,0', 'X_b,0,0.2,0,0.95'));

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('rejects a bad table with exit code 2, naming the problem, and writes nothing', async () => {
    const result = await runCli(['--model', 'HAND', '--file', bad], { DATABASE_URL: database.url });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('column 5 (Y_b): the values sum to 1.45');
  });

  it('imports a table, replaces it on a second import, and Beacon serves its assessments', async () => {
    const first = await runCli(['--model', 'HAND', '--file', good, '--description', 'Hand-solved table'], {
      DATABASE_URL: database.url,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^created model HAND: 2 countries x 2 sectors \(4 x 4\), 5 non-zero coefficients/);
    // "created", not "replaced": the rejected run before wrote nothing. The second import replaces the table in
    // place and keeps the description it is not given.
    const second = await runCli(['--model', 'HAND', '--file', good], { DATABASE_URL: database.url });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^replaced model HAND/);

    t = await startTestApp({ database: 'embedded', seed: 'none', config: { databaseUrl: database.url } });
    const res = await t.gql(`{
      ioModels { name description countries sectors { code name } }
      assessment(model: "HAND", country: "X", sector: "a") {
        outputMultiplier domesticShare foreignShare supplierCountryHhi riskScore
        topSuppliers { country sector requirement }
        exposureByTier { direct second third total }
      }
      coefficient(model: "HAND", from: { country: "Y", sector: "a" }, to: { country: "Y", sector: "b" })
    }`);
    expect(res.body.errors).toBeUndefined();
    const data = res.body.data;
    expect(data.ioModels).toEqual([
      { name: 'HAND', description: 'Hand-solved table', countries: ['Y', 'X'], sectors: [{ code: 'a', name: 'a' }, { code: 'b', name: 'b' }] },
    ]);
    expect(data.coefficient).toBe(0.5);
    const a = data.assessment;
    expect(a.outputMultiplier).toBeCloseTo(68 / 45, 12);
    expect(a.domesticShare).toBeCloseTo(15 / 23, 12);
    expect(a.foreignShare).toBeCloseTo(8 / 23, 12);
    expect(a.supplierCountryHhi).toBeCloseTo(10_000, 8);
    expect(a.riskScore).toBe(56.22);
    expect(a.topSuppliers.map((s: { country: string; sector: string }) => `${s.country}_${s.sector}`)).toEqual([
      'X_b', 'Y_a', 'X_a', 'Y_b',
    ]);
    expect(a.exposureByTier).toEqual({
      direct: expect.closeTo(0.4, 12),
      second: expect.closeTo(0.08, 12),
      third: expect.closeTo(0.028, 12),
      total: expect.closeTo(23 / 45, 12),
    });
  });
});
