// Prometheus metrics (GET /metrics). Each app has a Registry of its own (tests run several apps in one process, and
// the global default registry would mix them); what belongs to the process (CPU, memory, event-loop lag, GC) lives
// in one registry per process, made on first use, and is appended to every app's output.
//
// Two kinds of metric:
//   - recorded as things happen: GraphQL requests (count by operation and outcome, latency by operation), HTTP
//     requests by route, SQL statement durations. The per-request ones are counted as plain numbers and handed to
//     prom-client at scrape time (hot-metrics.ts), which keeps them off a cache hit's bill;
//   - read at scrape time from the state others keep (collect() callbacks): the cache's counters (CacheStats),
//     the Redis link, the database pool, the health report. The cache counts every outcome already; copying its
//     numbers at scrape time, rather than counting again here, means there is one count and no drift between
//     cacheStats and /metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DeferredCounter, DeferredHistogram } from './hot-metrics.js';
import type { CacheService } from '../cache/index.js';
import type { PoolStats } from '../db/database.js';
import type { HealthReport, HealthStatus } from './health.js';

export type CacheSnapshot = ReturnType<CacheService['snapshot']>;

export type RequestOutcome = 'success' | 'client_error' | 'server_error';

/** What the scrape-time metrics read. Each may be absent (cache off, embedded database). */
export interface MetricSources {
  cache?: () => CacheSnapshot | undefined;
  pool?: () => PoolStats | undefined;
  health?: () => Promise<HealthReport>;
  version: string;
}

const PREFIX = 'beacon_';
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const REDIS_STATES = ['connecting', 'ready', 'reconnecting', 'closed', 'off'] as const;
const HEALTH_STATUSES: HealthStatus[] = ['OK', 'DEGRADED', 'DOWN'];

let processRegistry: Registry | undefined;

