// The real services a run uses: one fresh PostgreSQL database seeded with the demo data (created from the admin URL,
// dropped at the end) and Redis, where every key a run writes is under its own namespace prefix (removed at the end).
import { createClient } from '@keyv/redis';
import { sql } from 'kysely';
import pg from 'pg';
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { DEMO_SEED, seedIfEmpty } from '../../src/seed.js';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchDatabase {
  url: string;
  seedMs: number;
  drop(): Promise<void>;
}

export async function createSeededDatabase(name: string): Promise<BenchDatabase> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`database name must be [a-z0-9_], got ${JSON.stringify(name)}`);
  await admin((client) => client.query(`create database ${name} template template0`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const drop = () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {});
  try {
    const database = await openDatabase({ url: url.toString(), poolSize: 2, dataDir: 'memory://' });
    try {
      await migrateToLatest(database.db);
      const started = performance.now();
      await seedIfEmpty(database.db, DEMO_SEED);
      const seedMs = performance.now() - started;
      // Fresh statistics for the planner, as a long-running database would have.
      await sql`analyze`.execute(database.db);
      return { url: url.toString(), seedMs, drop };
    } finally {
      await database.close();
    }
  } catch (error) {
    await drop();
    throw error;
  }
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under `prefix` (SCAN + UNLINK: fine here, never on a request path). Returns the count. */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) throw new Error(`unsafe Redis prefix ${JSON.stringify(prefix)}`);
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) deleted += await client.unlink(keys);
    }
  } finally {
    await client.close();
  }
  return deleted;
}

/**
 * A writer's API key in the bench database, for requests that carry `Authorization: Bearer <key>`: each hit then
 * also pays the key check (a cached verification) and is keyed by the key's team.
 */
export async function createBenchKey(databaseUrl: string): Promise<string> {
  const database = await openDatabase({ url: databaseUrl, poolSize: 1, dataDir: 'memory://' });
  try {
    return (await new ApiKeyRepository(database.db).create({ role: 'writer', team: 'bench', name: 'npm run bench' })).key;
  } finally {
    await database.close();
  }
}
