// Observability of one app: metrics, the performance window and its alerts, health checks, request ids in logs, the
// Redis link watcher, and the HTTP routes that show them (/metrics, /health/live, /health/ready, /dashboard).
// createApp builds it before the database (whose statement durations it records), attaches the database and the
// cache once they exist, installs it on the HTTP server, and stops it last.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { CACHE_HEADER } from '../http/cache-replies.js';
import type { CacheService } from '../cache/index.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { firingAlerts, type Alert, type AlertThresholds } from './alerts.js';
import { observabilityPlugin } from './apollo-plugin.js';
import { createDashboardFiles, DASHBOARD_ASSET_PREFIX, DASHBOARD_PATH } from './dashboard.js';
import { cacheCheck, databaseCheck, HealthChecker, redisCheck, type CacheLinkView, type HealthReport } from './health.js';
import { Metrics, type RequestOutcome } from './metrics.js';
import { OperationLabels, OperationNamer } from './operations.js';
import { REQUEST_ID_HEADER, requestIdOf, runInRequest, type RequestRecord } from './request-context.js';
import { PerformanceWindow, type WindowSnapshot } from './window.js';

/** Error codes that mean the server failed, not the request. */
const SERVER_ERROR_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);
const GRAPHQL_ROUTE = '/graphql';
/** How often the Redis link's state is looked at, for logging its changes. */
const LINK_WATCH_MS = 1_000;

export interface PerformanceReport extends WindowSnapshot {
  thresholds: AlertThresholds;
  alerts: Alert[];
}

interface Attached {
  database: Database;
  cache: CacheService;
}

