// Health with dependencies up and down, through /health/live, /health/ready, the health query and the metrics:
// Redis down is DEGRADED (ready stays 200: the cache serves from L1), PostgreSQL down is DOWN (ready 503, live 200),
// a silent database costs one check budget, and a report is reused for HEALTH_CACHE_MS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, startTestApp, type TestApp } from '../helpers/app.js';
import { freePort, PrivateRedis, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { postgresUp, redisUp } from '../helpers/services.js';
import { TcpProxy } from '../security/tcp-proxy.js';

/** PostgreSQL when it is up: a fresh database there starts faster than the embedded one. */
const DATABASE = postgresUp ? 'postgres' : 'embedded';
const HEALTH = '{ health { ok status database { ok } dependencies { name status ok critical latencyMs error detail } } }';
const noCache = { 'cache-control': 'no-cache' };

async function ready(origin: string) {
  const response = await fetch(`${origin}/health/ready`);
  return { status: response.status, body: (await response.json()) as any };
}

async function metric(origin: string, line: string): Promise<number | undefined> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('health with Redis unreachable', () => {
  let t: TestApp;
  let origin: string;
  beforeAll(async () => {
    t = await startTestApp({ database: DATABASE, seed: 'none', env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, HEALTH_CHECK_TIMEOUT_MS: '500' } });
    origin = new URL(t.url).origin;
  });
  afterAll(() => t?.close());

  it('is ready but DEGRADED: the cache serves from L1, every answer stays right', async () => {
    const { status, body } = await ready(origin);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    const byName = Object.fromEntries(body.dependencies.map((d: any) => [d.name, d]));
    expect(byName.database).toMatchObject({ status: 'ok', critical: true, error: null });
    expect(byName.redis).toMatchObject({ status: 'down', critical: false, error: 'unreachable' });
    expect(byName.cache).toMatchObject({ status: 'degraded', detail: expect.stringContaining('serving from L1 only') });
    // The address of Redis is not shown to whoever asks.
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });

  it('says the same through the health query, which is ok (the database answers) but DEGRADED', async () => {
    const response = await t.gql(HEALTH);
    expect(response.body.data.health).toMatchObject({ ok: true, status: 'DEGRADED', database: { ok: true } });
    expect(response.body.data.health.dependencies.map((d: any) => [d.name, d.status])).toEqual([
      ['database', 'OK'],
      ['redis', 'DOWN'],
      ['cache', 'DEGRADED'],
    ]);
    // A report that is not OK is not stored: asked again, it is computed again.
    expect((await t.gql(HEALTH)).headers.get('x-beacon-cache')).toBe('MISS');
  });

  it('shows it in the metrics, and stays live', async () => {
    expect(await metric(origin, 'beacon_health_status{status="DEGRADED"}')).toBe(1);
    expect(await metric(origin, 'beacon_dependency_up{dependency="redis"}')).toBe(0);
    expect(await metric(origin, 'beacon_redis_up')).toBe(0);
    expect(await metric(origin, 'beacon_redis_configured')).toBe(1);
    expect((await fetch(`${origin}/health/live`)).status).toBe(200);
  });
});

