import { sql, type Kysely } from 'kysely';

// One statement per entry: the embedded database runs one statement per call.
const statements = [
  `create table datasets (
    id serial primary key,
    name text not null unique,
    description text not null default '',
    category text not null,
    tags text[] not null default '{}',
    columns jsonb not null,
    row_count integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index datasets_category_name on datasets (category, name, id)`,
  `create index datasets_updated_at on datasets (updated_at desc, id desc)`,
  `create table dataset_rows (
    dataset_id integer not null references datasets (id) on delete cascade,
    row_index integer not null,
    data jsonb not null,
    primary key (dataset_id, row_index)
  )`,
  `create table model_runs (
    id serial primary key,
    dataset_id integer not null references datasets (id) on delete cascade,
    name text not null,
    algorithm text not null,
    task_type text not null check (task_type in ('CLASSIFICATION', 'REGRESSION')),
    status text not null check (status in ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED')),
    hyperparameters jsonb not null default '{}',
    accuracy double precision,
    precision double precision,
    recall double precision,
    f1 double precision,
    roc_auc double precision,
    log_loss double precision,
    rmse double precision,
    mae double precision,
    r2 double precision,
    error text,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    completed_at timestamptz,
    updated_at timestamptz not null default now()
  )`,
  `create index model_runs_dataset on model_runs (dataset_id, id desc)`,
  `create index model_runs_status on model_runs (status, id desc)`,
  `create table feature_importances (
    run_id integer not null references model_runs (id) on delete cascade,
    rank integer not null,
    feature text not null,
    importance double precision not null,
    primary key (run_id, rank)
  )`,
  `create table io_models (
    id serial primary key,
    name text not null unique,
    description text not null default '',
    countries text[] not null,
    sector_codes text[] not null,
    sector_names text[] not null,
    updated_at timestamptz not null default now()
  )`,
  `create table io_coefficients (
    model_id integer not null references io_models (id) on delete cascade,
    row_idx integer not null,
    col_idx integer not null,
    value double precision not null,
    primary key (model_id, row_idx, col_idx)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['io_coefficients', 'io_models', 'feature_importances', 'model_runs', 'dataset_rows', 'datasets']) {
    await sql.raw(`drop table ${table}`).execute(db);
  }
}
