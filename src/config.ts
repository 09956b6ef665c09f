// Environment -> a frozen Config. Every variable is described once, in ENVIRONMENT below: a zod schema that checks and
// converts its text, its default and a sentence saying what it does. loadConfig validates the environment with it at
// startup; a bad value stops the process with a message that names the variable and shows the value (secrets
// excepted), so a typo never becomes a silent default. docs/configuration.md is generated from the same table
// (`npm run docs:config`; a test fails when it drifts). This module imports no other layer of Beacon.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import proxyaddr from '@fastify/proxy-addr';
import { z } from 'zod';
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
  readonly cdn: CdnConfig;
  readonly live: LiveConfig;
}

/** CDN tag headers and the purge hook (http/cdn-tags.ts, http/purge-hook.ts; docs/live.md). */
export interface CdnConfig {
  readonly tagHeader: 'off' | 'Surrogate-Key' | 'Cache-Tag' | 'both';
  readonly tagSecret: string | undefined;
  readonly purgeUrl: string | undefined;
  readonly purgeToken: string | undefined;
  readonly purgeFormat: 'cloudflare' | 'fastly';
  readonly purgeBatch: number;
  readonly purgeAttempts: number;
  readonly purgeBackoffMs: number;
}

/** The `changed` subscription (live/; docs/live.md). */
export interface LiveConfig {
  readonly maxSubscriptionsPerPrincipal: number;
  readonly queueLimit: number;
}

/** Logs, health checks, the performance window and its alerts (docs/observability.md). */
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

/** Hardening limits (docs/security.md). Checked before an operation runs, each rejection cheap. */
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

/** The cache's settings (docs/configuration.md). Durations are milliseconds here, seconds in the env. */
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
  /** CACHE_WARMUP_FILE, resolved; undefined: none. */
  readonly warmupFile: string | undefined;
  /** The operations of that file, read and checked at start: run then and by warmCache. */
  readonly warmup: readonly WarmupOperation[];
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

/** JWTs accepted (auth/jwt.ts): where their keys are and which claims say who the caller is. */
export interface JwtConfig {
  /** JWT_JWKS_URL: fetched by jose (cached, refreshed on an unknown `kid`). */
  jwksUrl: string | undefined;
  /** JWT_JWKS_FILE: a JWKS document read once at start. */
  jwksFile: string | undefined;
  /** JWT_ISSUER, JWT_AUDIENCE: required claims. */
  issuer: string | undefined;
  audience: string | undefined;
  /** JWT_TEAM_CLAIM (default `team`), JWT_ROLE_CLAIM (default `role`). */
  teamClaim: string;
  roleClaim: string;
}

/** TRUST_PROXY: false trusts no proxy; true every hop (only when nothing but the proxy can reach Beacon); else a list. */
export type TrustProxy = boolean | readonly string[];

/** One operation of the warm-up file. */
export interface WarmupOperation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
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

type Mode = 'development' | 'production' | 'test';
const MODES = ['development', 'production', 'test'] as const;

// ---- Kinds of value. Each is a zod schema from the variable's (trimmed, non-empty) text to its value; an issue's
// message completes a sentence that starts with the variable's name. `accepts` says the same for the reference.

interface Kind<T> {
  schema: z.ZodType<T, string>;
  accepts: string;
}

/** A schema that converts text with `convert`, which returns the value or a problem (`{ problem }`). */
function kind<T>(accepts: string, convert: (value: string) => T | { problem: string }): Kind<T> {
  const schema = z.string().transform((value, ctx) => {
    const result = convert(value);
    if (result !== null && typeof result === 'object' && 'problem' in (result as object)) {
      ctx.addIssue({ code: 'custom', message: (result as { problem: string }).problem });
      return z.NEVER;
    }
    return result as T;
  });
  return { schema, accepts };
}

const shown = (value: string) => JSON.stringify(value);

function text(accepts = 'text'): Kind<string> {
  return { schema: z.string(), accepts };
}

function integer(min: number, max: number): Kind<number> {
  return kind(`integer ${min}–${max}`, (value) => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) return { problem: `must be an integer from ${min} to ${max}, got ${shown(value)}` };
    return parsed;
  });
}

/** A decimal number (0.7, 1000, 2.5e3) within [min, max]. */
function decimal(min: number, max: number): Kind<number> {
  return kind(`number ${min}–${max}`, (value) => {
    const parsed = Number(value);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) || parsed < min || parsed > max) {
      return { problem: `must be a number from ${min} to ${max}, got ${shown(value)}` };
    }
    return parsed;
  });
}

