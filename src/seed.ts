// The deterministic demo data, loaded into an empty database at start. Each domain seeds its own tables; this file
// assembles them (beside app.ts, above the domains: the database layer knows none of them).
import type { Kysely } from 'kysely';
import { seedAssessments } from './assessments/seed.js';
import { seedDatasets } from './datasets/seed.js';
import { seedTeamData } from './datasets/team-seed.js';
import { Random } from './db/random.js';
import type { Tables } from './db/tables.js';
import { seedModelRuns } from './models/seed.js';

export interface SeedSize {
  datasets: number;
  modelRuns: number;
  ioCountries: number;
  ioSectors: number;
}

/** What `npm start` loads: the sizes the README and docs/operations.md promise. */
export const DEMO_SEED: SeedSize = { datasets: 500, modelRuns: 5000, ioCountries: 30, ioSectors: 20 };

const SEED = 20_261_121;

/** Seeds an empty database; returns false (and writes nothing) when it already holds data. */
export async function seedIfEmpty(db: Kysely<Tables>, size: SeedSize = DEMO_SEED): Promise<boolean> {
  const existing = await db.selectFrom('datasets').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  const random = new Random(SEED);
  // One transaction: a start interrupted mid-seed leaves an empty database, which the next start seeds again.
  await db.transaction().execute(async (trx) => {
    await seedDatasets(trx, size.datasets, random.fork(1));
    await seedModelRuns(trx, size.modelRuns, random.fork(2));
    await seedAssessments(trx, size.ioCountries, size.ioSectors, random.fork(3));
    // Last, so that every public id is what it was before teams existed.
    await seedTeamData(trx, random.fork(4));
  });
  return true;
}
