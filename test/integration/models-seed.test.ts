// The demo model runs, seeded into in-memory embedded databases: deterministic, complete and consistent.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { Random } from '../../src/db/random.js';
import { seedDatasets } from '../../src/datasets/seed.js';
import { seedModelRuns } from '../../src/models/seed.js';

const DATASETS = 12;
const RUNS = 300;

/** The generator seedModelRuns gets, derived as seedIfEmpty derives it: the same every time. */
function modelRandom(): Random {
  const random = new Random(7);
  random.fork(1);
  return random.fork(2);
}

describe('seedModelRuns', () => {
  // One embedded database for the file: starting one costs seconds.
  let first: Database;

  const everything = (database: Database) =>
    Promise.all([
      database.db.selectFrom('model_runs').selectAll().orderBy('id').execute(),
      database.db.selectFrom('feature_importances').selectAll().orderBy('run_id').orderBy('rank').execute(),
    ]);

  beforeAll(async () => {
    first = await openDatabase({ url: undefined, poolSize: 1, dataDir: 'memory://' });
    await migrateToLatest(first.db);
    await seedDatasets(first.db, DATASETS, new Random(7).fork(1));
    await seedModelRuns(first.db, RUNS, modelRandom());
  });
  afterAll(() => first?.close());

  it('writes the same runs and features on every run', async () => {
    const before = await everything(first);
    expect(before[0]).toHaveLength(RUNS);
    // Reseeding an emptied table from the same generator must reproduce every row, ids included.
    await first.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('model_runs').execute();
      await seedModelRuns(trx, RUNS, modelRandom());
    });
    expect(await everything(first)).toEqual(before);
  });

  it('gives completed runs their task metrics and 20-30 ranked features, failed runs an error, others nothing', async () => {
    const [runs, features] = await everything(first);
    const byRun = new Map<number, typeof features>();
    for (const feature of features) byRun.set(feature.run_id, [...(byRun.get(feature.run_id) ?? []), feature]);
    for (const run of runs) {
      const ranked = byRun.get(run.id) ?? [];
      const metrics = run.task_type === 'CLASSIFICATION'
        ? [run.accuracy, run.precision, run.recall, run.f1, run.roc_auc, run.log_loss]
        : [run.rmse, run.mae, run.r2];
      if (run.status === 'COMPLETED') {
        expect(metrics.every((m) => typeof m === 'number' && Number.isFinite(m))).toBe(true);
        expect(ranked.length).toBeGreaterThanOrEqual(20);
        expect(ranked.length).toBeLessThanOrEqual(30);
        expect(ranked.map((f) => f.rank)).toEqual(ranked.map((_, k) => k + 1));
        expect(new Set(ranked.map((f) => f.feature)).size).toBe(ranked.length);
        const importances = ranked.map((f) => f.importance);
        expect(importances).toEqual([...importances].sort((x, y) => y - x));
      } else {
        expect(metrics.every((m) => m === null)).toBe(true);
        expect(ranked).toEqual([]);
      }
      expect(run.error !== null).toBe(run.status === 'FAILED');
      expect(run.started_at === null).toBe(run.status === 'PENDING');
      expect(run.completed_at !== null).toBe(run.status === 'COMPLETED' || run.status === 'FAILED');
      for (const probability of [run.accuracy, run.precision, run.recall, run.f1, run.roc_auc]) {
        if (probability !== null) expect(probability >= 0 && probability <= 1, `probability ${probability}`).toBe(true);
      }
    }
    expect(new Set(runs.map((r) => r.status))).toEqual(new Set(['PENDING', 'RUNNING', 'COMPLETED', 'FAILED']));
    expect(new Set(runs.map((r) => r.dataset_id)).size).toBe(DATASETS);
  });

  it('names features after the dataset columns and times runs before 2026 and after their dataset', async () => {
    const datasets = new Map((await first.db.selectFrom('datasets').selectAll().execute()).map((d) => [d.id, d]));
    const [runs, features] = await everything(first);
    const runById = new Map(runs.map((r) => [r.id, r]));
    for (const feature of features.slice(0, 500)) {
      const columns = datasets.get(runById.get(feature.run_id)!.dataset_id)!.columns.map((c) => c.name);
      expect(columns.some((c) => feature.feature.includes(c)) || feature.feature.startsWith('hash_bucket_')).toBe(true);
    }
    for (const run of runs) {
      expect(run.created_at.getTime()).toBeGreaterThan(datasets.get(run.dataset_id)!.created_at.getTime());
      expect(run.created_at.getTime()).toBeLessThan(Date.UTC(2026, 0, 1));
    }
  });

  it('moves the id sequence past the seeded runs', async () => {
    const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence('model_runs', 'id'))::int as id`.execute(first.db);
    expect(rows[0].id).toBe(RUNS + 1);
  });
});
