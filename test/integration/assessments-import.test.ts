// `npm run import:io` for real: a child process writes a CSV table into a fresh PostgreSQL database, and Beacon,
// started on that database, serves assessments of it whose numbers match the table solved by hand. Then, with a
// Beacon already running on Redis: an import invalidates what that server cached (its next read is a MISS with the
// new numbers), and an import that cannot reach Redis still succeeds and says how to clear the cache by hand.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportIo } from '../../src/assessments/import.js';
import { runImportCommand } from '../../src/cli/import-io.js';
import { createTestDatabase, startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, freePort, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { postgresUp, REDIS_URL, redisUp } from '../helpers/services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src/cli/import-io-main.ts');

// The 4 x 4 table of the engine's unit test (countries X, Y; sectors a, b), written as a CSV in a shuffled label
// order to prove the import maps labels to the grid. For X_a: multiplier 68/45, domestic 15/23, foreign 8/23.
const TABLE = [
  ',Y_a,X_a,X_b,Y_b',
  'Y_a,0,0.1,0,0.5',
  'X_a,0,0.1,0,0',
  'X_b,0,0.2,0,0',
  'Y_b,0,0,0.2,0',
].join('\n');

// The same grid with other numbers: X_a's only input is 0.5 of Y_a, whose column is empty. For X_a: multiplier 1.5,
// domestic share 0, foreign share 1.
const REPLACEMENT = [
  ',Y_a,X_a,X_b,Y_b',
  'Y_a,0,0.5,0,0.5',
  'X_a,0,0,0,0',
  'X_b,0,0,0,0',
  'Y_b,0,0,0.2,0',
].join('\n');

/** runImportCommand in this process, with what it prints collected. */
async function importInProcess(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const io: ImportIo = { out: (text) => void (stdout += text), err: (text) => void (stderr += text) };
  const code = await runImportCommand(args, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, io);
  return { code, stdout, stderr };
}

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
    // One line: without REDIS_URL there is no cache to reach, and nothing more to say.
    expect(first.stdout).toMatch(/^created model HAND: 2 countries x 2 sectors \(4 x 4\), 5 non-zero coefficients[^\n]*\n$/);
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

describe.runIf(postgresUp && redisUp)('import:io and the cache of a running Beacon (postgres + redis)', () => {
  const namespace = uniqueNamespace('import');
  const dir = mkdtempSync(path.join(tmpdir(), 'beacon-import-cache-'));
  const original = path.join(dir, 'original.csv');
  const replacement = path.join(dir, 'replacement.csv');
  writeFileSync(original, TABLE);
  writeFileSync(replacement, REPLACEMENT);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let t: TestApp;
  let env: Record<string, string>;

  const ASSESS = `{ assessment(model: "HAND", country: "X", sector: "a") { outputMultiplier domesticShare foreignShare } }`;
  const LIST = `{ ioModels { name } }`;
  const FRESH = `{ ioModel(name: "FRESH") { name countries } }`;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, REDIS_URL, CACHE_NAMESPACE: namespace };
    expect((await importInProcess(['--model', 'HAND', '--file', original], env)).code).toBe(0);
    t = await startTestApp({
      database: 'postgres',
      databaseUrl: database.url,
      seed: 'none',
      env: { REDIS_URL, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' },
    });
    await waitFor(() => t.app.cache.snapshot().redis.subscribed, 10_000, 'the server’s subscription to the invalidation channel');
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
    await dropNamespace(namespace);
  });

  /** Reads twice: the first computes (MISS), the second is served from the server's L1. Returns what it served. */
  async function cachedOnServer(query: string): Promise<string> {
    const miss = await t.gql(query);
    expect(miss.body.errors, JSON.stringify(miss.body.errors)).toBeUndefined();
    expect(miss.headers.get('x-beacon-cache')).toBe('MISS');
    const hit = await t.gql(query);
    expect(hit.headers.get('x-beacon-cache')).toBe('HIT-L1');
    expect(hit.text).toBe(miss.text);
    return hit.text;
  }

  it('replacing a model makes the running server’s very next read a MISS with the new numbers, not the cached bytes', async () => {
    const before = JSON.parse(await cachedOnServer(ASSESS)).data.assessment;
    expect(before.outputMultiplier).toBeCloseTo(68 / 45, 12);

    const result = await importInProcess(['--model', 'HAND', '--file', replacement], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^replaced model HAND/);
    expect(result.stdout).toContain(`invalidated IoModel:HAND in the cache of every server on REDIS_URL (namespace ${namespace})`);

    const after = await t.gql(ASSESS);
    expect(after.headers.get('x-beacon-cache')).toBe('MISS');
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data.assessment).toEqual({
      outputMultiplier: expect.closeTo(1.5, 12),
      domesticShare: expect.closeTo(0, 12),
      foreignShare: expect.closeTo(1, 12),
    });
  });

  it('a new model appears in the running server’s cached model list right after its import (from another process)', async () => {
    expect(JSON.parse(await cachedOnServer(LIST)).data.ioModels).toEqual([{ name: 'HAND' }]);
    // "No such model" is an answer too, cached under the model's tag.
    expect(JSON.parse(await cachedOnServer(FRESH)).data.ioModel).toBeNull();

    // The real CLI in a child process: it also proves the CLI closes its Redis and database connections (a process
    // with one left open would never exit).
    const result = await runCli(['--model', 'FRESH', '--file', original], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created model FRESH/);
    expect(result.stdout).toContain('invalidated IoModel:FRESH, IoModel:list in the cache of every server on REDIS_URL');

    const list = await t.gql(LIST);
    expect(list.headers.get('x-beacon-cache')).toBe('MISS');
    expect(list.body.data.ioModels).toEqual([{ name: 'FRESH' }, { name: 'HAND' }]);
    const fresh = await t.gql(FRESH);
    expect(fresh.headers.get('x-beacon-cache')).toBe('MISS');
    expect(fresh.body.data.ioModel).toEqual({ name: 'FRESH', countries: ['Y', 'X'] });
  });

  it('with Redis unreachable, the import still succeeds (exit 0), exits promptly and warns how to clear the cache by hand', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const result = await runCli(['--model', 'OFFLINE', '--file', original], { ...env, REDIS_URL: closed });
    const elapsedMs = Date.now() - started;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created model OFFLINE/);
    expect(result.stderr).toContain('import:io: warning: model OFFLINE was created, but the cache was not invalidated');
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('clearCache(scope: TAG, value: "IoModel:OFFLINE")');
    expect(result.stderr).toContain('clearCache(scope: TAG, value: "IoModel:list")');
    // A refused connection is not retried: no reconnect timer keeps the process alive after the import.
    expect(elapsedMs).toBeLessThan(15_000);
    const model = await t.gql(`{ ioModel(name: "OFFLINE") { name } }`);
    expect(model.body.data.ioModel).toEqual({ name: 'OFFLINE' });
  });
});
