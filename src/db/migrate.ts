// Versioned migrations, applied in order at start. A migration is never edited once released: add a new one.
import { Migrator, type Kysely, type Migration } from 'kysely';
import * as initial from './migrations/0001_initial.js';
import * as datasetOrderIndexes from './migrations/0002_dataset_order_indexes.js';
import * as ioCoefficientColumns from './migrations/0003_io_coefficient_columns.js';
import * as teamsAndKeys from './migrations/0004_teams_and_keys.js';

const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_dataset_order_indexes': datasetOrderIndexes,
  '0003_io_coefficient_columns': ioCoefficientColumns,
  '0004_teams_and_keys': teamsAndKeys,
};

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error : new Error(String(error));
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause.message}`, { cause });
  }
}
