// Builds a real Beacon for a test: a fresh PostgreSQL database of its own (dropped afterwards) or an in-memory
// embedded one, seeded with small deterministic demo data, listening on an ephemeral port.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { SeedSize } from '../../src/seed.js';
import { POSTGRES_ADMIN_URL } from './services.js';

export type DatabaseChoice = 'postgres' | 'embedded';

/**
 * Every test app's ADMIN_TOKEN unless its env names another: `gql` sends it with mutations that carry no
 * Authorization of their own (writes need a writer; test/security/roles.test.ts covers the refusals).
 */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ADMIN_AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** Small enough to seed in a second or two; large enough for pagination and rankings to mean something. */
export const TEST_SEED: SeedSize = { datasets: 40, modelRuns: 400, ioCountries: 5, ioSectors: 4 };

export interface TestApp {
  app: App;
  url: string;
  /** Sends one GraphQL request over HTTP. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
  /** The PostgreSQL database this app uses (undefined on the embedded one), for a second app on the same data. */
  databaseUrl: string | undefined;
  /** SQL statements sent while `fn` ran. */
  countStatements(fn: () => Promise<unknown>): Promise<number>;
  close(): Promise<void>;
}

export interface GqlResult<T> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[]; extensions?: any };
  text: string;
}

export interface TestAppOptions {
  database: DatabaseChoice;
  seed?: SeedSize | 'none';
  config?: Partial<Config>;
  env?: Record<string, string>;
  /**
   * With database 'postgres': use this database (e.g. another TestApp's `databaseUrl`) instead of creating one. It is
   * left in place on close; its owner drops it. Start the owner first: it seeds, this one finds the data there.
   */
  databaseUrl?: string;
}

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const shared = options.database === 'postgres' && options.databaseUrl ? { url: options.databaseUrl, drop: async () => {} } : undefined;
  const database = options.database === 'postgres' ? (shared ?? (await createTestDatabase())) : undefined;
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...options.env },
    {
      host: '127.0.0.1',
      port: 0,
      databaseUrl: database?.url,
      dataDir: 'memory://',
      seed: options.seed === 'none' ? 'none' : 'demo',
      ...options.config,
    },
  );
  const app = createApp(config, { seedSize: options.seed === 'none' ? undefined : (options.seed ?? TEST_SEED) });
  let url: string;
  try {
    ({ url } = await app.start());
  } catch (error) {
    await app.stop().catch(() => {});
    await database?.drop();
    throw error;
  }
  return {
    app,
    url,
    databaseUrl: database?.url,
    gql: (query, variables, headers) => postGraphql(url, query, variables, withWriterFor(query, headers, config.adminToken)),
    async countStatements(fn) {
      const before = app.database.statementCount();
      await fn();
      return app.database.statementCount() - before;
    },
    async close() {
      await app.stop();
      await database?.drop();
    },
  };
}

/** A mutation without an Authorization header gets the admin token's (when the app has one). */
export function withWriterFor(query: string, headers: Record<string, string> | undefined, adminToken: string | undefined): Record<string, string> | undefined {
  if (!adminToken || !/^\s*mutation\b/.test(query)) return headers;
  if (headers && Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) return headers;
  return { ...headers, authorization: `Bearer ${adminToken}` };
}

export async function postGraphql<T>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
  /** Past this the request fails instead of hanging (the chaos harness bounds every request). */
  timeoutMs?: number,
): Promise<GqlResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const text = await response.text();
  let body: GqlResult<T>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** A database named for this test run, created from template0 and dropped (with its connections) on close. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `beacon_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template template0`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Runs a suite once per database choice, skipping PostgreSQL where it is not reachable (outside CI). */
export function databaseChoices(postgresUp: boolean): DatabaseChoice[] {
  return postgresUp ? ['postgres', 'embedded'] : ['embedded'];
}
