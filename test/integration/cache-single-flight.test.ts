// Single-flight on the demo-sized cold path: the input-output models at demo size (30 countries x 20 sectors, a
// 600 x 600 coefficient matrix), 1,000 concurrent identical cold requests of an assessment -> one computation.
// Real PostgreSQL, with L1 alone and with L1 + Redis (two apps on one database, one after the other).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { backendsOfThisPass, postgresUp, REDIS_ENV, redisUp, usesRedis } from '../helpers/services.js';

/** Demo-sized models; few datasets and runs, which this file does not read. */
const SEED = { datasets: 2, modelRuns: 4, ioCountries: 30, ioSectors: 20 };
const CONCURRENT = 1_000;
const namespace = uniqueNamespace('flight');
const backends = backendsOfThisPass([
  { name: 'L1 alone', env: {} as Record<string, string>, pairs: ['USA', 'C10T12', 'DEU', 'C29'] },
  ...(redisUp
    ? [{ name: 'L1 + Redis', env: { ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' }, pairs: ['CHN', 'C26', 'JPN', 'C20'] }]
    : []),
]);

const ASSESSMENT = `query($country: String!, $sector: String!) {
  assessment(model: "OECD_ICIO", country: $country, sector: $sector) {
    outputMultiplier foreignShare riskScore riskLevel topSuppliers(limit: 5) { country sector requirement }
  }
}`;

/** Keep-alive sockets, many at once: fetch opens them too slowly for 1,000 requests to be concurrent. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface Reply {
  status: number;
  cache: string | undefined;
  text: string;
  body: any;
}

function post(url: string, query: string, variables: Record<string, unknown>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        const cache = response.headers['x-beacon-cache'];
        resolve({ status: response.statusCode!, cache: typeof cache === 'string' ? cache : undefined, text, body: JSON.parse(text) });
      });
    });
    request.on('error', reject);
    request.end(JSON.stringify({ query, variables }));
  });
}

describe.runIf(postgresUp)('single-flight on the demo-sized assessment path (postgres)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    agent.destroy();
    await database?.drop();
    if (redisUp) await dropNamespace(namespace);
  });

  describe.each(backends)('$name', (backend) => {
    let t: TestApp;
    const [baselineCountry, baselineSector, country, sector] = backend.pairs as [string, string, string, string];
    const field = () => t.app.cache.snapshot().fields.find((row) => row.name === 'assessment') ?? { hits: 0, misses: 0 };

    beforeAll(async () => {
      t = await startTestApp({ database: 'postgres', databaseUrl: database.url, seed: SEED, env: backend.env });
      if (usesRedis(backend.env)) await waitFor(() => t.app.cache.snapshot().redis.subscribed, 10_000, 'the Redis subscription');
      // Open the pool's connections now: a connection's first statement is preceded by a counted `set`.
      await Promise.all(Array.from({ length: 20 }, () => t.gql('{ ioModels { name } }', undefined, { 'cache-control': 'no-cache' })));
    });
    afterAll(() => t?.close());

    it(`computes an assessment once for ${CONCURRENT} concurrent identical cold requests`, async () => {
      // The model's table prepared first (the repository keeps it per model version, so only the first request of a
      // model reads the coefficients), on a third country-sector.
      expect((await t.gql(ASSESSMENT, { country, sector: baselineSector })).body.errors).toBeUndefined();
      // What one cold execution costs, on another country-sector (so the measured one stays cold).
      const single = await t.countStatements(async () => {
        const response = await t.gql(ASSESSMENT, { country: baselineCountry, sector: baselineSector });
        expect(response.body.errors).toBeUndefined();
      });
      expect(single).toBeGreaterThan(0);

      const before = { field: field(), dedupes: t.app.cache.snapshot().tiers[0]!.dedupes };
      let responses: Reply[] = [];
      const started = performance.now();
      const statements = await t.countStatements(async () => {
        responses = await Promise.all(Array.from({ length: CONCURRENT }, () => post(t.url, ASSESSMENT, { country, sector })));
      });
      const elapsed = performance.now() - started;
      const after = { field: field(), dedupes: t.app.cache.snapshot().tiers[0]!.dedupes };

      expect(responses.every((response) => response.status === 200 && response.body.errors === undefined)).toBe(true);
      expect(new Set(responses.map((response) => response.text)).size).toBe(1);
      expect(responses[0]!.body.data.assessment.outputMultiplier).toBeGreaterThan(1);
      // One execution: exactly the statements of one cold request, and one field computation.
      expect(statements).toBe(single);
      expect(after.field.misses - before.field.misses).toBe(1);
      // Every other request either joined that execution or was served the entry it stored.
      const joined = after.dedupes - before.dedupes;
      const hits = responses.filter((response) => response.cache?.startsWith('HIT')).length;
      expect(joined + hits).toBe(CONCURRENT - 1);
      console.info(`[${backend.name}] ${CONCURRENT} concurrent cold requests: ${statements} statements (one execution: ${single}), ${joined} joined, ${hits} hits, ${Math.round(elapsed)} ms`);
    });

    it('computes it once too when the requests differ in shape, through the field cache', async () => {
      const pair = { country: country === 'DEU' ? 'GBR' : 'FRA', sector: 'C24' };
      const query = `query($country: String!, $sector: String!, $limit: Int!) {
        assessment(model: "OECD_ICIO", country: $country, sector: $sector) { riskScore topSuppliers(limit: $limit) { country } } }`;
      // What one execution costs with the computation (cold), and around it (a new shape, the assessment cached).
      const cold = await t.countStatements(() => t.gql(query, { ...pair, limit: 100 }));
      const around = await t.countStatements(() => t.gql(query, { ...pair, limit: 1 }));
      const computation = cold - around;
      expect(around).toBeGreaterThan(0);
      expect(computation).toBeGreaterThan(0);
      const other = { country: pair.country, sector: 'C22' };
      // 50 response shapes (topSuppliers limits) of one cold assessment, 4 requests each, all at once: 50
      // executions (one per shape), one assessment computation.
      const shapes = 50;
      let responses: Reply[] = [];
      const before = field();
      const statements = await t.countStatements(async () => {
        responses = await Promise.all(Array.from({ length: 4 * shapes }, (_, index) => post(t.url, query, { ...other, limit: (index % shapes) + 1 })));
      });
      const after = field();
      expect(responses.every((response) => response.body.errors === undefined)).toBe(true);
      expect(new Set(responses.map((response) => response.body.data.assessment.riskScore)).size).toBe(1);
      expect(after.misses + after.hits - before.misses - before.hits).toBe(shapes); // each execution asked once
      expect(statements).toBe(shapes * around + computation);
    });
  });

  describe.runIf(redisUp)('two instances on one Redis', () => {
    const leaseNamespace = uniqueNamespace('lease');
    const apps: TestApp[] = [];
    const computations = (t: TestApp) => (t.app.cache.snapshot().fields.find((row) => row.name === 'assessment') ?? { misses: 0 }).misses;
    const waits = (t: TestApp) => t.app.cache.snapshot().tiers.find((tier) => tier.tier === 'L2')!.dedupes;

    beforeAll(async () => {
      const env = { ...REDIS_ENV, CACHE_NAMESPACE: leaseNamespace, CACHE_REDIS_TIMEOUT_MS: '1000' };
      // One after the other: the first seeds the database if it is still empty.
      for (let k = 0; k < 2; k += 1) apps.push(await startTestApp({ database: 'postgres', databaseUrl: database.url, seed: SEED, env }));
      await waitFor(() => apps.every((t) => t.app.cache.snapshot().redis.subscribed), 10_000, 'both subscriptions');
    });
    afterAll(async () => {
      await Promise.all(apps.map((t) => t.close()));
      await dropNamespace(leaseNamespace);
    });

    it('computes a cold assessment once across both: the instance without the lease waits for its entry', async () => {
      const [a, b] = apps as [TestApp, TestApp];
      const before = { computed: computations(a) + computations(b), waited: waits(a) + waits(b) };
      // 100 identical cold requests, alternating between the two instances, all at once.
      const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => post((index % 2 ? a : b).url, ASSESSMENT, { country: 'ITA', sector: 'C26' })));
      expect(responses.every((response) => response.status === 200 && response.body.errors === undefined)).toBe(true);
      expect(new Set(responses.map((response) => response.text)).size).toBe(1);
      const computed = computations(a) + computations(b) - before.computed;
      const waited = waits(a) + waits(b) - before.waited;
      expect(computed).toBe(1);
      console.info(`[lease] 100 cold requests over two instances: ${computed} computation; ${waited} instance waited for the other's entry`);
    });
  });
});