function oneOf<T extends string>(allowed: readonly T[]): Kind<T> {
  return kind(allowed.map((value) => `\`${value}\``).join(', '), (value) =>
    (allowed as readonly string[]).includes(value) ? (value as T) : { problem: `must be one of ${allowed.join(', ')}, got ${shown(value)}` },
  );
}

/** `on`/`off` switches, as the cache's variables spell them. */
function onOff(): Kind<boolean> {
  const { schema } = oneOf(['on', 'off']);
  return { schema: schema.transform((value) => value === 'on'), accepts: '`on`, `off`' };
}

function boolean(): Kind<boolean> {
  return kind('`true`/`false` (also `1`/`0`, `on`/`off`, `yes`/`no`)', (value) => {
    if (['true', '1', 'on', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'off', 'no'].includes(value.toLowerCase())) return false;
    return { problem: `must be true or false, got ${shown(value)}` };
  });
}

function pattern(re: RegExp, description: string): Kind<string> {
  return kind(description, (value) => (re.test(value) ? value : { problem: `must be ${description}, got ${shown(value)}` }));
}

/** A secret: never echoed back in an error, only its problem. */
function secret(minLength: number): Kind<string> {
  return kind(`secret, ${minLength}+ characters`, (value) =>
    value.length >= minLength ? value : { problem: `must be at least ${minLength} characters long` },
  );
}

function url(protocols: string[]): Kind<string> {
  return kind(`${protocols.map((p) => `\`${p}//\``).join(' or ')} URL`, (value) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return { problem: 'must be a URL, got a value that does not parse' };
    }
    if (!protocols.includes(parsed.protocol)) return { problem: `must start with ${protocols.join(' or ')}, got ${shown(parsed.protocol)}` };
    return value;
  });
}

/** A file that must hold JSON; the value is its absolute path. */
function jsonFile(): Kind<string> {
  return kind('path of a JSON file', (value) => {
    try {
      JSON.parse(readFileSync(path.resolve(value), 'utf8'));
    } catch {
      return { problem: `names a file that cannot be read as JSON: ${shown(value)}` };
    }
    return path.resolve(value);
  });
}

/**
 * A comma-separated list of origins, each exactly as a browser sends it in `Origin` (`https://dash.example.com`,
 * `http://localhost:3000`): a typo such as a trailing slash or a path would never match, so it stops the start.
 * `none`: the empty list. No `*`: which pages may read Beacon's answers is a list someone decided on.
 */
function origins(): Kind<readonly string[]> {
  return kind('comma-separated origins (`https://dash.example.com`), or `none`', (value) => {
    if (value === 'none') return Object.freeze([]) as readonly string[];
    const list = value.split(',').map((item) => item.trim());
    for (const item of list) {
      let origin: string | undefined;
      try {
        const parsed = new URL(item);
        if (parsed.protocol === 'http:' || parsed.protocol === 'https:') origin = parsed.origin;
      } catch {
        origin = undefined;
      }
      if (origin !== item) {
        const hint = origin !== undefined && origin !== 'null' ? ` (did you mean ${shown(origin)}?)` : '';
        return {
          problem: `must be a comma-separated list of origins like https://dash.example.com (scheme, lower-case host, optional port; no path, no trailing slash) or none, got ${shown(item)}${hint}`,
        };
      }
    }
    return Object.freeze([...new Set(list)]) as readonly string[];
  });
}

/** `true`/`false`, or a comma-separated list of proxy addresses and ranges, each checked now (by proxy-addr, which http/ uses). */
function trustProxy(): Kind<TrustProxy> {
  return kind('`true`, `false`, or comma-separated addresses, CIDR ranges, `loopback`, `linklocal`, `uniquelocal`', (value) => {
    if (value === 'false') return false;
    if (value === 'true') return true;
    const list = value.split(',').map((item) => item.trim());
    if (list.some((item) => item === '')) return { problem: `has an empty entry: ${shown(value)}` };
    try {
      proxyaddr.compile(list);
    } catch {
      return { problem: `must be true, false or a comma-separated list of IP addresses, CIDR ranges, loopback, linklocal or uniquelocal, got ${shown(value)}` };
    }
    return Object.freeze(list) as readonly string[];
  });
}

