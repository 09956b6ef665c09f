import { sql, type Kysely } from 'kysely';

// Coefficients move from one row per non-zero to one row per column, as two packed big-endian arrays (row indices
// int4, values float8, ordered by row): a 3,500-sector OECD table has ~5 million non-zeros, which as rows take
// minutes to insert and seconds to read back, and as 3,500 column rows import and load in a second or two. Big-endian
// is what int4send/float8send produce, so this migration converts the existing rows in SQL. `version` counts the
// writes of a model: the in-process cache of prepared tables (assessments/table-cache.ts) is keyed by id + version.
const statements = [
  `create table io_coefficient_columns (
    model_id integer not null references io_models (id) on delete cascade,
    col_idx integer not null,
    row_idx bytea not null,
    value bytea not null,
    primary key (model_id, col_idx)
  )`,
  `insert into io_coefficient_columns (model_id, col_idx, row_idx, value)
    select model_id, col_idx,
           string_agg(int4send(row_idx), ''::bytea order by row_idx),
           string_agg(float8send(value), ''::bytea order by row_idx)
    from io_coefficients where value <> 0 group by model_id, col_idx`,
  `drop table io_coefficients`,
  `alter table io_models add column version integer not null default 1`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  // Going back would unpack every column into rows in SQL; nothing needs it, and re-importing the models does it.
  throw new Error('0003_io_coefficient_columns cannot be undone: restore a backup or re-import the models instead');
}
