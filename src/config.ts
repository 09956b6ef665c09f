// Environment -> a frozen Config. Every variable is validated once, at startup; a bad value stops the process
// with a message that names the variable and shows the value, so a typo never becomes a silent default.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseWarmup } from './cache/index.js';
import { trustFunction, type TrustProxy } from './http/client-address.js';
import type { JwtConfig } from './auth/jwt.js';
import type { LogLevel } from './log.js';

export type SeedMode = 'demo' | 'none';

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  /** PostgreSQL connection string; undefined means the embedded database under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly dataDir: string;
  /** What to load into an empty database at start. */
  readonly seed: SeedMode;
  readonly version: string;
  readonly logLevel: LogLevel;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimitBytes: number;
  /** Bearer token for admin mutations (clearCache, warmCache); undefined: they are refused to everyone. */
  readonly adminToken: string | undefined;
  /**
   * SHUTDOWN_TIMEOUT_MS: how long SIGTERM waits for in-flight requests. Past it the remaining connections are closed
   * (a client that never finishes sending its request must not hold the process up) and the pools close.
   */
  readonly shutdownTimeoutMs: number;
  /**
   * CORS_ORIGINS: the origins whose pages may call Beacon from a browser (http/cors.ts), exact `scheme://host[:port]`
   * values, comma-separated; `none` for none. Default: none in production and tests; in development the origins of
   * a frontend's dev server (DEV_CORS_ORIGINS).
   */
  readonly corsOrigins: readonly string[];
  readonly cache: CacheConfig;
  readonly auth: AuthConfig;
  readonly limits: LimitsConfig;
  readonly observability: ObservabilityConfig;
}

/** Logs, health checks, the performance window and its alerts (README: "Observability"). */
export interface ObservabilityConfig {
  /** LOG_PRETTY: human-readable log lines; default on in development when stdout is a terminal. */
  readonly logPretty: boolean;
  /** HEALTH_CACHE_MS: how long a health report is reused (0 in tests, which count the statements health sends). */
  readonly healthCacheMs: number;
  /** HEALTH_CHECK_TIMEOUT_MS: budget of each dependency check (10 s in tests, see below). */
  readonly healthTimeoutMs: number;
  /** PERFORMANCE_WINDOW_SECONDS, in ms: what the performance query looks back over. */
  readonly windowMs: number;
  /** PERFORMANCE_BUCKET_SECONDS, in ms: the window's resolution (and the dashboard timeline's). */
  readonly bucketMs: number;
  /** METRICS_MAX_OPERATIONS: distinct operation names used as labels; later names count as `(other)`. */
  readonly maxOperations: number;
  readonly alerts: {
    /** ALERT_HIT_RATE_BELOW (0-1). */
    readonly hitRateBelow: number;
    /** ALERT_P95_ABOVE_MS; 0 turns the rule off. */
    readonly p95AboveMs: number;
    /** ALERT_ERROR_RATE_ABOVE (0-1). */
    readonly errorRateAbove: number;
    /** ALERT_MIN_SAMPLES: requests needed in the window before a rule may fire. */
    readonly minSamples: number;
  };
}

/** Who may do what (docs/security.md). */
export interface AuthConfig {
  /** ANONYMOUS_READS: callers without credentials may read public data (default true; turn off in production). */
  readonly anonymousReads: boolean;
  /** AUTH_CACHE_TTL_SECONDS, in ms: how long a verified (or refused) credential is trusted; bounds revocation delay. */
  readonly cacheTtlMs: number;
  /** JWT_JWKS_URL or JWT_JWKS_FILE set: JWTs are accepted (auth/jwt.ts); undefined: they are not. */
  readonly jwt: JwtConfig | undefined;
}