/** Process-wide metrics (prom-client's defaults, prefixed): one set per process, however many apps it runs. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PREFIX, eventLoopMonitoringPrecision: 10 });
  }
  return processRegistry;
}

export class Metrics {
  readonly registry = new Registry();
  // Recorded on every request, cache hits included: deferred to the scrape (hot-metrics.ts).
  private readonly requests: DeferredCounter<'operation' | 'outcome'>;
  /** Per operation, its request counters by outcome: a cache hit counts without building a key string. */
  private readonly requestSeries = new Map<string, Partial<Record<RequestOutcome, { count: number }>>>();
  private readonly requestDuration: DeferredHistogram<'operation'>;
  private readonly cacheResponses: DeferredCounter<'result'>;
  private readonly httpRequests: DeferredCounter<'route' | 'method' | 'status'>;
  private readonly graphqlPostOk: { count: number };
  private readonly queryDuration: Histogram<'outcome'>;
  /** What the scrape in progress reads; set by render() before the registry collects. */
  private scrape: { cache?: CacheSnapshot; pool?: PoolStats; health?: HealthReport } = {};

  constructor(private readonly sources: MetricSources) {
    const registers = [this.registry];
    const registry = this.registry;
    this.requests = new DeferredCounter({
      name: `${PREFIX}graphql_requests_total`,
      help: 'GraphQL requests by operation name and outcome (success, client_error, server_error).',
      labelNames: ['operation', 'outcome'],
      registry,
    });
    this.requestDuration = new DeferredHistogram(
      {
        name: `${PREFIX}graphql_request_duration_seconds`,
        help: 'GraphQL request latency (first byte in to last byte out) by operation name, cache hits included.',
        labelNames: ['operation'],
        registry,
      },
      REQUEST_BUCKETS,
    );
    this.cacheResponses = new DeferredCounter({
      name: `${PREFIX}graphql_cache_responses_total`,
      help: 'GraphQL responses by how the response cache answered: hit_l1, hit_l2, stale, miss, bypass, none (not cacheable).',
      labelNames: ['result'],
      registry,
    });
    this.httpRequests = new DeferredCounter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests by route, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registry,
    });
    this.graphqlPostOk = this.httpRequests.series(httpKey('/graphql', 'POST', 200), { route: '/graphql', method: 'POST', status: '200' });
    this.queryDuration = new Histogram({
      name: `${PREFIX}database_query_duration_seconds`,
      help: 'SQL statement durations, by outcome (success, error).',
      labelNames: ['outcome'],
      buckets: QUERY_BUCKETS,
      registers,
    });
    new Gauge({
      name: `${PREFIX}build_info`,
      help: 'Always 1; the version label says which Beacon is running.',
      labelNames: ['version'],
      registers,
      collect() {
        this.set({ version: sources.version }, 1);
      },
    });
    this.defineCacheMetrics();
    this.defineDependencyMetrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  recordRequest(operation: string, outcome: RequestOutcome, seconds: number): void {
    let byOutcome = this.requestSeries.get(operation);
    if (!byOutcome) this.requestSeries.set(operation, (byOutcome = {}));
    (byOutcome[outcome] ??= this.requests.series(`${outcome} ${operation}`, { operation, outcome })).count += 1;
    this.requestDuration.observe(operation, { operation }, seconds);
  }

  recordCacheResponse(result: string): void {
    this.cacheResponses.inc(result, { result });
  }

  /** recordHttp('/graphql', 'POST', 200), for the fast lane's cache hits: the label set is resolved once. */
  recordGraphqlPostOk(): void {
    this.graphqlPostOk.count += 1;
  }

  recordHttp(route: string, method: string, status: number): void {
    this.httpRequests.inc(httpKey(route, method, status), { route, method, status: String(status) });
  }

  recordQuery(durationMs: number, failed: boolean): void {
    this.queryDuration.observe({ outcome: failed ? 'error' : 'success' }, durationMs / 1000);
  }

  /** The exposition text: this app's metrics, then the process's. */
  async render(): Promise<string> {
    const health = await this.sources.health?.().catch(() => undefined);
    this.scrape = { cache: this.sources.cache?.(), pool: this.sources.pool?.(), health };
    try {
      return `${await this.registry.metrics()}\n${await processMetrics().metrics()}`;
    } finally {
      this.scrape = {};
    }
  }

  private defineCacheMetrics(): void {
    const registers = [this.registry];
    const cache = () => this.scrape.cache;
    // A counter copied from the cache's own: reset, then set to the cache's value (inc from zero).
    const copied = <L extends string>(name: string, help: string, labelNames: L[], fill: (set: (labels: Record<L, string>, value: number) => void, snapshot: CacheSnapshot) => void) =>
      new Counter<L>({
        name: `${PREFIX}${name}`,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          const snapshot = cache();
          if (snapshot) fill((labels, value) => this.inc(labels as never, value), snapshot);
        },
      });
    const tiers = (snapshot: CacheSnapshot) => snapshot.tiers;
    copied('cache_lookups_total', 'Cache lookups by tier (L1, L2) and result (hit, miss, stale).', ['tier', 'result'], (set, snapshot) => {
      for (const tier of tiers(snapshot)) {
        set({ tier: tier.tier, result: 'hit' }, tier.hits);
        set({ tier: tier.tier, result: 'miss' }, tier.misses);
        set({ tier: tier.tier, result: 'stale' }, tier.staleServed);
      }
    });
    for (const [name, help, key] of [
      ['cache_dedupes_total', 'Concurrent identical misses that shared one computation, by tier.', 'dedupes'],
      ['cache_sets_total', 'Entries written, by tier.', 'sets'],
      ['cache_evictions_total', 'Entries evicted to stay within the size bound, by tier.', 'evictions'],
      ['cache_errors_total', 'Failed or timed-out tier calls (counted as misses), by tier.', 'errors'],
    ] as const) {
      copied(name, help, ['tier'], (set, snapshot) => {
        for (const tier of tiers(snapshot)) set({ tier: tier.tier }, tier[key]);
      });
    }
    copied('cache_field_lookups_total', 'Expensive field results by field (Type.field) and result (hit, miss).', ['field', 'result'], (set, snapshot) => {
      for (const row of snapshot.fields) {
        set({ field: row.name, result: 'hit' }, row.hits);
        set({ field: row.name, result: 'miss' }, row.misses);
      }
    });
    copied('cache_operation_lookups_total', 'Whole-response lookups by operation name and result (hit, miss).', ['operation', 'result'], (set, snapshot) => {
      for (const row of snapshot.operations) {
        set({ operation: row.name, result: 'hit' }, row.hits);
        set({ operation: row.name, result: 'miss' }, row.misses);
      }
    });
    copied('cache_invalidations_total', 'Invalidation events (mutations, clearCache).', [], (set, snapshot) => set({}, snapshot.invalidations.events));
    copied('cache_invalidated_tags_total', 'Tags named by invalidation events, summed.', [], (set, snapshot) => set({}, snapshot.invalidations.tags));
    copied('cache_bypasses_total', 'Requests that asked to bypass the cache (Cache-Control: no-cache).', [], (set, snapshot) => set({}, snapshot.bypasses));
    copied('cache_discarded_stale_total', 'Results not stored because a write invalidated them while they were computed.', [], (set, snapshot) =>
      set({}, snapshot.discardedStale),
    );
    copied('cache_background_refreshes_total', 'Background refreshes of entries served stale.', [], (set, snapshot) => set({}, snapshot.backgroundRefreshes));

    const gauge = (name: string, help: string, labelNames: string[], fill: (gauge: Gauge, snapshot: CacheSnapshot) => void) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          const snapshot = cache();
          if (snapshot) fill(this, snapshot);
        },
      });
    gauge('cache_entries', 'Entries held, by tier (L1 only: Redis cannot tell cheaply).', ['tier'], (g, snapshot) => {
      for (const tier of tiers(snapshot)) if (tier.entries !== null) g.set({ tier: tier.tier }, tier.entries);
    });
    gauge('cache_size_bytes', 'Approximate bytes held, by tier (L1 only).', ['tier'], (g, snapshot) => {
      for (const tier of tiers(snapshot)) if (tier.bytes !== null) g.set({ tier: tier.tier }, tier.bytes);
    });
    gauge('cache_enabled', '1 when caching is on (CACHE_ENABLED).', [], (g, snapshot) => g.set(snapshot.enabled ? 1 : 0));
    gauge('cache_pending_invalidation_replays', 'Invalidations waiting to be replayed to Redis (made while it was unreachable).', [], (g, snapshot) =>
      g.set(snapshot.redis.pendingReplay),
    );
    gauge('redis_configured', '1 when a Redis L2 is configured.', [], (g, snapshot) => g.set(snapshot.redis.configured ? 1 : 0));
    gauge('redis_up', '1 when the cache\'s Redis link is ready.', [], (g, snapshot) => g.set(snapshot.redis.state === 'ready' ? 1 : 0));
    gauge('redis_connection_state', 'The cache\'s Redis link: 1 for its current state, 0 for the others.', ['state'], (g, snapshot) => {
      for (const state of REDIS_STATES) g.set({ state }, snapshot.redis.state === state ? 1 : 0);
    });
    gauge('redis_subscribed', '1 when the invalidation channel is subscribed.', [], (g, snapshot) => g.set(snapshot.redis.subscribed ? 1 : 0));
  }

  private defineDependencyMetrics(): void {
    const registers = [this.registry];
    const pool = () => this.scrape.pool;
    const health = () => this.scrape.health;
    new Gauge({
      name: `${PREFIX}database_pool_connections`,
      help: 'PostgreSQL pool connections by state (in_use, idle). Absent on the embedded database.',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const stats = pool();
        if (!stats) return;
        this.set({ state: 'in_use' }, stats.total - stats.idle);
        this.set({ state: 'idle' }, stats.idle);
      },
    });
    new Gauge({
      name: `${PREFIX}database_pool_waiting_requests`,
      help: 'Requests waiting for a pooled PostgreSQL connection.',
      registers,
      collect() {
        this.set(pool()?.waiting ?? 0);
      },
    });
    new Gauge({
      name: `${PREFIX}database_pool_max_connections`,
      help: 'Size of the PostgreSQL pool (DATABASE_POOL_SIZE).',
      registers,
      collect() {
        this.set(pool()?.max ?? 0);
      },
    });
    new Gauge({
      name: `${PREFIX}health_status`,
      help: 'Overall health: 1 for the current status (OK, DEGRADED, DOWN), 0 for the others.',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        const report = health();
        if (!report) return;
        for (const status of HEALTH_STATUSES) this.set({ status }, report.status === status ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}dependency_up`,
      help: 'Each dependency (database, redis, cache): 1 unless its health check says DOWN.',
      labelNames: ['dependency'],
      registers,
      collect() {
        this.reset();
        for (const dependency of health()?.dependencies ?? []) this.set({ dependency: dependency.name }, dependency.status === 'DOWN' ? 0 : 1);
      },
    });
    new Gauge({
      name: `${PREFIX}dependency_status`,
      help: 'Each dependency\'s health: 1 for its current status (OK, DEGRADED, DOWN), 0 for the others.',
      labelNames: ['dependency', 'status'],
      registers,
      collect() {
        this.reset();
        for (const dependency of health()?.dependencies ?? []) {
          for (const status of HEALTH_STATUSES) this.set({ dependency: dependency.name, status }, dependency.status === status ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: `${PREFIX}dependency_check_duration_seconds`,
      help: 'How long the last health check of each dependency took.',
      labelNames: ['dependency'],
      registers,
      collect() {
        this.reset();
        for (const dependency of health()?.dependencies ?? []) {
          if (dependency.latencyMs !== null) this.set({ dependency: dependency.name }, dependency.latencyMs / 1000);
        }
      },
    });
  }
}

/** The key of an HTTP label set: methods and statuses have no spaces, so the route can be anything. */
function httpKey(route: string, method: string, status: number): string {
  return `${method} ${status} ${route}`;
}
