import { sql, type Kysely } from 'kysely';

// Team-private data and API keys (docs/security.md). A dataset with a null team is public; its model runs, and what
// is computed from them, inherit its visibility. An API key is stored as the sha256 of its secret, never the secret.
const statements = [
  `alter table datasets add column team text`,
  `create index datasets_team on datasets (team) where team is not null`,
  `create table api_keys (
    id text primary key,
    secret_sha256 text not null,
    role text not null check (role in ('reader', 'writer', 'admin')),
    team text not null,
    name text not null default '',
    created_at timestamptz not null default now(),
    revoked_at timestamptz
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table api_keys').execute(db);
  await sql.raw('drop index datasets_team').execute(db);
  await sql.raw('alter table datasets drop column team').execute(db);
}