/** Hardening limits (README: "Limits and security"). Checked before an operation runs, each rejection cheap. */
export interface LimitsConfig {
  /** GRAPHQL_MAX_DEPTH: deepest field nesting (introspection aside). */
  readonly maxDepth: number;
  /** GRAPHQL_MAX_ALIASES: aliased fields, fragments expanded. */
  readonly maxAliases: number;
  /** GRAPHQL_MAX_DIRECTIVES: directives in an operation, fragments expanded. */
  readonly maxDirectives: number;
  /** GRAPHQL_MAX_DIRECTIVES_PER_FIELD: directives on one field (or spread, or fragment). */
  readonly maxDirectivesPerField: number;
  /** GRAPHQL_MAX_TOKENS: lexical tokens in the document. */
  readonly maxTokens: number;
  /** GRAPHQL_MAX_COST: cost budget (1 per field; sized list arguments multiply their children). */
  readonly maxCost: number;
  /** OPERATION_TIMEOUT_MS: an operation's deadline; also PostgreSQL's statement_timeout. */
  readonly operationTimeoutMs: number;
  /**
   * HTTP_REQUEST_TIMEOUT_MS: time a client has to send its whole request (headers and body); a connection that
   * trickles a request (slowloris) is closed after it. Node checks it every 30 s, so the cut comes up to 30 s late.
   */
  readonly requestTimeoutMs: number;
  /**
   * TRUST_PROXY: the reverse proxies whose X-Forwarded-For names the client (for the rate limit and logs): `true`,
   * or a comma-separated list of addresses, CIDR ranges and `loopback`/`linklocal`/`uniquelocal`. Unset: none.
   */
  readonly trustProxy: TrustProxy;
  /** RATE_LIMIT_PER_MINUTE: sustained requests per client per minute (per instance); 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** RATE_LIMIT_BURST: requests a client may send at once. */
  readonly rateLimitBurst: number;
  /** DATABASE_POOL_TIMEOUT_MS: longest wait for a pooled connection (pool exhausted or database unreachable). */
  readonly databasePoolTimeoutMs: number;
}

/** The cache's settings (README: "Configuration"). Durations are milliseconds here, seconds in the env. */
export interface CacheConfig {
  /** CACHE_ENABLED=false turns every cache off (no lookups, no stores, no invalidations): a baseline to measure. */
  readonly enabled: boolean;
  /** Prefix of every Redis key and channel; instances sharing it share entries and invalidations. */
  readonly namespace: string;
  /** REDIS_URL; undefined: L1 only (unless redisClusterNodes is set). */
  readonly redisUrl: string | undefined;
  /**
   * REDIS_CLUSTER_NODES: seed nodes of a Redis Cluster (the rest are discovered); undefined: no cluster. Never set
   * together with redisUrl.
   */
  readonly redisClusterNodes: readonly string[] | undefined;
  /** CACHE_L2=off ignores REDIS_URL and REDIS_CLUSTER_NODES. */
  readonly l2: boolean;
  /** Bound of L1 in bytes; 0 disables L1. */
  readonly l1MaxBytes: number;
  /** Budget of one Redis call; past it, the call counts as a miss. */
  readonly redisTimeoutMs: number;
  /** After expiry, an entry is served stale while one background refresh runs, for this long. */
  readonly staleWhileRevalidateMs: number;
  /** After expiry, an entry is kept for this long as the fallback when a recompute fails. */
  readonly staleIfErrorMs: number;
  /** No entry lives longer than this, whatever its hints say. */
  readonly maxTtlMs: number;
  /** JSON list of operations run at start and by warmCache; undefined: none. */
  readonly warmupFile: string | undefined;
  /** CACHE_FAST_LANE=off: every request goes through Fastify, cache hits too (http/fast-lane.ts; for comparison). */
  readonly fastLane: boolean;
  /**
   * CACHE_LEASE_MS: with Redis, the lease that makes an expensive field computed by one instance at a time while the
   * others wait for its entry (cache/lease.ts); also the longest wait. 0 turns leases off.
   */
  readonly leaseMs: number;
  /**
   * CACHE_READ_AFTER_WRITE (on): before a read trusts an entry, it syncs with the Redis clock (once per event-loop
   * turn, shared) so that it honours every write acknowledged on any instance before it started. off: the
   * invalidation channel alone (another instance may serve the old value until the message arrives).
   */
  readonly readAfterWrite: boolean;
  /** CACHE_WRITE_TIMEOUT_MS: how long a mutation waits for Redis to record its invalidation before honouring it locally. */
  readonly writeTimeoutMs: number;
  /** CACHE_OUTAGE_TRUST_MS: while Redis is unreachable, L1 keeps serving for this long, then every lookup misses. */
  readonly outageTrustMs: number;
}

/**
 * The development default of CORS_ORIGINS: where a frontend's `npm start` (or `npm run dev`) serves its page while
 * Beacon runs beside it: port 3000 (Create React App, Next.js) and 5173 (Vite), under both local names.
 */
