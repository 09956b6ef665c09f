// createApp(config): the only place that wires the database, GraphQL and HTTP together. Nothing happens at import
// time or in createApp itself; start() opens, migrates, seeds and listens; stop() drains and closes in reverse.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { FastifyInstance } from 'fastify';
import { runImport } from './assessments/import.js';
import { ApiKeyRepository } from './auth/api-keys.js';
import { Authenticator } from './auth/authenticator.js';
import { JwtVerifier } from './auth/jwt.js';
import { createAuthPlugin } from './auth/plugin.js';
import { CacheService, type CacheOptions, type WarmupRunner } from './cache/index.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { RequestContext, Services } from './graphql/context.js';
import { onFactorization } from './assessments/factorized-solver.js';
import { createRepositories } from './graphql/domains.js';
import { createErrorFormatter } from './graphql/error-formatter.js';
import { createInvalidationPreview } from './graphql/invalidation-preview.js';
import { invalidationReportPlugin } from './graphql/invalidation-report.js';
import { createLimitsPlugin, limitsPluginOptions } from './graphql/limits/index.js';
import { loadTypeDefs, schemaResolvers } from './graphql/schema.js';
import { CdnTags } from './http/cdn-tags.js';
import { createCors } from './http/cors.js';
import { PurgeHook } from './http/purge-hook.js';
import { createHttpGuards, httpGuardOptions } from './http/guards.js';
import { writerAuthorization, installImportEndpoint } from './http/import-endpoint.js';
import { createHttpServer } from './http/server.js';
import { ChangeFeed } from './live/changes.js';
import { installLiveRoute } from './live/sse.js';
import { createLogger, errorFields, type Logger } from './log.js';
import { Observability } from './observability/index.js';
import { DEMO_SEED, seedIfEmpty, type SeedSize } from './seed.js';

export interface AppOptions {
  /** Sizes of the demo data; tests seed less. */
  seedSize?: SeedSize;
  logger?: Logger;
}

export interface StartedApp {
  url: string;
  port: number;
  /** Milliseconds spent seeding, or null when the database already held data. */
  seedMs: number | null;
}

export interface App {
  readonly config: Config;
  start(): Promise<StartedApp>;
  stop(): Promise<void>;
  /** Available after start(). */
  readonly database: Database;
  readonly http: FastifyInstance;
  readonly cache: CacheService;
  /** The change feed behind `subscription { changed }` (live/). Available after start(). */
  readonly live: ChangeFeed;
  /** The CDN purge hook, when CDN_PURGE_URL is set. */
  readonly purge: PurgeHook | undefined;
}