describe.skipIf(!redisUp)('health with Redis up, then lost', () => {
  let redis: PrivateRedis;
  let app: App;
  let origin: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const database = postgresUp ? await createTestDatabase() : undefined;
    dropDatabase = database?.drop;
    redis = await PrivateRedis.create();
    await redis.start();
    const logger = createLogger('info', { destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const config = loadConfig(
      { NODE_ENV: 'test', REDIS_URL: redis.url, CACHE_NAMESPACE: uniqueNamespace('health'), HEALTH_CHECK_TIMEOUT_MS: '500' },
      { host: '127.0.0.1', port: 0, dataDir: 'memory://', seed: 'none', databaseUrl: database?.url },
    );
    app = createApp(config, { logger });
    origin = new URL((await app.start()).url).origin;
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await dropDatabase?.();
  });

  it('is OK once the cache link is ready, with a latency for each dependency that did I/O', async () => {
    // The PING runs in the background (a health report never waits on Redis): its latency shows from the next report.
    const redisLatency = async () => (await ready(origin)).body.dependencies.find((d: any) => d.name === 'redis').latencyMs;
    await waitFor(async () => (await ready(origin)).body.status === 'ok' && (await redisLatency()) !== null, 5_000, 'the Redis link and a PING');
    const { body } = await ready(origin);
    const byName = Object.fromEntries(body.dependencies.map((d: any) => [d.name, d]));
    expect(byName.redis).toMatchObject({ status: 'ok', detail: 'cache link ready' });
    expect(byName.redis.latencyMs).toBeGreaterThan(0);
    expect(byName.database.latencyMs).toBeGreaterThan(0);
    expect(byName.cache).toMatchObject({ status: 'ok', detail: 'L1 + L2 (Redis)' });
  });

  it('turns DEGRADED (still ready) when Redis dies, and logs the link change at warn', async () => {
    await redis.stop();
    await waitFor(async () => (await ready(origin)).body.status === 'degraded', 5_000, 'degraded');
    expect((await ready(origin)).status).toBe(200);
    await waitFor(() => lines.some((line) => line.msg === 'redis link lost: the cache serves from L1 only'), 3_000, 'the warning');
    expect(lines.find((line) => line.msg === 'redis link lost: the cache serves from L1 only')).toMatchObject({ level: 'warn' });
  });
});

describe.skipIf(!postgresUp)('health with PostgreSQL unreachable', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let t: TestApp;
  let origin: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    let proxied: string;
    ({ proxy, url: proxied } = await TcpProxy.toDatabase(database.url));
    t = await startTestApp({
      database: 'embedded', // the URL below makes it PostgreSQL, through the proxy
      seed: 'none',
      config: { databaseUrl: proxied },
      env: { HEALTH_CHECK_TIMEOUT_MS: '500', DATABASE_POOL_TIMEOUT_MS: '2000', CACHE_ENABLED: 'false' },
    });
    origin = new URL(t.url).origin;
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.down();
    await database?.drop();
  });

  it('is ready and OK while the database answers', async () => {
    const { status, body } = await ready(origin);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
  });

  it('is DOWN when the database refuses connections: ready 503, live 200, the health query says why', async () => {
    await proxy.down();
    try {
      const { status, body } = await ready(origin);
      expect(status).toBe(503);
      expect(body.status).toBe('down');
      expect(body.dependencies.find((d: any) => d.name === 'database')).toMatchObject({ status: 'down', error: 'unreachable' });
      expect((await fetch(`${origin}/health/live`)).status).toBe(200);
      const health = await t.gql(HEALTH, undefined, noCache);
      expect(health.body.data.health).toMatchObject({ ok: false, status: 'DOWN', database: { ok: false } });
      expect(await metric(origin, 'beacon_dependency_up{dependency="database"}')).toBe(0);
      expect(await metric(origin, 'beacon_health_status{status="DOWN"}')).toBe(1);
    } finally {
      await proxy.up();
    }
    await waitFor(async () => (await ready(origin)).status === 200, 5_000, 'recovery');
  });

  it('answers within the check budget when the database is silent', async () => {
    proxy.blackhole();
    try {
      const started = performance.now();
      const { status, body } = await ready(origin);
      const took = performance.now() - started;
      expect(status).toBe(503);
      expect(body.dependencies.find((d: any) => d.name === 'database')).toMatchObject({ status: 'down', error: 'no answer within 500 ms' });
      expect(took).toBeLessThan(1_500);
    } finally {
      await proxy.down();
      await proxy.up();
    }
    await waitFor(async () => (await ready(origin)).status === 200, 8_000, 'recovery');
  });
});

describe('health report reuse', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: DATABASE, seed: 'none', env: { HEALTH_CACHE_MS: '60000' } });
  });
  afterAll(() => t?.close());

  it('reuses one report for HEALTH_CACHE_MS across probes, scrapes and queries', async () => {
    const origin = new URL(t.url).origin;
    const first = await ready(origin);
    let second: Awaited<ReturnType<typeof ready>> | undefined;
    const statements = await t.countStatements(async () => {
      second = await ready(origin);
      await fetch(`${origin}/metrics`);
      await t.gql('{ health { status } }', undefined, noCache);
    });
    expect(statements).toBe(0);
    expect(second!.body.checkedAt).toBe(first.body.checkedAt);
  });
});
