// PostgreSQL faults against a real server: the app reaches its database through a TCP proxy the test controls, so
// the database can be made unreachable, silent, or cut off, and brought back. Under every fault the API answers
// every request with a clean masked error within a bounded time, never crashes, and recovers within 5 s of the
// database coming back. Pool exhaustion waits DATABASE_POOL_TIMEOUT_MS, not forever.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUTH, createTestDatabase, startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';
import { expectNoLeaks, originOf, post, send, type RawResponse } from '../security/helpers.js';
import { TcpProxy } from '../security/tcp-proxy.js';

const POOL_TIMEOUT_MS = 1_000;
const OPERATION_TIMEOUT_MS = 3_000;
const RECOVERY_BUDGET_MS = 5_000;
const QUERY = '{ datasets(first: 3) { nodes { id name } } }';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!postgresUp)('PostgreSQL faults', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let t: TestApp;
  let origin: string;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    let proxied: string;
    ({ proxy, url: proxied } = await TcpProxy.toDatabase(database.url));
    t = await startTestApp({
      // 'embedded' only to skip creating a database: the URL below makes it PostgreSQL, through the proxy.
      database: 'embedded',
      config: { databaseUrl: proxied },
      env: {
        CACHE_ENABLED: 'false',
        DATABASE_POOL_SIZE: '2',
        DATABASE_POOL_TIMEOUT_MS: String(POOL_TIMEOUT_MS),
        OPERATION_TIMEOUT_MS: String(OPERATION_TIMEOUT_MS),
      },
    });
    origin = originOf(t.url);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end().catch(() => {});
    await t?.close();
    await proxy?.down();
    await database?.drop();
  });

  const query = () => send(origin, post(QUERY));

  /** A response during a fault: a masked error with a code a client can act on, and nothing internal. */
  function expectCleanFailure(response: RawResponse, allowed: Array<[number, string]>): void {
    expectNoLeaks(response);
    const code = response.json?.errors?.[0]?.extensions?.code;
    expect(allowed.some(([status, expected]) => status === response.status && expected === code), `${response.status} ${response.text}`).toBe(true);
  }

  /** Polls until the query succeeds; returns the milliseconds it took. */
  async function timeToRecover(): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < RECOVERY_BUDGET_MS + 5_000) {
      const response = await query();
      if (response.status === 200 && !response.json?.errors) return performance.now() - started;
      expectNoLeaks(response);
      await pause(50);
    }
    return Number.POSITIVE_INFINITY;
  }

  it('pool exhaustion: a request waits DATABASE_POOL_TIMEOUT_MS for a connection, then fails cleanly', async () => {
    await admin.query('begin');
    await admin.query('lock table datasets in access exclusive mode');
    try {
      // Both pooled connections block on the lock...
      const blocked = [query(), send(origin, post('{ categories { name } }'))];
      await pause(300);
      // ...so this one queues for a connection, and gives up at the pool timeout rather than waiting forever.
      const started = performance.now();
      const queued = await send(origin, post('{ ioModels { name } }'));
      const waited = performance.now() - started;
      expectCleanFailure(queued, [[200, 'SERVICE_UNAVAILABLE']]);
      expect(waited).toBeGreaterThanOrEqual(POOL_TIMEOUT_MS - 50);
      expect(waited).toBeLessThan(POOL_TIMEOUT_MS + 1_000);
      console.info(`pool exhausted: a queued request gave up after ${Math.round(waited)} ms (pool timeout ${POOL_TIMEOUT_MS} ms)`);
      for (const response of await Promise.all(blocked)) expectCleanFailure(response, [[504, 'TIMEOUT']]);
    } finally {
      await admin.query('rollback');
    }
    expect((await query()).status).toBe(200);
  });

  it('unreachable: every request gets a masked SERVICE_UNAVAILABLE at once, /health says 503, and it recovers within 5 s', async () => {
    expect((await query()).status).toBe(200);
    await proxy.down();
    try {
      const outageStarted = performance.now();
      while (performance.now() - outageStarted < 1_500) {
        const started = performance.now();
        const response = await query();
        expect(performance.now() - started).toBeLessThan(POOL_TIMEOUT_MS + 500);
        expectCleanFailure(response, [[200, 'SERVICE_UNAVAILABLE']]);
        expect(response.json.data).toBeNull();
        await pause(100);
      }
      const mutation = await send(origin, post('mutation { updateDataset(id: "1", input: { name: "renamed during the outage" }) { id } }', undefined, ADMIN_AUTH));
      expectCleanFailure(mutation, [[200, 'SERVICE_UNAVAILABLE']]);
      const health = await send(origin, { method: 'GET', path: '/health' });
      expect(health.status).toBe(503);
      expectNoLeaks(health);
      const healthQuery = await send(origin, post('{ health { ok database { ok error } } }', undefined, { 'cache-control': 'no-cache' }));
      expectNoLeaks(healthQuery);
      expect(healthQuery.json.data.health).toMatchObject({ ok: false, database: { ok: false } });
    } finally {
      await proxy.up();
    }
    const recovered = await timeToRecover();
    console.info(`PostgreSQL unreachable -> back: first successful query ${Math.round(recovered)} ms after it returned`);
    expect(recovered).toBeLessThan(RECOVERY_BUDGET_MS);
    const unchanged = await admin.query('select name from datasets where id = 1');
    expect(unchanged.rows[0].name).not.toBe('renamed during the outage');
  });

  it('terminated backends (pg_terminate_backend): the pool replaces its connections, within 5 s', async () => {
    // Fill the pool with idle connections, then have PostgreSQL kill them all.
    await Promise.all([query(), query()]);
    const killed = await admin.query(
      'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    expect(killed.rows[0].n).toBeGreaterThan(0);
    const first = await query();
    if (first.status !== 200 || first.json?.errors) expectCleanFailure(first, [[200, 'SERVICE_UNAVAILABLE']]);
    const recovered = await timeToRecover();
    console.info(`backends terminated: first successful query ${Math.round(recovered)} ms later`);
    expect(recovered).toBeLessThan(RECOVERY_BUDGET_MS);
  });

  it('silent (accepts, never answers): requests end at the pool or operation timeout, not forever, and it recovers', async () => {
    expect((await query()).status).toBe(200);
    proxy.blackhole();
    try {
      const started = performance.now();
      const responses = await Promise.all([query(), query(), query(), send(origin, post('{ ioModels { name } }'))]);
      const elapsed = performance.now() - started;
      for (const response of responses) {
        expectCleanFailure(response, [
          [504, 'TIMEOUT'],
          [200, 'SERVICE_UNAVAILABLE'],
        ]);
      }
      expect(elapsed).toBeLessThan(OPERATION_TIMEOUT_MS + 1_500);
      console.info(`PostgreSQL silent: ${responses.length} requests all answered within ${Math.round(elapsed)} ms`);
    } finally {
      // Cut the silent connections (the pool drops them) and forward again.
      await proxy.down();
      await proxy.up();
    }
    const recovered = await timeToRecover();
    console.info(`PostgreSQL silent -> back: first successful query ${Math.round(recovered)} ms after it returned`);
    expect(recovered).toBeLessThan(RECOVERY_BUDGET_MS);
  });
});