export function createApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel, { pretty: config.observability.logPretty });
  let observability: Observability | undefined;
  let database: Database | undefined;
  let apollo: ApolloServer<RequestContext> | undefined;
  let http: FastifyInstance | undefined;
  let cache: CacheService | undefined;
  let stopFactorizationLog: (() => void) | undefined;
  let purge: PurgeHook | undefined;
  let live: ChangeFeed | undefined;

  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`${name} is not available before start()`);
    return value;
  };

  return {
    config,
    get database() {
      return started(database, 'database');
    },
    get http() {
      return started(http, 'http');
    },
    get cache() {
      return started(cache, 'cache');
    },
    get live() {
      return started(live, 'live');
    },
    get purge() {
      return purge;
    },

    async start() {
      const startedAt = Date.now();
      // Metrics, logs, health and the performance window (observability/): built first, it times every SQL statement.
      observability = new Observability(config, logger);
      database = await openDatabase({
        url: config.databaseUrl,
        poolSize: config.databasePoolSize,
        dataDir: config.dataDir,
        poolTimeoutMs: config.limits.databasePoolTimeoutMs,
        onQuery: observability.recordQuery,
        lockRole: 'server',
        onStaleLock: (message) => logger.warn(message),
      });
      await migrateToLatest(database.db);
      let seedMs: number | null = null;
      if (config.seed === 'demo') {
        const seedStart = performance.now();
        if (await seedIfEmpty(database.db, options.seedSize ?? DEMO_SEED)) seedMs = performance.now() - seedStart;
      }
      // Serving statements are cancelled at the operation deadline, so a timed-out operation frees its connection;
      // migrations and the seed above ran without the limit.
      database.setStatementTimeout(config.limits.operationTimeoutMs);
      const db = database;
      const authenticator = new Authenticator({
        adminToken: config.adminToken,
        keys: new ApiKeyRepository(db.db),
        jwt: config.auth.jwt ? new JwtVerifier(config.auth.jwt) : undefined,
        cacheTtlMs: config.auth.cacheTtlMs,
      });
      const typeDefs = loadTypeDefs();
      cache = createCache(config, typeDefs, logger);
      const invalidate = cache.invalidate;
      observability.attach(db, cache);
      // A key revoked anywhere (npm run keys -- revoke publishes it on the cache's channel) is forgotten here at once.
      cache.onInvalidation(
        (tags) => authenticator.heardInvalidation(tags),
        () => authenticator.forgetAll(),
      );
      // A large model's LU is computed in a worker after its first use; when it is there is worth a line.
      stopFactorizationLog = onFactorization(({ size, ms, error }) => {
        if (error) logger.warn('factorizing I - A failed: assessments of that model stay iterative', { size, ms: Math.round(ms), error: error.message });
        else logger.info('factorized I - A: assessments of that model now take two triangular solves', { size, ms: Math.round(ms) });
      });
      // CDN: tag headers on public responses, and the purge of this instance's invalidations (docs/live.md).
      const cdnTags = new CdnTags({ header: config.cdn.tagHeader, namespace: config.cache.namespace, secret: config.cdn.tagSecret });
      if (config.cdn.purgeUrl) {
        const hook = new PurgeHook({
          url: config.cdn.purgeUrl,
          token: config.cdn.purgeToken,
          format: config.cdn.purgeFormat,
          batchSize: config.cdn.purgeBatch,
          attempts: config.cdn.purgeAttempts,
          backoffMs: config.cdn.purgeBackoffMs,
          tags: cdnTags,
          logger,
        });
        purge = hook;
        cache.onInvalidation((tags, origin) => origin === 'local' && hook.enqueue(tags));
      }
      // Live: every invalidation heard (this instance's or another's, over Redis) feeds `changed` (docs/live.md).
      const feed = (live = new ChangeFeed(db.db, config.live, logger));
      cache.onInvalidation(
        (tags) => feed.heard(tags),
        () => feed.lost(),
      );
      const services: Services = {
        repos: createRepositories(db.db),
        pingDatabase: () => db.ping(),
        version: config.version,
        startedAt,
        fieldCache: cache.fieldCache,
        invalidate,
        cache,
        observability,
      };
      apollo = new ApolloServer<RequestContext>({
        typeDefs,
        resolvers: schemaResolvers(),
        formatError: createErrorFormatter((error) => logger.error('internal error', errorFields(error))),
        includeStacktraceInErrorResponses: false,
        // main.ts owns the signals, so shutdown happens in one order: HTTP first, then Apollo, then the pools.
        stopOnTerminationSignals: false,
        // Hardening: one operation per request, and introspection left to the limits plugin, which allows it outside
        // production and to the admin token in production (per request, which Apollo's flag is not). CSRF prevention
        // is the HTTP layer's (http/guards.ts): Apollo's also refuses the plain GETs of urql and graphql-request.
        allowBatchedHttpRequests: false,
        csrfPrevention: false,
        introspection: true,
        parseOptions: { maxTokens: config.limits.maxTokens },
        // APQ: registered on one instance, usable on all (stored in Redis); per instance without Redis.
        ...(cache.persistedQueries ? { persistedQueries: { cache: cache.persistedQueries } } : {}),
        // Apollo's default landing page loads from a CDN; GraphiQL is served by http/graphiql.ts instead.
        plugins: [
          ApolloServerPluginLandingPageDisabled(),
          observability.apolloPlugin<RequestContext>(),
          createLimitsPlugin<RequestContext>(limitsPluginOptions(config)),
          createAuthPlugin<RequestContext>({ production: config.env === 'production' }),
          ...cache.plugins<RequestContext>(),
          invalidationReportPlugin<RequestContext>(),
        ],
      });
      await apollo.start();
      const server = apollo;
      services.previewInvalidation = createInvalidationPreview({ apollo: () => server, db: db.db, maxTokens: config.limits.maxTokens });
      http = await createHttpServer({
        apollo,
        services,
        bodyLimitBytes: config.bodyLimitBytes,
        responseCache: cache.responseCache,
        guards: createHttpGuards({ ...httpGuardOptions(config, logger), authenticator }),
        observability,
        fastLane: config.cache.fastLane,
        requestTimeoutMs: config.limits.requestTimeoutMs,
        cors: createCors(config.corsOrigins),
        tagHeaders: cdnTags.enabled ? (tags) => cdnTags.headersFor(tags) : undefined,
      });
      installLiveRoute(http, { typeDefs, feed, authenticator, anonymousReads: config.auth.anonymousReads, logger });
      // The import of `npm run import:io`, into the database this server holds, then this server's invalidation.
      const where = `${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${config.dataDir}`}, through the server`;
      installImportEndpoint(http, {
        runImport: (argv, io) => runImport(argv, io, { where, open: async () => db, invalidate }),
        authorize: writerAuthorization(authenticator),
        logger,
        // Right after the import, not on the first assessment: a large model's LU starts in the worker now.
        afterImport: (model) => {
          services.repos.assessments.prepare(model).catch((error: unknown) => logger.warn('preparing an imported model failed', errorFields(error)));
        },
      });
      await http.listen({ host: config.host, port: config.port });
      cache.setWarmupRunner(injectRunner(http));
      cache.warmInBackground();
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const url = `http://${host}:${port}/graphql`;
      // Another process that finds the embedded directory locked reaches this server here (npm run import:io).
      database.lock?.advertise(url);
      return { url, port, seedMs };
    },

    async stop() {
      stopFactorizationLog?.();
      // Open subscriptions end first: an event stream never finishes by itself, and the drain would wait for it.
      live?.lost();
      // In-flight requests finish; new connections are refused, and requests on kept-alive ones get a 503.
      if (http) await closeWithin(http, config.shutdownTimeoutMs, logger);
      await apollo?.stop();
      await purge?.settle();
      await cache?.close();
      await observability?.stop();
      await database?.close();
    },
  };
}