/** Comma-separated redis:// or rediss:// URLs with a host and a port, all of one scheme (a cluster is TLS or not as a whole). */
function clusterNodes(): Kind<readonly string[]> {
  return kind('comma-separated `redis://host:port` (or all `rediss://`)', (value) => {
    const nodes = value.split(',').map((part) => part.trim());
    for (const [index, node] of nodes.entries()) {
      let parsed: URL;
      try {
        parsed = new URL(node);
      } catch {
        return { problem: `must be comma-separated redis:// or rediss:// URLs; entry ${index + 1} does not parse` };
      }
      if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
        return { problem: `entries must start with redis: or rediss:, entry ${index + 1} has ${shown(parsed.protocol)}` };
      }
      if (!parsed.hostname || !parsed.port) return { problem: `entries need a host and a port (redis://host:port), entry ${index + 1} has none` };
      if (parsed.protocol !== new URL(nodes[0]!).protocol) {
        return { problem: `entries must all use one scheme (redis: or rediss:), entry ${index + 1} differs` };
      }
    }
    return Object.freeze(nodes) as readonly string[];
  });
}

// ---- The environment.

interface Variable<T> {
  kind: Kind<T>;
  /** The value when the variable is unset or blank; a function where it depends on NODE_ENV. */
  fallback: T | ((mode: Mode) => T);
  /** The default as the reference shows it. */
  shownDefault: string;
  description: string;
  /** The section of the reference it is listed under. */
  group: string;
}

function variable<T>(group: string, kindOf: Kind<T>, fallback: T | ((mode: Mode) => T), shownDefault: string, description: string): Variable<T> {
  return { kind: kindOf, fallback, shownDefault, description, group };
}

const SERVER = 'Server';
const DATABASE = 'Database';
const SECURITY = 'Access and security';
const LIMITS = 'Limits and timeouts';
const CACHE = 'Cache';
const OBSERVABILITY = 'Observability';
const LIVE = 'CDN and live updates';

