// The per-operation timeout on a real slow path: another session holds a lock the query needs, so the query's SQL
// blocks. The client gets 504 TIMEOUT at the deadline, PostgreSQL cancels the statement (statement_timeout), and the
// pooled connection comes back: the pool is whole afterwards, and nothing is left running in the database.
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';
import { expectNoLeaks, originOf, post, send } from '../security/helpers.js';

const TIMEOUT_MS = 1_000;

describe.skipIf(!postgresUp)('per-operation timeout', () => {
  let t: TestApp;
  let locker: pg.Client;

  beforeAll(async () => {
    t = await startTestApp({
      database: 'postgres',
      env: { CACHE_ENABLED: 'false', OPERATION_TIMEOUT_MS: String(TIMEOUT_MS), DATABASE_POOL_SIZE: '2' },
    });
    locker = new pg.Client({ connectionString: t.app.config.databaseUrl });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end().catch(() => {});
    await t?.close();
  });

  /** Backends of the app's pool that are running a statement right now (not idle in the pool). */
  async function busyAppBackends(): Promise<number> {
    // The locker polls inside its open transaction, where PostgreSQL keeps the first pg_stat_activity it read for the
    // rest of the transaction: without clearing it, a poll that first caught a backend still finishing its
    // cancellation saw it busy until the deadline (seen once under the full suite's load).
    await locker.query('select pg_stat_clear_snapshot()');
    const result = await locker.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`,
    );
    return result.rows[0].n;
  }

  it('runs serving statements under statement_timeout equal to the operation timeout', async () => {
    const result = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(t.app.database.db);
    expect(result.rows[0].statement_timeout).toBe('1s');
  });

  it('answers 504 TIMEOUT at the deadline, cancels the blocked statement and returns the connection', async () => {
    await locker.query('begin');
    await locker.query('lock table datasets in access exclusive mode');
    try {
      // Two blocked operations: together they hold the whole pool (size 2) until their statements are cancelled.
      const started = performance.now();
      const responses = await Promise.all([
        send(originOf(t.url), post('{ datasets(first: 3) { nodes { id } } }')),
        send(originOf(t.url), post('{ categories { name datasetCount } }')),
      ]);
      const elapsed = performance.now() - started;
      for (const response of responses) {
        expect(response.status, response.text).toBe(504);
        expect(response.json.errors[0]).toMatchObject({ extensions: { code: 'TIMEOUT', timeoutMs: TIMEOUT_MS } });
        expect(response.json.errors[0].message).toMatch(/time limit of 1000 ms/);
        expectNoLeaks(response);
      }
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 1_500);
      console.info(`timed-out operations answered after ${Math.round(elapsed)} ms (limit ${TIMEOUT_MS} ms)`);

      // No statement starts after the deadline, and each is cancelled by statement_timeout (= the operation
      // timeout) at the latest: by twice the timeout from the start, nothing of the app's is left in the database.
      const freedBy = started + 2 * TIMEOUT_MS + 1_000 - performance.now() + Date.now();
      while ((await busyAppBackends()) > 0 && Date.now() < freedBy) await new Promise((resolve) => setTimeout(resolve, 50));
      await locker.query('select pg_stat_clear_snapshot()');
      const left = await locker.query(`select state, wait_event_type, query, now() - query_start as age from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`);
      expect(await busyAppBackends(), JSON.stringify(left.rows)).toBe(0);

      // Both pooled connections are usable again, while the lock is still held.
      const health = await Promise.all([1, 2].map(() => t.gql('{ health { database { ok } } }')));
      for (const response of health) expect(response.body.data.health.database.ok).toBe(true);
    } finally {
      await locker.query('rollback');
    }
    const after = await t.gql('{ datasets(first: 3) { nodes { id } } }');
    expect(after.status).toBe(200);
    expect(after.body.data.datasets.nodes).toHaveLength(3);
  });
});
