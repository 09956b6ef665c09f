// Operation limits and rate limiting through HTTP: each limit is configurable and enforced at its bound, every
// rejection happens before a single SQL statement, and the fragment bomb that freezes a vanilla server is turned
// away in milliseconds.
import { ApiKeyRepository } from '../../src/auth/api-keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';
import { expectLive, expectNoLeaks, originOf, post, send } from '../security/helpers.js';

/** 1.9 KB: each fragment spreads the next twice under aliases, so the operation expands to 2^16 branches. */
function fragmentBomb(levels = 15): string {
  let query = 'query { dataset(id: "1") { ...F0 } }\n';
  for (let i = 0; i < levels; i++) {
    query += `fragment F${i} on Dataset { a: modelRuns { nodes { dataset { ...F${i + 1} } } } b: modelRuns { nodes { dataset { ...F${i + 1} } } } }\n`;
  }
  return `${query}fragment F${levels} on Dataset { id }\n`;
}

/** A client that accepts application/graphql-response+json: request errors are 400 (src/http/media-status.ts). */
const STRICT = { accept: 'application/graphql-response+json' };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe.skipIf(!postgresUp)('operation limits', () => {
  let t: TestApp;
  let origin: string;
  beforeAll(async () => {
    // Tiny limits, so each bound is easy to reach exactly; the cache off, so every accepted query reaches SQL.
    t = await startTestApp({
      database: 'postgres',
      env: {
        CACHE_ENABLED: 'false',
        GRAPHQL_MAX_DEPTH: '3',
        GRAPHQL_MAX_ALIASES: '2',
        GRAPHQL_MAX_DIRECTIVES: '3',
        GRAPHQL_MAX_DIRECTIVES_PER_FIELD: '2',
        GRAPHQL_MAX_TOKENS: '60',
        GRAPHQL_MAX_COST: '50',
      },
    });
    origin = originOf(t.url);
  });
  afterAll(() => t?.close());

  const cases: Array<{ limit: string; accepted: string; rejected: string; message: RegExp }> = [
    {
      limit: 'depth',
      accepted: '{ health { database { name } } }',
      rejected: '{ datasets(first: 1) { nodes { modelRuns(first: 1) { totalCount } } } }',
      message: /^Operation depth is 4; the limit is 3\.$/,
    },
    {
      limit: 'aliases',
      accepted: '{ a: health { ok } b: health { ok } }',
      rejected: '{ a: health { ok } b: health { ok } c: health { ok } }',
      message: /^Operation alias count \(fragments expanded\) is 3; the limit is 2\.$/,
    },
    {
      limit: 'aliases through a fragment',
      accepted: 'fragment H on Query { a: health { ok } } { ...H }',
      rejected: 'fragment H on Query { a: health { ok } } { ...H ... on Query { ...H } x: health { ok } }',
      message: /alias count \(fragments expanded\) is 3/,
    },
    {
      limit: 'directives on one field',
      accepted: '{ health @include(if: true) @skip(if: false) { ok } }',
      rejected: '{ health @include(if: true) @skip(if: false) @include(if: true) { ok } }',
      message: /^Operation directive count on one field is 3; the limit is 2\.$/,
    },
    {
      limit: 'directives in total',
      accepted: '{ health @include(if: true) { ok @skip(if: false) database @skip(if: false) { ok } } }',
      rejected: '{ health @include(if: true) { ok @skip(if: false) database @skip(if: false) { ok @skip(if: false) } } }',
      message: /^Operation directive count \(fragments expanded\) is 4; the limit is 3\.$/,
    },
    {
      // 21 tokens around the metrics list, one per metric (commas are not tokens); a cost of 9 whatever the length.
      limit: 'tokens',
      accepted: `{ compareModels(ids: ["1", "2"], metrics: [${'ACCURACY, '.repeat(39)}]) { runs { id } } }`,
      rejected: `{ compareModels(ids: ["1", "2"], metrics: [${'ACCURACY, '.repeat(40)}]) { runs { id } } }`,
      message: /^Operation token count is 61; the limit is 60\.$/,
    },
    {
      // datasets(first: n) { nodes { id } }: 1 + n x 2
      limit: 'cost',
      accepted: '{ datasets(first: 24) { nodes { id } } }',
      rejected: '{ datasets(first: 25) { nodes { id } } }',
      message: /^Operation cost is 51; the limit is 50\.$/,
    },
  ];

  it.each(cases)('$limit: accepted at the bound, rejected past it with the measured value, before any SQL', async (c) => {
    const accepted = await t.gql(c.accepted);
    expect(accepted.status, accepted.text).toBe(200);
    // Accepted by the limits; what the resolvers make of the arguments is theirs to say.
    expect(accepted.body.data, accepted.text).toBeTruthy();

    let rejected!: Awaited<ReturnType<TestApp['gql']>>;
    const statements = await t.countStatements(async () => {
      rejected = await t.gql(c.rejected, undefined, STRICT);
    });
    expect(rejected.status).toBe(400);
    expect(rejected.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(rejected.body.errors?.[0].message).toMatch(c.message);
    expect(statements).toBe(0);
    expectNoLeaks(rejected);
  });

  it('takes the cost from variables too (limits set by a variable multiply as literals do)', async () => {
    const query = 'query($n: Int) { datasets(first: $n) { nodes { id } } }';
    expect((await t.gql(query, { n: 24 })).status).toBe(200);
    const rejected = await t.gql(query, { n: 25 }, STRICT);
    expect(rejected.status).toBe(400);
    expect(rejected.body.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 50, actual: 51 } });
    // The same refusal to a client that accepts only application/json: 200, the same error and code.
    const legacy = await t.gql(query, { n: 25 });
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get('content-type')).toMatch(/^application\/json/);
    expect(legacy.body).toEqual(rejected.body);
  });

  it('checks GET operations the same way', async () => {
    const query = '{ a: health { ok } b: health { ok } c: health { ok } }';
    const response = await send(origin, { method: 'GET', path: `/graphql?query=${encodeURIComponent(query)}`, headers: STRICT });
    expect(response.status).toBe(400);
    expect(response.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });
});

