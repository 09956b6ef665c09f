// The response cache through HTTP, on the cache's default backend (L1 in process, no Redis). Until the domains
// land, `health` (30 s) is the cacheable query; its uptimeSeconds changes on every execution, which shows when a
// response was recomputed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseChoices, postGraphql, startTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/cache.js';
import { postgresUp } from '../helpers/services.js';

const database = databaseChoices(postgresUp)[0]!;
const ADMIN_TOKEN = 'test-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const HEALTH = '{ health { ok version uptimeSeconds } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function warmupFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'beacon-warmup-'));
  const file = path.join(dir, 'warmup.json');
  writeFileSync(file, JSON.stringify([{ query: 'query Warm { health { ok version } }', operationName: 'Warm' }]));
  return file;
}

describe(`response cache over HTTP (${database}, memory backend)`, () => {
  let t: TestApp;
  const file = warmupFile();
  beforeAll(async () => {
    t = await startTestApp({ database, seed: 'none', env: { ADMIN_TOKEN, CACHE_WARMUP_FILE: file } });
  });
  afterAll(() => t?.close());

  // node:http rather than fetch: fetch adds Cache-Control: no-cache to any request carrying If-None-Match.
  const get = (query: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
      const request = http.get(`${t.url}?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': '1', ...headers } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
      });
      request.on('error', reject);
    });

  it('warms the listed operations at start, in the background, so the first load is a hit', async () => {
    await waitFor(async () => (await t.gql('query Warm { health { ok version } }')).headers.get('x-beacon-cache') === 'HIT-L1', 5_000, 'warm-up');
  });

  it('answers a repeated query from L1 with exactly the bytes of the miss', async () => {
    const query = '{ health { ok version uptimeSeconds database { name ok } } }';
    const miss = await t.gql(query);
    const hit = await t.gql(query);
    expect(miss.headers.get('x-beacon-cache')).toBe('MISS');
    expect(hit.headers.get('x-beacon-cache')).toBe('HIT-L1');
    expect(hit.text).toBe(miss.text);
    expect(hit.headers.get('content-type')).toBe(miss.headers.get('content-type'));
  });

  it('shares an entry between documents that differ only in ignored characters', async () => {
    await t.gql('query Same { health { ok } }');
    const hit = await t.gql('query   Same {\n  health {\n    ok # the same\n  }\n}');
    expect(hit.headers.get('x-beacon-cache')).toBe('HIT-L1');
  });

  it('shares one execution among 1,000 concurrent identical cold requests', async () => {
    const query = '{ health { ok uptimeSeconds } again: health { version } }';
    let responses: Awaited<ReturnType<TestApp['gql']>>[] = [];
    const statements = await t.countStatements(async () => {
      responses = await Promise.all(Array.from({ length: 1_000 }, () => t.gql(query)));
    });
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(new Set(responses.map((response) => response.text)).size).toBe(1);
    expect(statements).toBe(2); // each health field pings the database once per execution
  });

  it('recomputes and refreshes the entry when the request says Cache-Control: no-cache', async () => {
    const first = await t.gql(HEALTH);
    await sleep(15);
    const bypass = await t.gql(HEALTH, undefined, { 'cache-control': 'no-cache' });
    const after = await t.gql(HEALTH);
    expect(bypass.headers.get('x-beacon-cache')).toBe('BYPASS');
    expect(bypass.text).not.toBe(first.text);
    expect(after.headers.get('x-beacon-cache')).toBe('HIT-L1');
    expect(after.text).toBe(bypass.text);
  });

  it('explains itself in extensions.cache on request, without storing the debug body', async () => {
    const query = 'query Debugged { health { ok } }';
    const miss = await t.gql(query, undefined, { 'x-beacon-cache-debug': '1' });
    expect(miss.body.extensions.cache).toMatchObject({ hit: 'MISS', ttl: 30, tags: [] });
    expect(miss.body.extensions.cache.key).toMatch(/^beacon:r:/);
    const hit = await t.gql(query, undefined, { 'x-beacon-cache-debug': '1' });
    expect(hit.body.extensions.cache).toMatchObject({ hit: 'L1', ttl: 30 });
    const plain = await t.gql(query);
    expect(plain.body.extensions).toBeUndefined();
    const stats = await t.gql('{ cacheStats { backend } }', undefined, { 'x-beacon-cache-debug': '1' });
    expect(stats.body.extensions.cache.reason).toBe('cacheStats is never cached');
  });

  it('never caches mutations, introspection, cacheStats or errors', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ cacheStats { backend } }', '{ health { nope } }']) {
      await t.gql(query);
      expect((await t.gql(query)).headers.get('x-beacon-cache')).not.toMatch(/^HIT/);
    }
    const mutation = 'mutation { _noop }';
    await t.gql(mutation);
    expect((await t.gql(mutation)).headers.get('x-beacon-cache')).toBeNull();
  });

  it('sends Cache-Control, Age and an ETag on GET, and 304 for a matching If-None-Match', async () => {
    const query = '{ health { version } }';
    const first = await get(query);
    expect(first.headers['cache-control']).toBe('public, max-age=30');
    expect(first.headers.age).toBe('0');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^".+"$/);
    const second = await get(query);
    expect(second.headers['x-beacon-cache']).toBe('HIT-L1');
    expect(second.headers.etag).toBe(etag);
    const notModified = await get(query, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    // Any invalidation of the entry's tags forces a recompute, and a new ETag.
    await t.gql('mutation { clearCache(scope: ALL) { invalidated } }', undefined, admin);
    const changed = await get(query, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('refuses clearCache and warmCache without valid credentials (401 UNAUTHENTICATED)', async () => {
    // No header; a token nobody issued; the admin token without the Bearer scheme.
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-000000000000' }, { authorization: ADMIN_TOKEN }];
    for (const headers of attempts) {
      for (const mutation of ['mutation { clearCache(scope: ALL) { invalidated } }', 'mutation { warmCache { operations } }']) {
        // postGraphql, not t.gql: the helper would add the admin token to a mutation sent without credentials.
        const response = await postGraphql(t.url, mutation, undefined, headers);
        expect(response.status).toBe(401);
        expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('clears by tag, type or everything for an admin, inside its namespace', async () => {
    await t.gql(HEALTH);
    expect((await t.gql(HEALTH)).headers.get('x-beacon-cache')).toBe('HIT-L1');
    const tag = await t.gql('mutation { clearCache(scope: TAG, value: "Dataset:1") { scope value invalidated } }', undefined, admin);
    expect(tag.body.data.clearCache).toEqual({ scope: 'TAG', value: 'Dataset:1', invalidated: ['Dataset:1'] });
    expect((await t.gql(HEALTH)).headers.get('x-beacon-cache')).toBe('HIT-L1'); // health does not depend on it
    const bad = await t.gql('mutation { clearCache(scope: TYPE) { invalidated } }', undefined, admin);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await t.gql('mutation { clearCache(scope: ALL) { invalidated } }', undefined, admin);
    expect((await t.gql(HEALTH)).headers.get('x-beacon-cache')).toBe('MISS');
  });

  it('reruns the warm-up on warmCache for an admin', async () => {
    await t.gql('mutation { clearCache(scope: ALL) { invalidated } }', undefined, admin);
    const warmed = await t.gql('mutation { warmCache { operations cached failed } }', undefined, admin);
    expect(warmed.body.data.warmCache).toEqual({ operations: 1, cached: 1, failed: 0 });
    expect((await t.gql('query Warm { health { ok version } }')).headers.get('x-beacon-cache')).toBe('HIT-L1');
  });

  it('never lets a read that starts after a clearCache response see an entry computed before it', async () => {
    // uptimeSeconds tells when a response was computed (to 10 ms); every round waits long enough to tell apart. The
    // server's start time is known from a response only up to that request's latency: `arrived - uptime` is an upper
    // bound of it. The least of several such bounds is taken, so a computedAt below is never earlier than the truth
    // (a slow request on a loaded machine must not make fresh responses look old).
    let startedAt = Infinity;
    for (let sample = 0; sample < 10; sample += 1) {
      const response = await t.gql('{ health { uptimeSeconds } }', undefined, { 'cache-control': 'no-cache' });
      startedAt = Math.min(startedAt, Date.now() - response.body.data.health.uptimeSeconds * 1000);
    }
    let stale = 0;
    for (let round = 0; round < 25; round += 1) {
      const readers = Array.from({ length: 5 }, () => t.gql(HEALTH));
      await sleep(25);
      const writeStarted = Date.now();
      await t.gql('mutation { clearCache(scope: ALL) { invalidated } }', undefined, admin);
      const after = await Promise.all(Array.from({ length: 5 }, () => t.gql(HEALTH)));
      for (const response of after) {
        const computedAt = startedAt + response.body.data.health.uptimeSeconds * 1000;
        if (computedAt < writeStarted - 20) stale += 1;
      }
      await Promise.all(readers);
    }
    expect(stale).toBe(0);
  });

  it('reports tiers, operations, latency and the TTLs in force in cacheStats', async () => {
    await t.gql('query Dashboard { health { ok } }');
    await t.gql('query Dashboard { health { ok } }');
    const stats = await t.gql(`{ cacheStats {
      backend enabled redis { configured state }
      tiers { tier hits misses sets entries bytes errors }
      operations { name hits misses hitRate }
      responseLatency { hits misses hitAvgMs missAvgMs estimatedTimeSavedMs }
      invalidations { events tags byTagCount { tagCount events } }
      ttls { coordinate maxAgeSeconds scope } } }`);
    const data = stats.body.data.cacheStats;
    expect(data.backend).toBe('memory');
    expect(data.redis).toEqual({ configured: false, state: 'off' });
    expect(data.tiers[0].tier).toBe('L1');
    expect(data.tiers[0].entries).toBeGreaterThan(0);
    expect(data.operations).toContainEqual({ name: 'Dashboard', hits: 1, misses: 1, hitRate: 0.5 });
    expect(data.responseLatency.hitAvgMs).toBeLessThan(data.responseLatency.missAvgMs);
    expect(data.invalidations.events).toBeGreaterThan(0);
    expect(data.ttls).toContainEqual({ coordinate: 'Query.health', maxAgeSeconds: 30, scope: 'PUBLIC' });
    expect(data.ttls).toContainEqual({ coordinate: 'Dataset.sample', maxAgeSeconds: 7200, scope: 'PUBLIC' });
  });
});

describe(`response cache TTL (${database})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      database,
      seed: 'none',
      env: { ADMIN_TOKEN: '', CACHE_MAX_TTL_SECONDS: '1', CACHE_STALE_WHILE_REVALIDATE_SECONDS: '0', CACHE_STALE_IF_ERROR_SECONDS: '0' },
    });
  });
  afterAll(() => t?.close());

  it('refuses clearCache to everyone when ADMIN_TOKEN is unset', async () => {
    const response = await t.gql('mutation { clearCache(scope: ALL) { invalidated } }', undefined, { authorization: 'Bearer anything-at-all-000000' });
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('expires a response after its TTL and recomputes it', async () => {
    const miss = await t.gql(HEALTH);
    expect((await t.gql(HEALTH)).headers.get('x-beacon-cache')).toBe('HIT-L1');
    await sleep(1_100);
    const again = await t.gql(HEALTH);
    expect(again.headers.get('x-beacon-cache')).toBe('MISS');
    expect(again.text).not.toBe(miss.text);
  });
});

describe(`cache switched off (${database})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database, seed: 'none', env: { CACHE_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('executes every request when CACHE_ENABLED=false', async () => {
    await t.gql('{ health { ok } }'); // the first request on a fresh pool sends one statement more
    const statements = await t.countStatements(async () => {
      await t.gql(HEALTH);
      await t.gql(HEALTH);
    });
    expect(statements).toBe(2);
  });
});