/** The cache; Redis (when configured) connects in the background, so a missing Redis never delays the start. */
function createCache(config: Config, typeDefs: ReturnType<typeof loadTypeDefs>, logger: Logger): CacheService {
  const cache = new CacheService({ config: cacheOptionsOf(config), typeDefs, logger });
  cache.start();
  return cache;
}

/** The app's configuration in the cache's own terms (the cache does not read the config module). */
function cacheOptionsOf(config: Config): CacheOptions {
  const c = config.cache;
  return {
    enabled: c.enabled,
    namespace: c.namespace,
    redisUrl: c.redisUrl,
    redisClusterNodes: c.redisClusterNodes,
    l2: c.l2,
    l1MaxBytes: c.l1MaxBytes,
    redisTimeoutMs: c.redisTimeoutMs,
    staleWhileRevalidateMs: c.staleWhileRevalidateMs,
    staleIfErrorMs: c.staleIfErrorMs,
    maxTtlMs: c.maxTtlMs,
    warmup: c.warmup,
    leaseMs: c.leaseMs,
    readAfterWrite: c.readAfterWrite,
    writeTimeoutMs: c.writeTimeoutMs,
    outageTrustMs: c.outageTrustMs,
  };
}

/**
 * Closes the HTTP server, waiting for in-flight requests up to `timeoutMs`. Past it, the connections still open are
 * closed: their requests lose their answers (a write that was running commits or rolls back whole in its
 * transaction), but one client trickling a request cannot keep the process from exiting.
 */
async function closeWithin(http: FastifyInstance, timeoutMs: number, logger: Logger): Promise<void> {
  const deadline = setTimeout(() => {
    logger.warn('shutdown deadline passed: closing the connections still open', { shutdownTimeoutMs: timeoutMs });
    http.server.closeAllConnections();
  }, timeoutMs);
  try {
    await http.close();
  } finally {
    clearTimeout(deadline);
  }
}

/** Warm-up requests take the real HTTP path (response cache included) without a socket. */
function injectRunner(http: FastifyInstance): WarmupRunner {
  return async (payload, headers) => {
    const response = await http.inject({ method: 'POST', url: '/graphql', headers, payload: JSON.stringify(payload) });
    return { status: response.statusCode, body: response.body };
  };
}
