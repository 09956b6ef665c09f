import { sql, type Kysely } from 'kysely';

// Keyset pages of the datasets connection ordered by CREATED_AT_DESC and ROW_COUNT_DESC read these indexes in
// order (sort value, then id as the tiebreak) instead of sorting the whole table for every page.
const statements = [
  `create index datasets_created_at on datasets (created_at desc, id desc)`,
  `create index datasets_row_count on datasets (row_count desc, id desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['datasets_row_count', 'datasets_created_at']) await sql.raw(`drop index ${index}`).execute(db);
}