/** Every environment variable Beacon reads, in the reference's order. */
export const ENVIRONMENT = {
  NODE_ENV: variable(SERVER, oneOf(MODES), 'development', '`development`', '`production` turns off introspection, GraphiQL and suggestions for non-admins; `test` quiets logs and warm-up and turns the rate limit off.'),
  HOST: variable(SERVER, text('host name or address'), '127.0.0.1', '`127.0.0.1`', 'Where the API listens (`0.0.0.0` in a container).'),
  PORT: variable(SERVER, integer(0, 65535), 4000, '`4000`', 'The port the API listens on (`0`: any free port).'),
  BEACON_VERSION: variable(SERVER, text(), '0.1.0', '`0.1.0`', 'The version the `health` query reports.'),
  BODY_LIMIT_BYTES: variable(SERVER, integer(1_024, 104_857_600), 1_048_576, '`1048576`', 'Largest request body accepted, in bytes; larger is 413 `PAYLOAD_TOO_LARGE`.'),
  SHUTDOWN_TIMEOUT_MS: variable(SERVER, integer(100, 600_000), 15_000, '`15000`', 'How long SIGTERM/SIGINT wait for in-flight requests; past it the connections still open are closed and the pools close.'),
  CORS_ORIGINS: variable(SERVER, origins(), (mode) => (mode === 'development' ? DEV_CORS_ORIGINS : Object.freeze([])), 'none; in development `http://localhost:3000`, `:5173` (and `127.0.0.1`)', 'Origins whose pages may call the API from a browser, exactly as the browser sends them (no path, no trailing slash), or `none`. No `*` ([clients.md](clients.md)).'),
  DATABASE_URL: variable(DATABASE, url(['postgres:', 'postgresql:']), undefined as string | undefined, 'unset', 'PostgreSQL connection string; unset: the embedded PostgreSQL under `DATA_DIR` ([embedded.md](embedded.md)).'),
  DATABASE_POOL_SIZE: variable(DATABASE, integer(1, 1000), 10, '`10`', 'Connections per instance (times the instances, below PostgreSQL\'s `max_connections`).'),
  DATABASE_POOL_TIMEOUT_MS: variable(DATABASE, integer(10, 600_000), 5_000, '`5000`', 'Longest wait for a pooled connection (pool exhausted or database unreachable); then the field fails with `SERVICE_UNAVAILABLE`.'),
  DATA_DIR: variable(DATABASE, text('directory'), './.data', '`./.data`', 'Where the embedded database keeps its files.'),
  SEED: variable(DATABASE, oneOf(['demo', 'none'] as const), 'demo', '`demo`', '`demo` loads the demo data into an empty database at start; `none` leaves it empty.'),
  ADMIN_TOKEN: variable(SECURITY, secret(16), undefined as string | undefined, 'unset', 'Bootstrap bearer token: admin and writer, sees every team; in production also introspection. Unset: nobody is admin.'),
  ANONYMOUS_READS: variable(SECURITY, boolean(), true, '`true`', 'Callers without credentials may read public data; set `false` in production unless public data is public.'),
  AUTH_CACHE_TTL_SECONDS: variable(SECURITY, integer(0, 3_600), 30, '`30`', 'How long a verified (or refused) credential is trusted per process: the bound on revocation delay.'),
  JWT_JWKS_URL: variable(SECURITY, url(['https:', 'http:']), undefined as string | undefined, 'unset', 'JWTs are accepted, verified against this JWKS (fetched, cached, refreshed on an unknown `kid`). Not with `JWT_JWKS_FILE`.'),
  JWT_JWKS_FILE: variable(SECURITY, jsonFile(), undefined as string | undefined, 'unset', 'JWTs are accepted, verified against the JWKS in this file (read at start). Not with `JWT_JWKS_URL`.'),
  JWT_ISSUER: variable(SECURITY, text(), undefined as string | undefined, 'unset', 'The `iss` a JWT must carry.'),
  JWT_AUDIENCE: variable(SECURITY, text(), undefined as string | undefined, 'unset', 'The `aud` a JWT must carry.'),
  JWT_TEAM_CLAIM: variable(SECURITY, pattern(/^[A-Za-z0-9_:./-]{1,100}$/, 'a claim name'), 'team', '`team`', 'The claim that names the caller\'s team.'),
  JWT_ROLE_CLAIM: variable(SECURITY, pattern(/^[A-Za-z0-9_:./-]{1,100}$/, 'a claim name'), 'role', '`role`', 'The claim that names the caller\'s role (`reader`, `writer`, `admin`; none: reader).'),
  TRUST_PROXY: variable(SECURITY, trustProxy(), false as TrustProxy, 'unset (no proxy)', 'The reverse proxies whose `X-Forwarded-For` names the client (rate limit, logs). Unset: `X-Forwarded-For` is ignored.'),
  RATE_LIMIT_PER_MINUTE: variable(LIMITS, integer(0, 10_000_000), (mode) => (mode === 'test' ? 0 : 600), '`600` (`0` in tests)', 'Sustained requests per client per minute, per instance; `0` turns the limit off.'),
  RATE_LIMIT_BURST: variable(LIMITS, integer(1, 10_000_000), 100, '`100`', 'Requests a client may send at once.'),
  GRAPHQL_MAX_TOKENS: variable(LIMITS, integer(50, 1_000_000), 2_000, '`2000`', 'Lexical tokens in a document.'),
  GRAPHQL_MAX_DEPTH: variable(LIMITS, integer(1, 100), 8, '`8`', 'Deepest field nesting, fragments expanded (introspection aside).'),
  GRAPHQL_MAX_ALIASES: variable(LIMITS, integer(0, 10_000), 30, '`30`', 'Aliased fields, fragments expanded.'),
  GRAPHQL_MAX_DIRECTIVES: variable(LIMITS, integer(0, 10_000), 50, '`50`', 'Directives in an operation, fragments expanded.'),
  GRAPHQL_MAX_DIRECTIVES_PER_FIELD: variable(LIMITS, integer(0, 100), 5, '`5`', 'Directives on one field, fragment spread or definition.'),
  GRAPHQL_MAX_COST: variable(LIMITS, integer(1, 1_000_000_000), 10_000, '`10000`', 'Cost budget of an operation: 1 per field; sized list arguments multiply their children.'),
  OPERATION_TIMEOUT_MS: variable(LIMITS, integer(10, 600_000), 10_000, '`10000`', 'An operation\'s deadline (then 504 `TIMEOUT`); also PostgreSQL\'s `statement_timeout`.'),
  HTTP_REQUEST_TIMEOUT_MS: variable(LIMITS, integer(1_000, 600_000), 30_000, '`30000`', 'Time a client has to send its whole request; a connection that trickles one (slowloris) is closed, up to 30 s late.'),
  REDIS_URL: variable(CACHE, url(['redis:', 'rediss:']), undefined as string | undefined, 'unset', 'The shared cache tier (L2) and invalidation channel; unset: L1 only.'),
  REDIS_CLUSTER_NODES: variable(CACHE, clusterNodes(), undefined as readonly string[] | undefined, 'unset', 'A Redis Cluster instead: its seed nodes (the rest are discovered). Never with `REDIS_URL` ([scaling.md](scaling.md)).'),
  CACHE_ENABLED: variable(CACHE, boolean(), true, '`true`', '`false` turns every cache off (no lookups, stores or invalidations): a baseline to measure.'),
  CACHE_NAMESPACE: variable(CACHE, pattern(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (1-64)'), 'beacon', '`beacon`', 'Prefix of every Redis key and channel; instances sharing it share entries, invalidations and persisted queries.'),
  CACHE_L2: variable(CACHE, onOff(), true, '`on`', '`off` ignores `REDIS_URL` and `REDIS_CLUSTER_NODES` for the cache.'),
  CACHE_L1_MAX_BYTES: variable(CACHE, integer(0, 64 * 1024 * 1024 * 1024), 64 * 1024 * 1024, '`67108864`', 'Bound of the in-process tier (L1) in bytes; `0` disables L1.'),
  CACHE_REDIS_TIMEOUT_MS: variable(CACHE, integer(1, 10_000), 50, '`50`', 'Budget of one Redis call on the read path; past it the call counts as a miss.'),
  CACHE_STALE_WHILE_REVALIDATE_SECONDS: variable(CACHE, integer(0, 86_400), 60, '`60`', 'After expiry, an entry is served stale while one background refresh runs, for this long.'),
  CACHE_STALE_IF_ERROR_SECONDS: variable(CACHE, integer(0, 7 * 86_400), 3_600, '`3600`', 'After expiry, an entry is kept this long as the fallback when a recompute fails.'),
  CACHE_MAX_TTL_SECONDS: variable(CACHE, integer(1, 30 * 86_400), 86_400, '`86400`', 'No entry lives longer than this, whatever its hints say.'),
  CACHE_WARMUP_FILE: variable(CACHE, text('path of a JSON file, or `off`'), (mode) => (mode === 'test' ? 'off' : 'warmup.json'), '`warmup.json` (none in tests)', 'Operations (`[{ query, variables?, operationName? }]`) run at start and by `warmCache`; `off`: none. The default file may be missing; a file named here must exist and hold a valid list.'),
  CACHE_FAST_LANE: variable(CACHE, onOff(), true, '`on`', 'Answer cache hits of known request bodies before Fastify; `off` sends every request through Fastify.'),
  CACHE_LEASE_MS: variable(CACHE, integer(0, 600_000), 3_000, '`3000`', 'With Redis: the lease that lets one instance at a time compute an expensive field while the others wait for its entry, and the longest wait; `0` turns leases off.'),
  CACHE_READ_AFTER_WRITE: variable(CACHE, onOff(), true, '`on`', 'Reads sync with the Redis clock (once per event-loop turn) before trusting an entry, so they honour every write acknowledged on any instance; `off`: the invalidation channel alone ([cache.md](cache.md)).'),
  CACHE_WRITE_TIMEOUT_MS: variable(CACHE, integer(1, 60_000), 2_000, '`2000`', 'How long a mutation waits for Redis to record its invalidation; past it the write is honoured locally and replayed. On a cluster, above the failover time.'),
  CACHE_OUTAGE_TRUST_MS: variable(CACHE, integer(0, 3_600_000), 10_000, '`10000`', 'While Redis is unreachable, L1 keeps serving for this long, then every lookup misses.'),
  CDN_TAG_HEADER: variable(LIVE, oneOf(['off', 'Surrogate-Key', 'Cache-Tag', 'both'] as const), 'off', '`off`', 'Public cacheable responses name their (hashed) tags in this header for a CDN to purge by: `Surrogate-Key` (Fastly), `Cache-Tag` (Cloudflare) or `both` ([live.md](live.md)).'),
  CDN_TAG_SECRET: variable(LIVE, secret(16), undefined as string | undefined, 'unset', 'Key of the HMAC that hashes CDN tags, so nobody can tell which ids a tag names; unset: a plain hash under `CACHE_NAMESPACE`. Same on every instance.'),
  CDN_PURGE_URL: variable(LIVE, url(['https:', 'http:']), undefined as string | undefined, 'unset', 'Each invalidation is POSTed here (by the instance that made it) as hashed tags; unset: no purge.'),
  CDN_PURGE_TOKEN: variable(LIVE, secret(8), undefined as string | undefined, 'unset', 'Sent with each purge: `Authorization: Bearer` (cloudflare) or `Fastly-Key` (fastly).'),
  CDN_PURGE_FORMAT: variable(LIVE, oneOf(['cloudflare', 'fastly'] as const), 'cloudflare', '`cloudflare`', 'The purge body: `{"tags": [...]}` (cloudflare) or `{"surrogate_keys": [...]}` (fastly).'),
  CDN_PURGE_BATCH: variable(LIVE, integer(1, 10_000), 30, '`30`', 'Tags per purge request.'),
  CDN_PURGE_ATTEMPTS: variable(LIVE, integer(1, 20), 5, '`5`', 'Tries per batch (the first included) before it is logged and dropped.'),
  CDN_PURGE_BACKOFF_MS: variable(LIVE, integer(1, 600_000), 500, '`500`', 'Delay before the first retry; each next one doubles.'),
  LIVE_MAX_SUBSCRIPTIONS: variable(LIVE, integer(0, 10_000), 10, '`10`', 'Open `changed` subscriptions per principal, per instance; more are refused (`TOO_MANY_SUBSCRIPTIONS`).'),
  LIVE_QUEUE_LIMIT: variable(LIVE, integer(1, 100_000), 100, '`100`', 'Events waiting for a slow subscriber before its subscription is ended (it reconnects and refetches).'),
  LOG_LEVEL: variable(OBSERVABILITY, oneOf(['debug', 'info', 'warn', 'error', 'silent'] as const), (mode): LogLevel => (mode === 'test' ? 'silent' : 'info'), '`info` (`silent` in tests)', 'Lowest level of the lines written.'),
  LOG_PRETTY: variable(OBSERVABILITY, boolean(), (mode) => mode === 'development' && process.stdout.isTTY === true, 'on in development when stdout is a terminal', 'Human-readable log lines instead of JSON (pino-pretty, a development dependency).'),
  HEALTH_CACHE_MS: variable(OBSERVABILITY, integer(0, 3_600_000), (mode) => (mode === 'test' ? 0 : 5_000), '`5000` (`0` in tests)', 'How long a health report is reused.'),
  // Tests run two files at once against one PostgreSQL, whose new connections can stall for a second while another
  // file creates or drops a database: a 1 s budget would report a healthy database DOWN (and make `health`
  // uncacheable). Tests of the budget set it.
  HEALTH_CHECK_TIMEOUT_MS: variable(OBSERVABILITY, integer(10, 60_000), (mode) => (mode === 'test' ? 10_000 : 1_000), '`1000` (`10000` in tests)', 'Budget of each dependency check of `health`.'),
  PERFORMANCE_WINDOW_SECONDS: variable(OBSERVABILITY, integer(10, 86_400), 300, '`300`', 'What the `performance` query looks back over.'),
  PERFORMANCE_BUCKET_SECONDS: variable(OBSERVABILITY, integer(1, 3_600), 10, '`10`', 'The window\'s resolution (and the dashboard timeline\'s); at most the window, and at most 10,000 buckets in it.'),
  METRICS_MAX_OPERATIONS: variable(OBSERVABILITY, integer(1, 10_000), 200, '`200`', 'Distinct operation names used as metric labels; later names count as `(other)`.'),
  ALERT_HIT_RATE_BELOW: variable(OBSERVABILITY, decimal(0, 1), 0.7, '`0.7`', 'Alert when the cache hit rate falls below this (0–1).'),
  ALERT_P95_ABOVE_MS: variable(OBSERVABILITY, decimal(0, 3_600_000), 1_000, '`1000`', 'Alert when p95 latency exceeds this many ms; `0` turns the rule off.'),
  ALERT_ERROR_RATE_ABOVE: variable(OBSERVABILITY, decimal(0, 1), 0.05, '`0.05`', 'Alert when the error rate exceeds this (0–1).'),
  ALERT_MIN_SAMPLES: variable(OBSERVABILITY, integer(1, 1_000_000), 20, '`20`', 'Requests a scope needs in the window before a rule may fire.'),
};

type Environment = typeof ENVIRONMENT;
type Values = { [K in keyof Environment]: Environment[K] extends Variable<infer T> ? T : never };

/** Blank is unset: a variable set to spaces takes its default, like one not set at all. */
const unsetIfBlank = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const ENVIRONMENT_SCHEMA = z.object(
  Object.fromEntries(Object.entries(ENVIRONMENT).map(([name, spec]) => [name, unsetIfBlank.pipe((spec.kind.schema as z.ZodType<unknown, string>).optional())])),
);

type Env = Record<string, string | undefined>;

/** Validates the environment; the values of unset variables are their defaults. Throws ConfigError naming every bad one. */
function readEnvironment(env: Env): Values & { given: Set<string> } {
  const parsed = ENVIRONMENT_SCHEMA.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`).join('\n'));
  }
  const data = parsed.data as Record<string, unknown>;
  const mode = (data.NODE_ENV as Mode | undefined) ?? 'development';
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [name, spec] of Object.entries(ENVIRONMENT) as [string, Variable<unknown>][]) {
    if (data[name] !== undefined) given.add(name);
    values[name] = data[name] ?? (typeof spec.fallback === 'function' ? (spec.fallback as (m: Mode) => unknown)(mode) : spec.fallback);
  }
  return Object.assign(values as Values, { given });
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const v = readEnvironment(env);
  checkTogether(v);
  const config: Config = {
    env: v.NODE_ENV,
    host: v.HOST,
    port: v.PORT,
    databaseUrl: v.DATABASE_URL,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    dataDir: path.resolve(v.DATA_DIR),
    seed: v.SEED,
    version: v.BEACON_VERSION,
    logLevel: v.LOG_LEVEL,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    adminToken: v.ADMIN_TOKEN,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    corsOrigins: v.CORS_ORIGINS,
    cache: Object.freeze({
      enabled: v.CACHE_ENABLED,
      namespace: v.CACHE_NAMESPACE,
      redisUrl: v.REDIS_URL,
      redisClusterNodes: v.REDIS_CLUSTER_NODES,
      l2: v.CACHE_L2,
      l1MaxBytes: v.CACHE_L1_MAX_BYTES,
      redisTimeoutMs: v.CACHE_REDIS_TIMEOUT_MS,
      staleWhileRevalidateMs: v.CACHE_STALE_WHILE_REVALIDATE_SECONDS * 1000,
      staleIfErrorMs: v.CACHE_STALE_IF_ERROR_SECONDS * 1000,
      maxTtlMs: v.CACHE_MAX_TTL_SECONDS * 1000,
      ...readWarmupFile(v.CACHE_WARMUP_FILE, v.given.has('CACHE_WARMUP_FILE')),
      fastLane: v.CACHE_FAST_LANE,
      leaseMs: v.CACHE_LEASE_MS,
      readAfterWrite: v.CACHE_READ_AFTER_WRITE,
      writeTimeoutMs: v.CACHE_WRITE_TIMEOUT_MS,
      outageTrustMs: v.CACHE_OUTAGE_TRUST_MS,
    }),
    auth: Object.freeze({
      anonymousReads: v.ANONYMOUS_READS,
      cacheTtlMs: v.AUTH_CACHE_TTL_SECONDS * 1000,
      jwt:
        v.JWT_JWKS_URL || v.JWT_JWKS_FILE
          ? Object.freeze({
              jwksUrl: v.JWT_JWKS_URL,
              jwksFile: v.JWT_JWKS_FILE,
              issuer: v.JWT_ISSUER,
              audience: v.JWT_AUDIENCE,
              teamClaim: v.JWT_TEAM_CLAIM,
              roleClaim: v.JWT_ROLE_CLAIM,
            })
          : undefined,
    }),
    limits: Object.freeze({
      maxDepth: v.GRAPHQL_MAX_DEPTH,
      maxAliases: v.GRAPHQL_MAX_ALIASES,
      maxDirectives: v.GRAPHQL_MAX_DIRECTIVES,
      maxDirectivesPerField: v.GRAPHQL_MAX_DIRECTIVES_PER_FIELD,
      maxTokens: v.GRAPHQL_MAX_TOKENS,
      maxCost: v.GRAPHQL_MAX_COST,
      operationTimeoutMs: v.OPERATION_TIMEOUT_MS,
      requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_MS,
      trustProxy: v.TRUST_PROXY,
      rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
      rateLimitBurst: v.RATE_LIMIT_BURST,
      databasePoolTimeoutMs: v.DATABASE_POOL_TIMEOUT_MS,
    }),
    observability: Object.freeze({
      logPretty: v.LOG_PRETTY,
      healthCacheMs: v.HEALTH_CACHE_MS,
      healthTimeoutMs: v.HEALTH_CHECK_TIMEOUT_MS,
      windowMs: v.PERFORMANCE_WINDOW_SECONDS * 1000,
      bucketMs: v.PERFORMANCE_BUCKET_SECONDS * 1000,
      maxOperations: v.METRICS_MAX_OPERATIONS,
      alerts: Object.freeze({
        hitRateBelow: v.ALERT_HIT_RATE_BELOW,
        p95AboveMs: v.ALERT_P95_ABOVE_MS,
        errorRateAbove: v.ALERT_ERROR_RATE_ABOVE,
        minSamples: v.ALERT_MIN_SAMPLES,
      }),
    }),
    cdn: Object.freeze({
      tagHeader: v.CDN_TAG_HEADER,
      tagSecret: v.CDN_TAG_SECRET,
      purgeUrl: v.CDN_PURGE_URL,
      purgeToken: v.CDN_PURGE_TOKEN,
      purgeFormat: v.CDN_PURGE_FORMAT,
      purgeBatch: v.CDN_PURGE_BATCH,
      purgeAttempts: v.CDN_PURGE_ATTEMPTS,
      purgeBackoffMs: v.CDN_PURGE_BACKOFF_MS,
    }),
    live: Object.freeze({
      maxSubscriptionsPerPrincipal: v.LIVE_MAX_SUBSCRIPTIONS,
      queueLimit: v.LIVE_QUEUE_LIMIT,
    }),
    ...overrides,
  };
  return Object.freeze(config);
}

/** The rules that tie two variables together. */
function checkTogether(v: Values & { given: Set<string> }): void {
  if (v.JWT_JWKS_URL && v.JWT_JWKS_FILE) throw new ConfigError('set JWT_JWKS_URL or JWT_JWKS_FILE, not both');
  if (v.REDIS_CLUSTER_NODES && v.REDIS_URL) {
    throw new ConfigError('REDIS_CLUSTER_NODES and REDIS_URL are mutually exclusive: set REDIS_CLUSTER_NODES for a Redis Cluster, REDIS_URL for one Redis');
  }
  const window = v.PERFORMANCE_WINDOW_SECONDS;
  const bucket = v.PERFORMANCE_BUCKET_SECONDS;
  if (bucket > window) throw new ConfigError(`PERFORMANCE_BUCKET_SECONDS must not exceed PERFORMANCE_WINDOW_SECONDS, got ${bucket} > ${window}`);
  if (window / bucket > 10_000) throw new ConfigError('PERFORMANCE_WINDOW_SECONDS / PERFORMANCE_BUCKET_SECONDS must be at most 10000 buckets');
}

/**
 * The warm-up file: `off` for none; the default file may be missing (then none); a file named explicitly must exist
 * and hold a valid list, checked now so a typo stops the start instead of silently warming nothing.
 */
function readWarmupFile(value: string, given: boolean): { warmupFile: string | undefined; warmup: readonly WarmupOperation[] } {
  const none = { warmupFile: undefined, warmup: Object.freeze([]) };
  if (value === 'off') return none;
  const resolved = path.resolve(value);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch {
    if (!given) return none;
    throw new ConfigError(`CACHE_WARMUP_FILE names a file that cannot be read: ${shown(value)}`);
  }
  try {
    return { warmupFile: resolved, warmup: Object.freeze(parseWarmup(text, 'CACHE_WARMUP_FILE')) };
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

/** Parses and checks a warm-up file's text; the message names what is wrong. */
export function parseWarmup(text: string, source: string): WarmupOperation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${source} must hold a JSON array of { query, variables?, operationName? }`);
  return parsed.map((item, index) => {
    const { query, variables, operationName } = (item ?? {}) as Record<string, unknown>;
    const where = `${source}[${index}]`;
    if (typeof query !== 'string' || query.trim() === '') throw new Error(`${where}.query must be a non-empty string`);
    if (variables !== undefined && (variables === null || typeof variables !== 'object' || Array.isArray(variables))) {
      throw new Error(`${where}.variables must be an object`);
    }
    if (operationName !== undefined && typeof operationName !== 'string') throw new Error(`${where}.operationName must be a string`);
    return {
      query,
      ...(variables ? { variables: variables as Record<string, unknown> } : {}),
      ...(operationName ? { operationName } : {}),
    };
  });
}

/** One row of the configuration reference (docs/configuration.md), as ENVIRONMENT describes the variable. */
export interface VariableReference {
  name: string;
  group: string;
  accepts: string;
  default: string;
  description: string;
}

export function environmentReference(): VariableReference[] {
  return Object.entries(ENVIRONMENT).map(([name, spec]: [string, Variable<unknown>]) => ({
    name,
    group: spec.group,
    accepts: spec.kind.accepts,
    default: spec.shownDefault,
    description: spec.description,
  }));
}