export const DEV_CORS_ORIGINS: readonly string[] = Object.freeze([
  'http://localhost:3000',
  'http://127.0.0.1:3000',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
]);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const read = new EnvReader(env);
  const config: Config = {
    env: read.oneOf('NODE_ENV', ['development', 'production', 'test'], 'development'),
    host: read.string('HOST', '127.0.0.1'),
    port: read.integer('PORT', 4000, 0, 65535),
    databaseUrl: read.optionalUrl('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 1000),
    dataDir: path.resolve(read.string('DATA_DIR', './.data')),
    seed: read.oneOf('SEED', ['demo', 'none'], 'demo'),
    version: read.string('BEACON_VERSION', '0.1.0'),
    // Tests are quiet unless LOG_LEVEL asks otherwise.
    logLevel: read.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'], read.string('NODE_ENV', 'development') === 'test' ? 'silent' : 'info'),
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 1_048_576, 1_024, 104_857_600),
    adminToken: read.secret('ADMIN_TOKEN', 16),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 15_000, 100, 600_000),
    corsOrigins: read.origins('CORS_ORIGINS', read.string('NODE_ENV', 'development') === 'development' ? DEV_CORS_ORIGINS : []),
    cache: readCacheConfig(read),
    auth: readAuthConfig(read),
    limits: readLimitsConfig(read),
    observability: readObservabilityConfig(read),
    ...overrides,
  };
  return Object.freeze(config);
}

function readAuthConfig(read: EnvReader): AuthConfig {
  const jwksUrl = read.optionalUrl('JWT_JWKS_URL', ['https:', 'http:']);
  const jwksFile = read.string('JWT_JWKS_FILE', '') || undefined;
  if (jwksUrl && jwksFile) throw new ConfigError('set JWT_JWKS_URL or JWT_JWKS_FILE, not both');
  if (jwksFile) {
    try {
      JSON.parse(readFileSync(path.resolve(jwksFile), 'utf8'));
    } catch {
      throw new ConfigError(`JWT_JWKS_FILE names a file that cannot be read as JSON: ${JSON.stringify(jwksFile)}`);
    }
  }
  const claim = (name: string, fallback: string) => read.pattern(name, fallback, /^[A-Za-z0-9_:./-]{1,100}$/, 'a claim name');
  return Object.freeze({
    anonymousReads: read.boolean('ANONYMOUS_READS', true),
    cacheTtlMs: read.integer('AUTH_CACHE_TTL_SECONDS', 30, 0, 3_600) * 1000,
    jwt:
      jwksUrl || jwksFile
        ? Object.freeze({
            jwksUrl,
            jwksFile: jwksFile ? path.resolve(jwksFile) : undefined,
            issuer: read.string('JWT_ISSUER', '') || undefined,
            audience: read.string('JWT_AUDIENCE', '') || undefined,
            teamClaim: claim('JWT_TEAM_CLAIM', 'team'),
            roleClaim: claim('JWT_ROLE_CLAIM', 'role'),
          })
        : undefined,
  });
}

