// Demo team-private data: two teams (risk, growth), each with two datasets only its members see (one of them in a
// category no public dataset uses), rows, and model runs (completed ones with metrics and features, one running).
// Seeded after every public table, so public ids are the same with or without it.
import type { Kysely } from 'kysely';
import type { Random } from '../db/random.js';
import type { ColumnSpec, Tables } from '../db/tables.js';

export const DEMO_TEAMS = ['risk', 'growth'] as const;
/** A category only team datasets use: absent from `categories` for anyone outside those teams. */
export const PRIVATE_CATEGORY = 'Confidential';

const COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'INTEGER' },
  { name: 'amount', type: 'FLOAT' },
  { name: 'region', type: 'STRING' },
  { name: 'flagged', type: 'BOOLEAN' },
];
const REGIONS = ['north', 'south', 'east', 'west'];
const ROWS_PER_DATASET = 30;
/** Newer than every public dataset (those end at 2026-01-01): team data tops topUpdatedDatasets for its team. */
const UPDATED = Date.UTC(2026, 5, 1);

export async function seedTeamData(db: Kysely<Tables>, random: Random): Promise<void> {
  let k = 0;
  for (const team of DEMO_TEAMS) {
    const title = team[0]!.toUpperCase() + team.slice(1);
    for (const [name, category] of [
      [`${title} team: counterparty exposures`, PRIVATE_CATEGORY],
      [`${title} team: quarterly pipeline`, 'Finance'],
    ] as const) {
      k += 1;
      const dataset = await db
        .insertInto('datasets')
        .values({
          name,
          description: `Private to the ${team} team: ${COLUMNS.map((c) => c.name).join(', ')}.`,
          category,
          tags: [team, 'private'],
          columns: JSON.stringify(COLUMNS),
          row_count: ROWS_PER_DATASET,
          team,
          created_at: new Date(UPDATED - 10 * 86_400_000),
          updated_at: new Date(UPDATED + k * 60_000),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('dataset_rows')
        .values(
          Array.from({ length: ROWS_PER_DATASET }, (_, r) => ({
            dataset_id: dataset.id,
            row_index: r,
            data: JSON.stringify({ id: r + 1, amount: Math.round(random.float(0, 50_000) * 100) / 100, region: random.pick(REGIONS), flagged: random.chance(0.1) }),
          })),
        )
        .execute();
      for (let run = 1; run <= 4; run += 1) {
        const completed = run <= 3;
        const accuracy = Math.round(random.float(0.7, 0.97) * 1e4) / 1e4;
        const created = await db
          .insertInto('model_runs')
          .values({
            dataset_id: dataset.id,
            name: `${team}-classifier v${run}`,
            algorithm: 'GradientBoosting',
            task_type: 'CLASSIFICATION',
            status: completed ? 'COMPLETED' : 'RUNNING',
            hyperparameters: JSON.stringify({ n_estimators: 100 * run, team }),
            accuracy: completed ? accuracy : null,
            precision: completed ? Math.round((accuracy - 0.02) * 1e4) / 1e4 : null,
            recall: completed ? Math.round((accuracy - 0.04) * 1e4) / 1e4 : null,
            f1: completed ? Math.round((accuracy - 0.03) * 1e4) / 1e4 : null,
            roc_auc: completed ? Math.round(Math.min(0.99, accuracy + 0.02) * 1e4) / 1e4 : null,
            log_loss: completed ? Math.round((1 - accuracy) * 1e4) / 1e4 : null,
            rmse: null,
            mae: null,
            r2: null,
            error: null,
            created_at: new Date(UPDATED),
            started_at: new Date(UPDATED + 60_000),
            completed_at: completed ? new Date(UPDATED + 3_600_000) : null,
            updated_at: new Date(UPDATED + 3_600_000),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (completed) {
          await db
            .insertInto('feature_importances')
            .values(['amount', 'region=north', 'flagged=true'].map((feature, rank) => ({ run_id: created.id, rank: rank + 1, feature: `${team}_${feature}`, importance: 0.5 / (rank + 1) })))
            .execute();
        }
      }
    }
  }
}