export class Observability {
  readonly metrics: Metrics;
  readonly window: PerformanceWindow;
  private readonly labels: OperationLabels;
  private readonly namer = new OperationNamer();
  private readonly records = new WeakMap<FastifyRequest, RequestRecord>();
  private readonly startedAt = Date.now();
  private attached: Attached | undefined;
  private health: HealthChecker | undefined;
  private linkWatch: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    const settings = config.observability;
    this.labels = new OperationLabels(settings.maxOperations);
    this.window = new PerformanceWindow({ windowMs: settings.windowMs, bucketMs: settings.bucketMs });
    this.metrics = new Metrics({
      version: config.version,
      cache: () => this.attached?.cache.snapshot(),
      pool: () => this.attached?.database.poolStats(),
      health: () => this.healthReport(),
    });
  }

  /** For openDatabase: records each SQL statement's duration. */
  readonly recordQuery = (durationMs: number, failed: boolean): void => this.metrics.recordQuery(durationMs, failed);

  /** Once the database and the cache exist: health checks, scrape-time metrics, the Redis link watcher. */
  attach(database: Database, cache: CacheService): void {
    this.attached = { database, cache };
    const { healthTimeoutMs, healthCacheMs } = this.config.observability;
    const link = (): CacheLinkView => cache.snapshot();
    const { cache: cacheConfig } = this.config;
    // On a cluster, the PING goes to the first seed node: whether Redis answers at all (the link state says the rest).
    const redisUrl = cacheConfig.enabled && cacheConfig.l2 ? (cacheConfig.redisUrl ?? cacheConfig.redisClusterNodes?.[0]) : undefined;
    // Redis is PINGed in the background, at most once per report lifetime (and once a second at most).
    const redis = redisCheck(redisUrl, link, { timeoutMs: healthTimeoutMs, pingIntervalMs: Math.max(healthCacheMs, 1_000) });
    this.health = new HealthChecker([databaseCheck(() => database.ping()), redis, cacheCheck(link)], {
      timeoutMs: healthTimeoutMs,
      cacheMs: healthCacheMs,
    });
    if (redisUrl) this.watchRedisLink(cache);
  }

  /**
   * For the HTTP fast lane (http/fast-lane.ts), which answers cache hits before Fastify and so before the hooks
   * below: the same request id, and the same record of a served request.
   */
  readonly fastLane = {
    requestId: { header: REQUEST_ID_HEADER, of: (request: IncomingMessage) => requestIdOf(request) },
    served: (operationName: string, cacheOutcome: string, durationMs: number, requestId: string): void => {
      this.metrics.recordGraphqlPostOk();
      this.recordGraphql({ requestId }, this.labels.label(operationName), 200, cacheOutcome, durationMs);
    },
  };

  /** The Apollo plugin that reports operation type, error codes and cacheability to the HTTP hooks. */
  apolloPlugin = observabilityPlugin;

  healthReport(): Promise<HealthReport> {
    if (!this.health) return Promise.reject(new Error('observability is not attached to a database yet'));
    return this.health.check();
  }

  performance(): PerformanceReport {
    const snapshot = this.window.snapshot();
    const thresholds = this.config.observability.alerts;
    return { ...snapshot, thresholds, alerts: firingAlerts(snapshot.total, snapshot.operations, thresholds) };
  }

  /**
   * Installs the request hooks (request id, timing, metrics) and the routes. Call before any other hook is added,
   * so that every request, even one refused by the rate limiter, gets a request id and is counted.
   */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply, done) => {
      const record: RequestRecord = { requestId: request.id };
      this.records.set(request, record);
      reply.header(REQUEST_ID_HEADER, request.id);
      runInRequest(record, done);
    });
    // The body is read in the socket's context, not the request's: enter the request again before the handler.
    app.addHook('preHandler', (request, _reply, done) => {
      const record = this.records.get(request);
      if (record) runInRequest(record, done);
      else done();
    });
    app.addHook('onSend', async (request, _reply, payload) => {
      // Errors in a body Apollo did not produce for this request (a shared execution, a guard's refusal) are found
      // here: Apollo and the guards both write `errors` first, so a prefix check is enough.
      if (typeof payload === 'string' && payload.startsWith('{"errors"')) {
        const record = this.records.get(request);
        if (record && record.errorCodes === undefined) record.errorCodes = [/"code":"([A-Z_]+)"/.exec(payload.slice(0, 4_096))?.[1] ?? 'INTERNAL_SERVER_ERROR'];
      }
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => this.onResponse(request, reply));
    this.installRoutes(app);
  }

  async stop(): Promise<void> {
    clearInterval(this.linkWatch);
    await this.health?.close();
  }

  private onResponse(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? '(unmatched)';
    this.metrics.recordHttp(route, request.method, reply.statusCode);
    if (route !== GRAPHQL_ROUTE) return;
    // The GraphiQL page is served on GET /graphql too; it is not an operation.
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return;
    const record = this.records.get(request) ?? { requestId: request.id };
    const operation = this.labels.label(this.namer.nameOf(request.method === 'GET' ? request.query : request.body));
    const cacheHeader = reply.getHeader(CACHE_HEADER);
    this.recordGraphql(record, operation, reply.statusCode, typeof cacheHeader === 'string' ? cacheHeader : undefined, reply.elapsedTime);
  }

  /** One GraphQL request answered, by either path: metrics, the window, the debug line. */
  private recordGraphql(record: RequestRecord, operation: string, status: number, served: string | undefined, durationMs: number): void {
    const outcome = outcomeOf(status, record.errorCodes);
    this.metrics.recordRequest(operation, outcome, durationMs / 1000);
    this.metrics.recordCacheResponse(served ? (CACHE_RESPONSE_LABELS[served] ?? served.toLowerCase().replace('-', '_')) : 'none');
    this.window.record({ operation, durationMs, error: outcome !== 'success', cache: cacheResult(served, record) });
    const staleAfterFailure = served === 'STALE' && outcome === 'success' && record.errorCodes?.some((code) => SERVER_ERROR_CODES.has(code));
    const debug = this.logger.isLevelEnabled?.('debug') ?? true;
    // Entering the request's context (and the closure) costs on every cache hit: only when a line is written.
    if (!staleAfterFailure && !debug) return;
    runInRequest(record, () => {
      if (staleAfterFailure) this.logger.warn('served a stale response: recomputing it failed', { operation });
      if (debug) {
        this.logger.debug('graphql request', { operation, status, outcome, cache: served ?? 'none', durationMs: Math.round(durationMs * 100) / 100 });
      }
    });
  }

  private installRoutes(app: FastifyInstance): void {
    const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

    app.get('/metrics', async (_request, reply) => {
      const text = await this.metrics.render();
      return noStore(reply).header('content-type', this.metrics.contentType).send(text);
    });

    // Liveness: the process is up and serving. Never depends on anything else, so a database outage does not get
    // healthy instances restarted.
    app.get('/health/live', async (_request, reply) =>
      noStore(reply).send({ status: 'ok', version: this.config.version, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) }),
    );

    // Readiness: 200 while the database answers (DEGRADED included: Redis down only makes the cache L1-only), 503
    // when it does not, so a load balancer stops sending traffic that could only fail.
    app.get('/health/ready', async (_request, reply) => {
      const report = await this.healthReport();
      return noStore(reply)
        .code(report.status === 'DOWN' ? 503 : 200)
        .send({
          status: report.status.toLowerCase(),
          version: this.config.version,
          checkedAt: report.checkedAt.toISOString(),
          dependencies: report.dependencies.map(({ name, status, critical, latencyMs, error, detail }) => ({
            name,
            status: status.toLowerCase(),
            critical,
            latencyMs,
            error,
            detail,
          })),
        });
    });

    const files = createDashboardFiles();
    app.get(DASHBOARD_PATH, async (_request, reply) => {
      const { body, type } = await files.page();
      return reply.header('content-type', `${type}; charset=utf-8`).header('cache-control', 'no-cache').send(body);
    });
    app.get(`${DASHBOARD_ASSET_PREFIX}:name`, async (request, reply) => {
      const asset = files.asset((request.params as { name: string }).name);
      if (!asset) return reply.code(404).send({ error: 'not found' });
      const { body, type } = await asset;
      return reply.header('content-type', `${type}; charset=utf-8`).header('cache-control', 'public, max-age=3600').send(body);
    });
  }

  /** Logs the Redis link's state changes: the first connection at info, every later change at warn. */
  private watchRedisLink(cache: CacheService): void {
    let last = cache.snapshot().redis.state;
    let everReady = last === 'ready';
    this.linkWatch = setInterval(() => {
      const state = cache.snapshot().redis.state;
      if (state === last) return;
      if (state === 'ready' && !everReady) this.logger.info('redis link ready', { from: last });
      else if (state === 'ready') this.logger.warn('redis link recovered: L2 back in use', { from: last });
      else this.logger.warn('redis link lost: the cache serves from L1 only', { from: last, state });
      everReady ||= state === 'ready';
      last = state;
    }, LINK_WATCH_MS);
    this.linkWatch.unref();
  }
}

export function outcomeOf(status: number, errorCodes: readonly string[] | undefined): RequestOutcome {
  if (status >= 500 || errorCodes?.some((code) => SERVER_ERROR_CODES.has(code))) return 'server_error';
  if (status >= 400 || (errorCodes !== undefined && errorCodes.length > 0)) return 'client_error';
  return 'success';
}

/** The x-beacon-cache outcomes as metric labels, spelled once rather than on every request. */
const CACHE_RESPONSE_LABELS: Record<string, string> = { 'HIT-L1': 'hit_l1', 'HIT-L2': 'hit_l2', MISS: 'miss', STALE: 'stale', BYPASS: 'bypass' };

/** What the response cache did, for the hit share: hits (stale ones too) and misses of responses that were cacheable. */
function cacheResult(header: string | undefined, record: RequestRecord): 'hit' | 'miss' | undefined {
  switch (header) {
    case 'HIT-L1':
    case 'HIT-L2':
    case 'STALE':
      return 'hit';
    case 'MISS':
    case 'BYPASS':
      // Uncacheable queries (cacheStats, performance, maxAge 0) are answered MISS too; they are no miss of the cache.
      return record.cacheable === false ? undefined : 'miss';
    default:
      return undefined;
  }
}
