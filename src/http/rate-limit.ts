// Per-client rate limiting: one token bucket per client, in memory (so per instance: N instances allow N times the
// rate). A client is its verified principal when it has one, else its remote address. A bucket holds `burst` requests
// and refills at `perMinute` per minute; a request that finds it empty gets 429 with Retry-After.
//
// Memory stays bounded: a bucket left alone long enough to refill completely is indistinguishable from a new one,
// so it is dropped (swept lazily); past `maxClients` live buckets, the oldest are dropped too.
import type { Principal } from '../auth/principal.js';
import { clientAddress, type TrustFunction } from './client-address.js';
import type { PreCheck } from './pre-checks.js';

export interface RateLimitOptions {
  /** Sustained requests per minute per client; 0 turns rate limiting off. */
  perMinute: number;
  /** Requests a client may make at once after being idle (the bucket size). */
  burst: number;
  /** Paths never limited (health checks from load balancers and orchestrators). */
  exemptPaths?: readonly string[];
  maxClients?: number;
  now?: () => number;
}

export interface Admission {
  allowed: boolean;
  /** Tokens left after this request. */
  remaining: number;
  /** When refused: milliseconds until one request is allowed again. */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** When the bucket last moved to the end of the Map's order (see take). */
  movedAt: number;
}

/**
 * A used bucket moves to the end of the Map's order (eviction takes the front) at most this often: moving it costs a
 * delete and a set on every request, and eviction (past maxClients) only needs the order to within a second.
 */
const REORDER_MS = 1000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly refillMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;
  private nextSweep = 0;

  constructor(private readonly options: RateLimitOptions) {
    if (options.perMinute <= 0 || options.burst < 1) throw new Error('TokenBuckets needs perMinute > 0 and burst >= 1');
    this.perMs = options.perMinute / 60_000;
    this.refillMs = options.burst / this.perMs;
    this.maxClients = options.maxClients ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): Admission {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(key);
    if (!bucket) {
      const tokens = this.options.burst - 1;
      this.buckets.set(key, { tokens, updatedAt: now, movedAt: now });
      if (this.buckets.size > this.maxClients) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      return { allowed: true, remaining: Math.floor(tokens), retryAfterMs: 0 };
    }
    let tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    bucket.tokens = tokens;
    bucket.updatedAt = now;
    if (now - bucket.movedAt >= REORDER_MS) {
      bucket.movedAt = now;
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
    }
    return { allowed, remaining: Math.floor(tokens), retryAfterMs: allowed ? 0 : Math.ceil((1 - tokens) / this.perMs) };
  }

  /** Drops buckets that have refilled completely; at most once per refill period, so the cost is amortized. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.refillMs;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.options.burst) this.buckets.delete(key);
    }
  }
}

/**
 * The client a request counts against: its verified principal (http/authentication.ts), else its address. Never the
 * raw token: a made-up token is refused before it gets here, so inventing one per request buys no fresh allowance.
 */
export function clientKey(principal: Principal | undefined, ip: () => string): string {
  // The id itself, not a string built from it: the same string every request, whose hash V8 keeps. Principal ids
  // (`admin-token`, `key:…`, `jwt:…`) never start with `ip:`.
  if (principal && principal.kind !== 'anonymous') return principal.id;
  return `ip:${ip()}`;
}

/**
 * The headers a request carries once counted: the bucket's size and what is left of it. Sent once a client has used
 * half its burst, and with every refusal: a client well within its allowance has nothing to act on, and headers are
 * not free (a bare node:http server lost 15% of its throughput to the four a cache hit carried, 9% to the request id
 * alone; docs/benchmarks.md).
 */
export function rateLimitHeaders(options: RateLimitOptions, admission: Admission): Array<[string, string]> | undefined {
  if (admission.allowed && admission.remaining >= options.burst / 2) return undefined;
  return [
    ['ratelimit-limit', String(options.burst)],
    ['ratelimit-remaining', String(admission.remaining)],
  ];
}

/** The request's path, without its query string (no array built, unlike split). */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The limiter as a pre-check (pre-checks.ts): run by Fastify's hook after authentication, so that it counts verified
 * principals, and by the fast lane before a cache hit is sent. An over-limit client costs a map lookup, nothing else.
 */
export function rateLimitCheck(options: RateLimitOptions, trust: TrustFunction | undefined): { buckets: TokenBuckets; check: PreCheck } | undefined {
  if (options.perMinute <= 0) return undefined;
  const buckets = new TokenBuckets(options);
  // Probes and scrapers come from few addresses at a steady rate: limiting them would turn load into false alarms.
  const exempt = new Set(options.exemptPaths ?? ['/health', '/health/live', '/health/ready', '/metrics']);
  const check: PreCheck = {
    name: 'rate limit',
    check(request, principal) {
      if (exempt.has(pathOf(request.url))) return undefined;
      const admission = buckets.take(clientKey(principal, () => clientAddress(request, trust)));
      const headers = rateLimitHeaders(options, admission);
      if (admission.allowed) return headers ? { headers } : undefined;
      const retryAfter = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      headers!.push(['retry-after', String(retryAfter)]);
      return {
        headers,
        refusal: {
          status: 429,
          code: 'RATE_LIMITED',
          message: `Too many requests: this client may make ${options.perMinute} requests per minute (bursts of ${options.burst}). Retry in ${retryAfter} s.`,
          extensions: { retryAfterSeconds: retryAfter },
        },
      };
    },
  };
  return { buckets, check };
}
