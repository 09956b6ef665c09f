// Health of Beacon's dependencies, for the `health` query, GET /health/ready and the metrics. Each check runs in
// parallel with its own time budget (a hung dependency costs one budget, not a hung probe), and a report is reused
// for HEALTH_CACHE_MS so that probes, scrapes and dashboards polling together cost one round of checks.
//
// The database is critical: without it Beacon answers nothing, so it being down makes the whole report DOWN (ready
// answers 503). Redis is not: the cache falls back to L1 and every answer stays correct, only slower, so Redis down
// makes the report DEGRADED (ready still answers 200). Nothing here waits on Redis (see redisCheck).
import { createClient } from '@keyv/redis';

export type HealthStatus = 'OK' | 'DEGRADED' | 'DOWN';

export interface CheckOutcome {
  status: HealthStatus;
  /** What the check found, for people (never a host, user or password). */
  detail?: string;
  error?: string;
  /** Overrides the measured duration (null: the check did no I/O worth timing). */
  latencyMs?: number | null;
}

export interface HealthCheck {
  name: string;
  critical: boolean;
  run(): Promise<CheckOutcome>;
  /** Ends background work the check started (called on stop). */
  close?(): Promise<void>;
}

export interface DependencyReport {
  name: string;
  status: HealthStatus;
  ok: boolean;
  critical: boolean;
  /** How long the check took, in ms. */
  latencyMs: number | null;
  error: string | null;
  detail: string | null;
}

export interface HealthReport {
  status: HealthStatus;
  checkedAt: Date;
  dependencies: DependencyReport[];
}

export interface HealthCheckerOptions {
  /** Budget of each check, in ms. */
  timeoutMs: number;
  /** How long a report is reused, in ms; 0: every call checks again. */
  cacheMs: number;
  now?: () => number;
}

