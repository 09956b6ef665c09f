// Observability through a real app (PostgreSQL when it is up, for the pool metrics; else embedded): the metric names
// and label sets after a few requests (parsed from the exposition text), the cache counters copied without double
// counting, bounded operation labels, request ids (given, generated, refused) echoed and present in log lines, and
// the performance query (never cached; uncacheable queries not counted as cache misses).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, postGraphql, TEST_SEED } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const MAX_OPERATIONS = 12;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DATASETS = 'query Datasets { datasets(first: 3) { nodes { id name } } }';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, read line by line: samples and the declared type of each family. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected))?.value;

describe(`observability (${postgresUp ? 'postgres' : 'embedded'})`, () => {
  let app: App;
  let url: string;
  let origin: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const database = postgresUp ? await createTestDatabase() : undefined;
    dropDatabase = database?.drop;
    // The app logs at debug into `lines`: one line per GraphQL request, at least.
    const logger = createLogger('debug', { destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const config = loadConfig(
      { NODE_ENV: 'test', METRICS_MAX_OPERATIONS: String(MAX_OPERATIONS), DATABASE_POOL_SIZE: '4' },
      { host: '127.0.0.1', port: 0, databaseUrl: database?.url, dataDir: 'memory://', seed: 'demo' },
    );
    app = createApp(config, { seedSize: TEST_SEED, logger });
    ({ url } = await app.start());
    origin = new URL(url).origin;
  });
  afterAll(async () => {
    await app?.stop();
    await dropDatabase?.();
  });

  const gql = (query: string, headers: Record<string, string> = {}) => postGraphql<any>(url, query, undefined, headers);
  const scrape = async () => {
    const response = await fetch(`${origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };

  it('counts requests by operation and outcome, with latency histograms per operation', async () => {
    for (let i = 0; i < 3; i += 1) expect((await gql(DATASETS)).status).toBe(200);
    // A validation error: 200 under application/json (the spec's SHOULD), still counted as a client error by its code.
    expect((await gql('{ nope }')).status).toBe(200);
    expect((await gql('query Missing { dataset(id: "999999") { id } }')).body.data.dataset).toBeNull();
    const { samples, types } = await scrape();

    expect(value(samples, 'beacon_graphql_requests_total', { operation: 'Datasets', outcome: 'success' })).toBe(3);
    expect(value(samples, 'beacon_graphql_requests_total', { operation: '(anonymous)', outcome: 'client_error' })).toBe(1);
    expect(types.get('beacon_graphql_requests_total')).toBe('counter');
    expect(types.get('beacon_graphql_request_duration_seconds')).toBe('histogram');
    expect(value(samples, 'beacon_graphql_request_duration_seconds_count', { operation: 'Datasets' })).toBe(3);
    expect(value(samples, 'beacon_graphql_request_duration_seconds_bucket', { operation: 'Datasets', le: '+Inf' })).toBe(3);
    expect(value(samples, 'beacon_graphql_request_duration_seconds_sum', { operation: 'Datasets' })).toBeGreaterThan(0);
    // One miss computed the response, two hits served it.
    expect(value(samples, 'beacon_graphql_cache_responses_total', { result: 'hit_l1' })).toBeGreaterThanOrEqual(2);
    expect(value(samples, 'beacon_http_requests_total', { route: '/graphql', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(4);
    expect(value(samples, 'beacon_database_query_duration_seconds_count', { outcome: 'success' })).toBeGreaterThan(0);
  });

  it('names every metric by the conventions, with the label sets documented', async () => {
    await gql(DATASETS);
    const { samples, types } = await scrape();
    const labelSets = new Map<string, Set<string>>();
    for (const sample of samples) {
      expect(sample.name).toMatch(/^beacon_[a-z0-9_]+$/);
      labelSets.set(sample.name, new Set([...(labelSets.get(sample.name) ?? []), Object.keys(sample.labels).sort().join(',')]));
    }
    for (const [name, type] of types) {
      if (type === 'counter') expect(name, name).toMatch(/_total$/);
      if (type === 'histogram') expect(name, name).toMatch(/_seconds$/);
    }
    const expected: Record<string, string> = {
      beacon_graphql_requests_total: 'operation,outcome',
      beacon_graphql_request_duration_seconds_bucket: 'le,operation',
      beacon_graphql_request_duration_seconds_count: 'operation',
      beacon_graphql_cache_responses_total: 'result',
      beacon_http_requests_total: 'method,route,status',
      beacon_database_query_duration_seconds_bucket: 'le,outcome',
      beacon_cache_lookups_total: 'result,tier',
      beacon_cache_dedupes_total: 'tier',
      beacon_cache_sets_total: 'tier',
      beacon_cache_evictions_total: 'tier',
      beacon_cache_errors_total: 'tier',
      beacon_cache_entries: 'tier',
      beacon_cache_size_bytes: 'tier',
      beacon_cache_operation_lookups_total: 'operation,result',
      beacon_cache_invalidations_total: '',
      beacon_cache_invalidated_tags_total: '',
      beacon_cache_bypasses_total: '',
      beacon_cache_enabled: '',
      beacon_redis_up: '',
      beacon_redis_configured: '',
      beacon_redis_connection_state: 'state',
      beacon_health_status: 'status',
      beacon_dependency_up: 'dependency',
      beacon_dependency_status: 'dependency,status',
      beacon_dependency_check_duration_seconds: 'dependency',
      beacon_database_pool_waiting_requests: '',
      beacon_database_pool_max_connections: '',
      beacon_build_info: 'version',
      beacon_nodejs_eventloop_lag_p99_seconds: '',
      beacon_process_resident_memory_bytes: '',
    };
    if (postgresUp) expected.beacon_database_pool_connections = 'state';
    for (const [name, labels] of Object.entries(expected)) expect([...(labelSets.get(name) ?? ['(absent)'])], name).toEqual([labels]);

    expect(value(samples, 'beacon_dependency_up', { dependency: 'database' })).toBe(1);
    expect(value(samples, 'beacon_health_status', { status: 'OK' })).toBe(1);
    expect(value(samples, 'beacon_redis_up')).toBe(0);
    expect(value(samples, 'beacon_redis_connection_state', { state: 'off' })).toBe(1);
    expect(value(samples, 'beacon_cache_size_bytes', { tier: 'L1' })).toBeGreaterThan(0);
    if (postgresUp) {
      expect(value(samples, 'beacon_database_pool_max_connections')).toBe(4);
      const inUse = value(samples, 'beacon_database_pool_connections', { state: 'in_use' })!;
      const idle = value(samples, 'beacon_database_pool_connections', { state: 'idle' })!;
      expect(inUse + idle).toBeGreaterThan(0);
      expect(inUse + idle).toBeLessThanOrEqual(4);
    }
  });

  it("copies the cache's own counters at scrape time: equal to cacheStats, and never counted twice", async () => {
    await gql(DATASETS);
    await gql('mutation { _noop }');
    const first = await scrape();
    const snapshot = app.cache.snapshot();
    const l1 = snapshot.tiers.find((tier) => tier.tier === 'L1')!;
    expect(value(first.samples, 'beacon_cache_lookups_total', { tier: 'L1', result: 'hit' })).toBe(l1.hits);
    expect(value(first.samples, 'beacon_cache_lookups_total', { tier: 'L1', result: 'miss' })).toBe(l1.misses);
    expect(value(first.samples, 'beacon_cache_sets_total', { tier: 'L1' })).toBe(l1.sets);
    expect(value(first.samples, 'beacon_cache_size_bytes', { tier: 'L1' })).toBe(l1.bytes);
    const datasets = snapshot.operations.find((row) => row.name === 'Datasets')!;
    expect(value(first.samples, 'beacon_cache_operation_lookups_total', { operation: 'Datasets', result: 'hit' })).toBe(datasets.hits);
    expect(value(first.samples, 'beacon_cache_invalidations_total')).toBe(snapshot.invalidations.events);
    // A second scrape with no traffic in between reads the same numbers.
    const second = await scrape();
    for (const name of ['beacon_cache_lookups_total', 'beacon_cache_sets_total', 'beacon_cache_operation_lookups_total']) {
      expect(second.samples.filter((s) => s.name === name)).toEqual(first.samples.filter((s) => s.name === name));
    }
  });

  it("echoes the client's request id, and writes it on the request's log lines", async () => {
    const response = await gql(DATASETS, { 'x-request-id': 'dashboard-42' });
    expect(response.headers.get('x-request-id')).toBe('dashboard-42');
    const line = lines.find((entry) => entry.requestId === 'dashboard-42');
    expect(line).toMatchObject({ level: 'debug', msg: 'graphql request', operation: 'Datasets', status: 200, cache: 'HIT-L1', outcome: 'success' });
  });

  it('generates a request id when none (or an unusable one) is sent, on every route', async () => {
    const generated = await gql(DATASETS);
    const id = generated.headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    expect(lines.some((entry) => entry.requestId === id && entry.msg === 'graphql request')).toBe(true);

    const refused = await gql(DATASETS, { 'x-request-id': 'x'.repeat(129) });
    expect(refused.headers.get('x-request-id')).toMatch(UUID);
    const spaced = await gql(DATASETS, { 'x-request-id': 'two words' });
    expect(spaced.headers.get('x-request-id')).toMatch(UUID);

    for (const path of ['/metrics', '/health/live', '/no-such-route']) {
      expect((await fetch(`${origin}${path}`)).headers.get('x-request-id'), path).toMatch(UUID);
    }
  });

  it('answers the performance query per operation, never from the cache', async () => {
    const query = 'query Perf { performance { total { count } operations(first: 100) { operation count errors cacheHits cacheMisses cacheHitRate p50Ms p95Ms p99Ms } thresholds { hitRateBelow p95AboveMs errorRateAbove minSamples } alerts { rule } } }';
    const first = await gql(query);
    const second = await gql(query);
    for (const response of [first, second]) expect(response.headers.get('x-beacon-cache')).not.toMatch(/^HIT/);
    expect(second.body.data.performance.total.count).toBeGreaterThan(first.body.data.performance.total.count);
    const operations: any[] = second.body.data.performance.operations;
    const datasets = operations.find((op) => op.operation === 'Datasets');
    expect(datasets.count).toBeGreaterThanOrEqual(7);
    expect(datasets.cacheMisses).toBe(1);
    expect(datasets.cacheHits).toBe(datasets.count - 1);
    expect(datasets.p50Ms).toBeGreaterThan(0);
    expect(datasets.p99Ms).toBeGreaterThanOrEqual(datasets.p95Ms);
    // performance itself is not cacheable: asked, but never a cache miss (so a dashboard polling it cannot drag the
    // hit rate down).
    expect(operations.find((op) => op.operation === 'Perf')).toMatchObject({ count: 1, cacheHits: 0, cacheMisses: 0, cacheHitRate: null });
    expect(operations.find((op) => op.operation === 'Missing')).toMatchObject({ count: 1, errors: 0 });
    expect(second.body.data.performance.thresholds).toEqual({ hitRateBelow: 0.7, p95AboveMs: 1000, errorRateAbove: 0.05, minSamples: 20 });
  });

  it('fires the error-rate alert once enough requests failed', async () => {
    for (let i = 0; i < 25; i += 1) await gql('query Broken { nope }');
    const response = await gql('{ performance { alerts { rule operation samples message } } }');
    expect(response.body.data.performance.alerts).toContainEqual({
      rule: 'ERROR_RATE_HIGH',
      operation: 'Broken',
      samples: 25,
      message: 'error rate of Broken is 100.0%, above 5.0%',
    });
  });

  it('keeps operation labels bounded: past METRICS_MAX_OPERATIONS names, requests count as (other)', async () => {
    for (let i = 0; i < MAX_OPERATIONS + 5; i += 1) await gql(`query Random${i} { health { ok } }`);
    const { samples } = await scrape();
    const operations = new Set(samples.filter((s) => s.name === 'beacon_graphql_requests_total').map((s) => s.labels.operation));
    expect(operations.size).toBeLessThanOrEqual(MAX_OPERATIONS + 1);
    expect(operations.has('(other)')).toBe(true);
    expect(operations.has('Datasets')).toBe(true); // names seen first keep their label
  });
});