function readLimitsConfig(read: EnvReader): LimitsConfig {
  // Tests share one address; they opt into rate limiting (with a tiny limit) where they test it.
  const isTest = read.string('NODE_ENV', 'development') === 'test';
  return Object.freeze({
    maxDepth: read.integer('GRAPHQL_MAX_DEPTH', 8, 1, 100),
    maxAliases: read.integer('GRAPHQL_MAX_ALIASES', 30, 0, 10_000),
    maxDirectives: read.integer('GRAPHQL_MAX_DIRECTIVES', 50, 0, 10_000),
    maxDirectivesPerField: read.integer('GRAPHQL_MAX_DIRECTIVES_PER_FIELD', 5, 0, 100),
    maxTokens: read.integer('GRAPHQL_MAX_TOKENS', 2_000, 50, 1_000_000),
    maxCost: read.integer('GRAPHQL_MAX_COST', 10_000, 1, 1_000_000_000),
    operationTimeoutMs: read.integer('OPERATION_TIMEOUT_MS', 10_000, 10, 600_000),
    requestTimeoutMs: read.integer('HTTP_REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000),
    trustProxy: read.trustProxy('TRUST_PROXY'),
    rateLimitPerMinute: read.integer('RATE_LIMIT_PER_MINUTE', isTest ? 0 : 600, 0, 10_000_000),
    rateLimitBurst: read.integer('RATE_LIMIT_BURST', 100, 1, 10_000_000),
    databasePoolTimeoutMs: read.integer('DATABASE_POOL_TIMEOUT_MS', 5_000, 10, 600_000),
  });
}

function readObservabilityConfig(read: EnvReader): ObservabilityConfig {
  const env = read.string('NODE_ENV', 'development');
  const windowMs = read.integer('PERFORMANCE_WINDOW_SECONDS', 300, 10, 86_400) * 1000;
  const bucketMs = read.integer('PERFORMANCE_BUCKET_SECONDS', 10, 1, 3_600) * 1000;
  if (bucketMs > windowMs) {
    throw new ConfigError(`PERFORMANCE_BUCKET_SECONDS must not exceed PERFORMANCE_WINDOW_SECONDS, got ${bucketMs / 1000} > ${windowMs / 1000}`);
  }
  if (windowMs / bucketMs > 10_000) throw new ConfigError('PERFORMANCE_WINDOW_SECONDS / PERFORMANCE_BUCKET_SECONDS must be at most 10000 buckets');
  return Object.freeze({
    logPretty: read.boolean('LOG_PRETTY', env === 'development' && process.stdout.isTTY === true),
    healthCacheMs: read.integer('HEALTH_CACHE_MS', env === 'test' ? 0 : 5_000, 0, 3_600_000),
    // Tests run two files at once against one PostgreSQL, whose new connections can stall for a second while another
    // file creates or drops a database: a 1 s budget would report a healthy database DOWN (and make `health`
    // uncacheable). Tests of the budget set it.
    healthTimeoutMs: read.integer('HEALTH_CHECK_TIMEOUT_MS', env === 'test' ? 10_000 : 1_000, 10, 60_000),
    windowMs,
    bucketMs,
    maxOperations: read.integer('METRICS_MAX_OPERATIONS', 200, 1, 10_000),
    alerts: Object.freeze({
      hitRateBelow: read.number('ALERT_HIT_RATE_BELOW', 0.7, 0, 1),
      p95AboveMs: read.number('ALERT_P95_ABOVE_MS', 1_000, 0, 3_600_000),
      errorRateAbove: read.number('ALERT_ERROR_RATE_ABOVE', 0.05, 0, 1),
      minSamples: read.integer('ALERT_MIN_SAMPLES', 20, 1, 1_000_000),
    }),
  });
}

function readCacheConfig(read: EnvReader): CacheConfig {
  const seconds = (name: string, fallback: number, max: number) => read.integer(name, fallback, 0, max) * 1000;
  const isTest = read.string('NODE_ENV', 'development') === 'test';
  return Object.freeze({
    enabled: read.boolean('CACHE_ENABLED', true),
    namespace: read.pattern('CACHE_NAMESPACE', 'beacon', /^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (1-64)'),
    redisUrl: read.optionalUrl('REDIS_URL', ['redis:', 'rediss:']),
    redisClusterNodes: read.clusterNodes('REDIS_CLUSTER_NODES', 'REDIS_URL'),
    l2: read.oneOf('CACHE_L2', ['on', 'off'], 'on') === 'on',
    l1MaxBytes: read.integer('CACHE_L1_MAX_BYTES', 64 * 1024 * 1024, 0, 64 * 1024 * 1024 * 1024),
    redisTimeoutMs: read.integer('CACHE_REDIS_TIMEOUT_MS', 50, 1, 10_000),
    staleWhileRevalidateMs: seconds('CACHE_STALE_WHILE_REVALIDATE_SECONDS', 60, 86_400),
    staleIfErrorMs: seconds('CACHE_STALE_IF_ERROR_SECONDS', 3_600, 7 * 86_400),
    maxTtlMs: read.integer('CACHE_MAX_TTL_SECONDS', 86_400, 1, 30 * 86_400) * 1000,
    // Tests warm nothing unless they ask: a background warm-up would make their counts depend on timing.
    warmupFile: read.warmupFile('CACHE_WARMUP_FILE', isTest ? undefined : 'warmup.json'),
    fastLane: read.oneOf('CACHE_FAST_LANE', ['on', 'off'], 'on') === 'on',
    leaseMs: read.integer('CACHE_LEASE_MS', 3_000, 0, 600_000),
    readAfterWrite: read.oneOf('CACHE_READ_AFTER_WRITE', ['on', 'off'], 'on') === 'on',
    writeTimeoutMs: read.integer('CACHE_WRITE_TIMEOUT_MS', 2_000, 1, 60_000),
    outageTrustMs: read.integer('CACHE_OUTAGE_TRUST_MS', 10_000, 0, 3_600_000),
  });
}

class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  /** A decimal number (0.7, 1000, 2.5e3) within [min, max]. */
  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) || parsed < min || parsed > max) {
      throw new ConfigError(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (['true', '1', 'on', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'off', 'no'].includes(value.toLowerCase())) return false;
    throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  }

  pattern(name: string, fallback: string, pattern: RegExp, description: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!pattern.test(value)) throw new ConfigError(`${name} must be ${description}, got ${JSON.stringify(value)}`);
    return value;
  }

  /** A secret: never echoed back in an error, only its problem. */
  secret(name: string, minLength: number): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value.length < minLength) throw new ConfigError(`${name} must be at least ${minLength} characters long`);
    return value;
  }

  /**
   * A warm-up file: `off` for none; the default file may be missing (then none); a file named explicitly must exist
   * and hold a valid list, checked now so a typo stops the start instead of silently warming nothing.
   */
  warmupFile(name: string, fallback: string | undefined): string | undefined {
    const value = this.raw(name);
    if (value === 'off') return undefined;
    const file = value ?? fallback;
    if (file === undefined) return undefined;
    const resolved = path.resolve(file);
    let text: string;
    try {
      text = readFileSync(resolved, 'utf8');
    } catch {
      if (value === undefined) return undefined;
      throw new ConfigError(`${name} names a file that cannot be read: ${JSON.stringify(value)}`);
    }
    try {
      parseWarmup(text, name);
    } catch (error) {
      throw new ConfigError(error instanceof Error ? error.message : String(error));
    }
    return resolved;
  }

  /**
   * A comma-separated list of origins, each exactly as a browser sends it in `Origin` (`https://dash.example.com`,
   * `http://localhost:3000`): a typo such as a trailing slash or a path would never match, so it stops the start.
   * `none`: the empty list. No `*`: which pages may read Beacon's answers is a list someone decided on.
   */
  origins(name: string, fallback: readonly string[]): readonly string[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value === 'none') return Object.freeze([]);
    const list = value.split(',').map((item) => item.trim());
    for (const item of list) {
      let origin: string | undefined;
      try {
        const url = new URL(item);
        if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
      } catch {
        origin = undefined;
      }
      if (origin !== item) {
        const hint = origin !== undefined && origin !== 'null' ? ` (did you mean ${JSON.stringify(origin)}?)` : '';
        throw new ConfigError(
          `${name} must be a comma-separated list of origins like https://dash.example.com (scheme, lower-case host, optional port; no path, no trailing slash) or none, got ${JSON.stringify(item)}${hint}`,
        );
      }
    }
    return Object.freeze([...new Set(list)]);
  }

  /** `true`/`false`, or a comma-separated list of proxy addresses and ranges, each checked now. */
  trustProxy(name: string): TrustProxy {
    const value = this.raw(name);
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    const list = value.split(',').map((item) => item.trim());
    if (list.some((item) => item === '')) throw new ConfigError(`${name} has an empty entry: ${JSON.stringify(value)}`);
    try {
      trustFunction(list);
    } catch {
      throw new ConfigError(`${name} must be true, false or a comma-separated list of IP addresses, CIDR ranges, loopback, linklocal or uniquelocal, got ${JSON.stringify(value)}`);
    }
    return Object.freeze(list);
  }

  optionalUrl(name: string, protocols: string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`${name} must be a URL, got a value that does not parse`);
    }
    if (!protocols.includes(url.protocol)) {
      throw new ConfigError(`${name} must start with ${protocols.join(' or ')}, got ${JSON.stringify(url.protocol)}`);
    }
    return value;
  }

  /**
   * A comma-separated list of redis:// or rediss:// URLs with a host and a port, all of one scheme (a cluster is TLS
   * or not as a whole), set alone: `exclusiveWith` (the single-node URL) must be unset.
   */
  clusterNodes(name: string, exclusiveWith: string): readonly string[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (this.raw(exclusiveWith) !== undefined) {
      throw new ConfigError(`${name} and ${exclusiveWith} are mutually exclusive: set ${name} for a Redis Cluster, ${exclusiveWith} for one Redis`);
    }
    const nodes = value.split(',').map((part) => part.trim());
    for (const [index, node] of nodes.entries()) {
      let url: URL;
      try {
        url = new URL(node);
      } catch {
        throw new ConfigError(`${name} must be comma-separated redis:// or rediss:// URLs; entry ${index + 1} does not parse`);
      }
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
        throw new ConfigError(`${name} entries must start with redis: or rediss:, entry ${index + 1} has ${JSON.stringify(url.protocol)}`);
      }
      if (!url.hostname || !url.port) {
        throw new ConfigError(`${name} entries need a host and a port (redis://host:port), entry ${index + 1} has none`);
      }
      if (url.protocol !== new URL(nodes[0]!).protocol) {
        throw new ConfigError(`${name} entries must all use one scheme (redis: or rediss:), entry ${index + 1} differs`);
      }
    }
    return Object.freeze(nodes);
  }
}