export class HealthChecker {
  private cached: { at: number; report: HealthReport } | undefined;
  private running: Promise<HealthReport> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly checks: readonly HealthCheck[],
    private readonly options: HealthCheckerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The current report: the cached one while it is fresh, else the one being made, else a new one. */
  check(): Promise<HealthReport> {
    const { cacheMs } = this.options;
    // Without a cache, every caller gets checks of its own (tests count the statements a health query sends).
    if (cacheMs <= 0) return this.runAll();
    if (this.cached && this.now() - this.cached.at < cacheMs) return Promise.resolve(this.cached.report);
    this.running ??= this.runAll()
      .then((report) => {
        this.cached = { at: this.now(), report };
        return report;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Waits for the checks' background work; no check runs afterwards. */
  async close(): Promise<void> {
    await Promise.all(this.checks.map((check) => check.close?.()));
  }

  private async runAll(): Promise<HealthReport> {
    const checkedAt = new Date(this.now());
    const dependencies = await Promise.all(this.checks.map((check) => this.runOne(check)));
    return { status: overallStatus(dependencies), checkedAt, dependencies };
  }

  private async runOne(check: HealthCheck): Promise<DependencyReport> {
    const started = performance.now();
    const { timeoutMs } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckOutcome>((resolve) => {
      // When the event loop was busy, the answer may already be waiting in the socket: let one I/O phase run before
      // declaring a timeout, so that a loaded process does not mistake its own lateness for the dependency's.
      timer = setTimeout(() => setImmediate(() => resolve({ status: 'DOWN', error: `no answer within ${timeoutMs} ms` })), timeoutMs);
    });
    let outcome: CheckOutcome;
    try {
      outcome = await Promise.race([
        check.run().catch((): CheckOutcome => ({ status: 'DOWN', error: 'unreachable' })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
    const measured = Math.round((performance.now() - started) * 100) / 100;
    return {
      name: check.name,
      status: outcome.status,
      ok: outcome.status === 'OK',
      critical: check.critical,
      latencyMs: outcome.latencyMs === undefined ? measured : outcome.latencyMs,
      error: outcome.error ?? null,
      detail: outcome.detail ?? null,
    };
  }
}

/** DOWN when a critical dependency is down; DEGRADED when anything else is not OK; OK otherwise. */
export function overallStatus(dependencies: readonly Pick<DependencyReport, 'status' | 'critical'>[]): HealthStatus {
  if (dependencies.some((dependency) => dependency.critical && dependency.status === 'DOWN')) return 'DOWN';
  if (dependencies.some((dependency) => dependency.status !== 'OK')) return 'DEGRADED';
  return 'OK';
}

/** The database answers `select 1`. The driver's error text may name hosts or users: only "unreachable" is shown. */
export function databaseCheck(ping: () => Promise<void>): HealthCheck {
  return {
    name: 'database',
    critical: true,
    async run() {
      try {
        await ping();
        return { status: 'OK' };
      } catch {
        return { status: 'DOWN', error: 'unreachable' };
      }
    },
  };
}

/** What the health checks need to know of the cache's Redis link (CacheService.snapshot() has it). */
export interface CacheLinkView {
  enabled: boolean;
  redis: { configured: boolean; state: string; subscribed: boolean; pendingReplay: number };
}

/**
 * Redis: the cache's link state, now, and the round trip of the last PING. The health report never waits on Redis
 * (a paused or slow Redis must not stall the health query any more than it stalls other requests): while the link
 * is ready, a check starts a PING in the background when the last one is older than `pingIntervalMs`, and reports
 * the last result. The PING goes over a short-lived connection of its own, because the cache's link may be inside a
 * back-off window, and the question is whether Redis itself answers.
 */
export function redisCheck(
  url: string | undefined,
  link: () => CacheLinkView | undefined,
  options: { timeoutMs: number; pingIntervalMs: number },
): HealthCheck {
  const probe = url ? new RedisPing(url, options.timeoutMs, options.pingIntervalMs) : undefined;
  return {
    name: 'redis',
    critical: false,
    async run() {
      if (!probe) return { status: 'OK', detail: 'not configured', latencyMs: null };
      const state = link()?.redis.state ?? 'off';
      // The link is down: the cache is not using Redis, whatever a PING would say. No I/O.
      if (state !== 'ready') return { status: 'DOWN', error: 'unreachable', detail: `cache link ${state}`, latencyMs: null };
      probe.poke();
      const last = probe.last;
      if (!last) return { status: 'OK', detail: 'cache link ready', latencyMs: null };
      if (!last.ok) return { status: 'DEGRADED', detail: `cache link ready, but the last PING got no answer within ${options.timeoutMs} ms`, latencyMs: null };
      return { status: 'OK', detail: 'cache link ready', latencyMs: last.latencyMs };
    },
    close: () => probe?.close() ?? Promise.resolve(),
  };
}

/** One PING at a time, in the background, at most once per interval; remembers the last result. */
export class RedisPing {
  last: { ok: boolean; latencyMs: number | null; at: number } | undefined;
  private running: Promise<void> | undefined;
  private abort: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a PING unless one is running or the last one is recent. Never waits for it. */
  poke(): void {
    if (this.closed || this.running) return;
    if (this.last && this.now() - this.last.at < this.intervalMs) return;
    this.running = this.ping()
      .then((result) => void (this.last = { ...result, at: this.now() }))
      .finally(() => (this.running = undefined));
  }

  /** Ends a PING in flight at once (a stopping app does not wait out its budget). */
  async close(): Promise<void> {
    this.closed = true;
    this.abort?.();
    await this.running;
  }

  private async ping(): Promise<{ ok: boolean; latencyMs: number | null }> {
    const client = createClient({
      url: this.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: this.timeoutMs, reconnectStrategy: false },
    });
    client.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      this.abort = () => resolve('timeout');
    });
    try {
      const answered = client.connect().then(async () => {
        const started = performance.now();
        await client.ping();
        return performance.now() - started;
      });
      answered.catch(() => {});
      const outcome = await Promise.race([answered, timeout]);
      return outcome === 'timeout' ? { ok: false, latencyMs: null } : { ok: true, latencyMs: Math.round(outcome * 100) / 100 };
    } catch {
      return { ok: false, latencyMs: null };
    } finally {
      clearTimeout(timer);
      this.abort = undefined;
      try {
        client.destroy();
      } catch {
        // Never connected.
      }
    }
  }
}

/** The cache as a whole: both tiers in use, or L1 alone standing in for an unreachable Redis (DEGRADED). */
export function cacheCheck(link: () => CacheLinkView | undefined): HealthCheck {
  return {
    name: 'cache',
    critical: false,
    async run() {
      const view = link();
      if (!view || !view.enabled) return { status: 'OK', detail: 'disabled (CACHE_ENABLED=false)', latencyMs: null };
      const { redis } = view;
      if (!redis.configured) return { status: 'OK', detail: 'L1 only (no Redis configured)', latencyMs: null };
      if (redis.state !== 'ready') return { status: 'DEGRADED', detail: `Redis link ${redis.state}: serving from L1 only`, latencyMs: null };
      if (!redis.subscribed) return { status: 'DEGRADED', detail: 'invalidation channel not subscribed', latencyMs: null };
      if (redis.pendingReplay > 0) {
        return { status: 'DEGRADED', detail: `${redis.pendingReplay} invalidations waiting to be replayed to Redis`, latencyMs: null };
      }
      return { status: 'OK', detail: 'L1 + L2 (Redis)', latencyMs: null };
    },
  };
}