describe.skipIf(!postgresUp)('the fragment bomb under the default limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: 'postgres', env: { CACHE_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('is rejected in milliseconds, without SQL, and the server keeps serving', async () => {
    const query = fragmentBomb();
    expect(query.length).toBeGreaterThan(1_800);
    expect(query.length).toBeLessThan(2_000);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      let response!: Awaited<ReturnType<TestApp['gql']>>;
      const started = performance.now();
      const statements = await t.countStatements(async () => {
        response = await t.gql(query, undefined, STRICT);
      });
      times.push(performance.now() - started);
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(statements).toBe(0);
    }
    console.info(`fragment bomb (${query.length} bytes): rejected in ${median(times).toFixed(1)} ms median, ${Math.max(...times).toFixed(1)} ms max (over HTTP)`);
    expect(median(times)).toBeLessThan(50);
    await expectLive(originOf(t.url));
  });

  it('accepts the introspection query GraphiQL sends (its depth is left aside)', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const response = await t.gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }));
    expect(response.status).toBe(200);
    expect(response.body.data.__schema.queryType.name).toBe('Query');
  });
});

describe.skipIf(!postgresUp)('rate limiting', () => {
  let t: TestApp;
  let origin: string;
  beforeAll(async () => {
    // 60 a minute is one a second; bursts of 3. Slow enough that four requests in a row outrun the refill even on a
    // loaded machine (at one every 100 ms, a slow fourth request found a fresh token).
    t = await startTestApp({ database: 'postgres', seed: 'none', env: { RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '3' } });
    origin = originOf(t.url);
  });
  afterAll(() => t?.close());

  const query = (headers: Record<string, string> = {}) => send(origin, post('{ health { ok } }', undefined, headers));
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** A whole burst back: three tokens at one a second. */
  const REFILL_MS = 3_100;

  it('answers 429 RATE_LIMITED with Retry-After once a client has spent its burst, says so from half its burst, and refills', async () => {
    await pause(REFILL_MS);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await query());
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    // The RateLimit headers come once half the burst is used: none while 2 of 3 are left, then 1 and 0 left.
    expect(replies.map((reply) => reply.headers.get('ratelimit-remaining'))).toEqual([null, '1', '0']);
    const refused = await query();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-limit')).toBe('3');
    expect(refused.json.errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 } });
    expect(refused.json.errors[0].message).toMatch(/60 requests per minute/);
    expectNoLeaks(refused);
    await pause(1_000);
    expect((await query()).status).toBe(200);
  });

  it('counts a verified principal as its own client, and never limits health probes or /metrics', async () => {
    const { key } = await new ApiKeyRepository(t.app.database.db).create({ role: 'reader', team: 'risk' });
    await pause(REFILL_MS);
    for (let i = 0; i < 3; i++) await query();
    expect((await query()).status).toBe(429);
    expect((await query({ authorization: `Bearer ${key}` })).status).toBe(200);
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics']) {
      for (let i = 0; i < 5; i++) {
        const probe = await fetch(`${origin}${path}`);
        expect(probe.status, path).toBe(200);
      }
    }
  });

  it('ignores X-Forwarded-For when no proxy is trusted: a client cannot pick a fresh bucket', async () => {
    await pause(REFILL_MS);
    for (let i = 0; i < 3; i++) await query();
    expect((await query({ 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
  });

  it('refuses before reading the body: an over-limit client sending a large body gets 429, not 413', async () => {
    await pause(REFILL_MS);
    for (let i = 0; i < 3; i++) await query();
    const response = await send(origin, post('{ health { ok } }', { pad: 'x'.repeat(2_000_000) }));
    expect(response.status).toBe(429);
  });
});

describe.skipIf(!postgresUp)('rate limiting of credentials', () => {
  let t: TestApp;
  let origin: string;
  beforeAll(async () => {
    // One request a minute, bursts of 3: nothing refills while the test runs, however slow the machine.
    t = await startTestApp({ database: 'postgres', seed: 'none', env: { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '3' } });
    origin = originOf(t.url);
  });
  afterAll(() => t?.close());

  const query = (headers: Record<string, string> = {}) => send(origin, post('{ health { ok } }', undefined, headers));

  it('refuses an unknown or malformed token with 401 before it gets a bucket: inventing one per request buys nothing', async () => {
    const { key } = await new ApiKeyRepository(t.app.database.db).create({ role: 'reader', team: 'risk' });
    const invented = (i: number) => ({ authorization: `Bearer bk_${String(i).padStart(16, 'A')}_${'B'.repeat(43)}` });
    // Each refusal spends the address's tokens, as any request from it would.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await query(invented(i))).status);
    expect(statuses).toEqual([401, 401, 401]);
    expect((await query(invented(3))).status).toBe(429);
    expect((await query({ authorization: 'Bearer made-up' })).status).toBe(429);
    expect((await query()).status).toBe(429);
    // A verified key has a bucket of its own: the address's empty one does not hold it back.
    expect((await query({ authorization: `Bearer ${key}` })).status).toBe(200);
  });
});

describe.skipIf(!postgresUp)('rate limiting behind a trusted reverse proxy', () => {
  let t: TestApp;
  let origin: string;
  beforeAll(async () => {
    // The test client connects from 127.0.0.1, so it plays the proxy. Cache hits (the fast lane) and misses (Fastify)
    // count in the same buckets.
    // One a minute: nothing refills while the test runs, however slow the machine.
    t = await startTestApp({ database: 'postgres', seed: 'none', env: { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '3', TRUST_PROXY: 'loopback' } });
    origin = originOf(t.url);
  });
  afterAll(() => t?.close());

  const from = (client: string) => send(origin, post('{ health { ok } }', undefined, { 'x-forwarded-for': client }));

  it('gives each client named by the proxy its own bucket, on cache hits and misses alike', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await from('203.0.113.7')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await from('203.0.113.8')).status).toBe(200);
    // The client is the first untrusted hop: an address the client itself put in front of the list changes nothing.
    expect((await from('198.51.100.1, 203.0.113.7')).status).toBe(429);
  });
});
