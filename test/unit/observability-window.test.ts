// The performance window's arithmetic, on known samples and an injected clock: exact percentiles, expiry of old
// buckets, rates over the time actually covered, bounded memory under load, and the alert rules on top.
import { describe, expect, it } from 'vitest';
import { firingAlerts, type AlertThresholds } from '../../src/observability/alerts.js';
import { percentiles, PerformanceWindow, type LatencyStats, type Observation } from '../../src/observability/window.js';

const SECOND = 1_000;

/** A window on a clock the test moves; starts at a bucket boundary. */
function windowAt(options: { windowMs?: number; bucketMs?: number; samplesPerBucket?: number; samplesPerBucketTotal?: number } = {}) {
  const clock = { now: 1_000_000 * SECOND };
  let seed = 42;
  const window = new PerformanceWindow({
    windowMs: options.windowMs ?? 60 * SECOND,
    bucketMs: options.bucketMs ?? 10 * SECOND,
    now: () => clock.now,
    // A deterministic generator, so that sampling under load is reproducible.
    random: () => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646,
    ...(options.samplesPerBucket ? { samplesPerBucket: options.samplesPerBucket } : {}),
    ...(options.samplesPerBucketTotal ? { samplesPerBucketTotal: options.samplesPerBucketTotal } : {}),
  });
  const record = (operation: string, durationMs: number, extra: Partial<Observation> = {}) =>
    window.record({ operation, durationMs, error: false, ...extra });
  return { window, clock, record };
}

describe('percentiles (nearest rank)', () => {
  const unit = (values: number[]) => values.map((value) => ({ value, weight: 1 }));

  it('gives the textbook nearest rank on 1..100', () => {
    const values = unit(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(percentiles(values, [0.5, 0.95, 0.99, 1])).toEqual([50, 95, 99, 100]);
  });

  it('takes the ceil(q * n)-th smallest value on a small sample', () => {
    const values = unit([12, 3, 7, 30, 18]);
    // n = 5: p50 -> 3rd (12), p95 -> 5th (30), p20 -> 1st (3), p40 -> 2nd (7).
    expect(percentiles(values, [0.5, 0.95, 0.2, 0.4])).toEqual([12, 30, 3, 7]);
  });

  it('is the only value for a single sample, and undefined for none', () => {
    expect(percentiles(unit([250]), [0.5, 0.99])).toEqual([250, 250]);
    expect(percentiles([], [0.5])).toEqual([undefined]);
  });

  it('weighs each value by the requests it stands for', () => {
    // 90 requests at 10 ms (one kept value standing for 90) and 10 at 500 ms.
    const values = [
      { value: 10, weight: 90 },
      { value: 500, weight: 10 },
    ];
    expect(percentiles(values, [0.5, 0.9, 0.91, 0.99])).toEqual([10, 10, 500, 500]);
  });
});

describe('PerformanceWindow', () => {
  it('reports count, errors, cache hits and exact percentiles per operation', () => {
    const { window, record } = windowAt();
    for (let ms = 1; ms <= 100; ms += 1) record('Datasets', ms, { cache: ms <= 80 ? 'hit' : 'miss', error: ms > 98 });
    record('Health', 5);
    const snapshot = window.snapshot();
    const datasets = snapshot.operations.find((op) => op.operation === 'Datasets')!;
    expect(datasets).toMatchObject({
      count: 100,
      errors: 2,
      errorRate: 0.02,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
      maxMs: 100,
      avgMs: 50.5,
      cacheHits: 80,
      cacheMisses: 20,
      cacheHitRate: 0.8,
    });
    // Health was not cacheable: no hit rate, rather than 0%.
    expect(snapshot.operations.find((op) => op.operation === 'Health')).toMatchObject({ count: 1, cacheHitRate: null, p99Ms: 5 });
    expect(snapshot.operations.map((op) => op.operation)).toEqual(['Datasets', 'Health']);
    expect(snapshot.total).toMatchObject({ count: 101, errors: 2, cacheHits: 80, cacheMisses: 20, maxMs: 100 });
  });

  it('merges buckets: percentiles over the whole window', () => {
    const { window, clock, record } = windowAt();
    for (const ms of [1, 2, 3, 4, 5]) record('Q', ms);
    clock.now += 10 * SECOND;
    for (const ms of [6, 7, 8, 9, 10]) record('Q', ms);
    const q = window.snapshot().operations[0]!;
    expect(q).toMatchObject({ count: 10, p50Ms: 5, p95Ms: 10, maxMs: 10 });
    expect(window.snapshot().timeline.map((bucket) => bucket.count)).toEqual([5, 5]);
  });

  it('forgets buckets once they leave the window', () => {
    const { window, clock, record } = windowAt({ windowMs: 60 * SECOND, bucketMs: 10 * SECOND });
    record('Old', 900);
    clock.now += 30 * SECOND;
    record('New', 10);
    expect(window.snapshot().operations.map((op) => op.operation)).toEqual(['New', 'Old'].sort());
    // Six buckets of 10 s: the first one is still in the window 59.999 s later...
    clock.now += 29_999;
    expect(window.snapshot().total.count).toBe(2);
    // ...and gone at 60 s, when its slot is the one a new bucket would take.
    clock.now += 1;
    const snapshot = window.snapshot();
    expect(snapshot.operations.map((op) => op.operation)).toEqual(['New']);
    expect(snapshot.total).toMatchObject({ count: 1, maxMs: 10 });
  });

  it('reuses an expired slot without mixing old samples into the new bucket', () => {
    const { window, clock, record } = windowAt({ windowMs: 30 * SECOND, bucketMs: 10 * SECOND });
    record('Q', 1_000);
    clock.now += 30 * SECOND; // the same slot of the ring, three buckets later
    record('Q', 1);
    expect(window.snapshot().operations[0]).toMatchObject({ count: 1, p99Ms: 1, maxMs: 1 });
  });

  it('is empty after a long idle period', () => {
    const { window, clock, record } = windowAt();
    record('Q', 5);
    clock.now += 3_600 * SECOND;
    const snapshot = window.snapshot();
    expect(snapshot.operations).toEqual([]);
    expect(snapshot.total).toMatchObject({ count: 0, p95Ms: null, cacheHitRate: null, errorRate: 0, requestsPerSecond: 0 });
  });

  it('computes rates over the time covered, not the whole window, just after start', () => {
    const { window, clock, record } = windowAt({ windowMs: 300 * SECOND, bucketMs: 10 * SECOND });
    clock.now += 5 * SECOND;
    for (let i = 0; i < 20; i += 1) record('Q', 1);
    const snapshot = window.snapshot();
    expect(snapshot.coveredMs).toBe(5 * SECOND);
    expect(snapshot.operations[0]!.requestsPerSecond).toBe(4);
    expect(snapshot.timeline).toHaveLength(1);
    expect(snapshot.timeline[0]).toMatchObject({ durationMs: 5 * SECOND, count: 20, requestsPerSecond: 4 });
  });

  it('keeps one timeline entry per bucket since start, empty ones included, oldest first', () => {
    const { window, clock, record } = windowAt({ windowMs: 40 * SECOND, bucketMs: 10 * SECOND });
    record('Q', 10);
    clock.now += 20 * SECOND;
    record('Q', 30);
    clock.now += 5 * SECOND;
    const { timeline } = window.snapshot();
    expect(timeline.map((bucket) => [bucket.count, bucket.durationMs, bucket.p50Ms])).toEqual([
      [1, 10 * SECOND, 10],
      [0, 10 * SECOND, null],
      [1, 5 * SECOND, 30],
    ]);
    expect(timeline[1]!.start - timeline[0]!.start).toBe(10 * SECOND);
  });

  it('keeps memory bounded under load, with estimates close to the truth', () => {
    const { window, record } = windowAt({ samplesPerBucket: 64, samplesPerBucketTotal: 128 });
    // 10,000 requests in one bucket: latencies 1..100 ms, uniformly.
    for (let i = 0; i < 10_000; i += 1) record('Busy', (i % 100) + 1);
    const internals = (window as unknown as { slots: Array<{ operations: Map<string, { samples: number[] }>; all: { samples: number[] } } | undefined> }).slots;
    const bucket = internals.find((slot) => slot !== undefined)!;
    expect(bucket.operations.get('Busy')!.samples).toHaveLength(64);
    expect(bucket.all.samples).toHaveLength(128);
    const busy = window.snapshot().operations[0]!;
    expect(busy.count).toBe(10_000);
    expect(busy.maxMs).toBe(100); // exact: tracked outside the sample
    expect(busy.avgMs).toBeCloseTo(50.5, 6); // exact too
    expect(busy.p50Ms!).toBeGreaterThan(35);
    expect(busy.p50Ms!).toBeLessThan(65);
    expect(busy.p95Ms!).toBeGreaterThan(80);
  });

  it('refuses a bucket larger than the window', () => {
    expect(() => new PerformanceWindow({ windowMs: 5 * SECOND, bucketMs: 10 * SECOND })).toThrow(/windowMs >= bucketMs/);
  });
});

describe('alerts', () => {
  const thresholds: AlertThresholds = { hitRateBelow: 0.7, p95AboveMs: 1_000, errorRateAbove: 0.05, minSamples: 20 };
  const stats = (overrides: Partial<LatencyStats>): LatencyStats => ({
    count: 100,
    errors: 0,
    errorRate: 0,
    requestsPerSecond: 1,
    avgMs: 10,
    p50Ms: 10,
    p95Ms: 20,
    p99Ms: 30,
    maxMs: 40,
    cacheHits: 90,
    cacheMisses: 10,
    cacheHitRate: 0.9,
    ...overrides,
  });

  it('fires nothing while everything is within its threshold', () => {
    expect(firingAlerts(stats({}), [{ operation: 'Q', ...stats({}) }], thresholds)).toEqual([]);
  });

  it('fires each rule once its threshold is crossed, overall and per operation', () => {
    const slow = { operation: 'Slow', ...stats({ p95Ms: 1_500, cacheHitRate: 0.5, cacheHits: 50, cacheMisses: 50, errors: 10, errorRate: 0.1 }) };
    const alerts = firingAlerts(stats({ p95Ms: 1_001 }), [slow], thresholds);
    expect(alerts.map((alert) => [alert.rule, alert.operation])).toEqual([
      ['P95_HIGH', null],
      ['HIT_RATE_LOW', 'Slow'],
      ['P95_HIGH', 'Slow'],
      ['ERROR_RATE_HIGH', 'Slow'],
    ]);
    expect(alerts[0]).toMatchObject({ value: 1_001, threshold: 1_000, samples: 100, message: 'p95 latency of all operations is 1001 ms, above 1000 ms' });
    expect(alerts[1]!.message).toBe('cache hit rate of Slow is 50.0%, below 70.0%');
  });

  it('is strict at the threshold itself', () => {
    expect(firingAlerts(stats({ p95Ms: 1_000, cacheHitRate: 0.7, errorRate: 0.05 }), [], thresholds)).toEqual([]);
  });

  it('needs the minimum number of samples before any rule fires: an idle server raises nothing', () => {
    const few = stats({ count: 19, errors: 19, errorRate: 1, p95Ms: 9_000, cacheHits: 0, cacheMisses: 19, cacheHitRate: 0 });
    expect(firingAlerts(few, [{ operation: 'Rare', ...few }], thresholds)).toEqual([]);
    const idle = stats({ count: 0, errors: 0, p95Ms: null, cacheHits: 0, cacheMisses: 0, cacheHitRate: null });
    expect(firingAlerts(idle, [], thresholds)).toEqual([]);
    // The hit-rate rule counts cacheable requests only: many requests, few of them cacheable, is not enough.
    const mostlyUncacheable = stats({ count: 500, cacheHits: 1, cacheMisses: 9, cacheHitRate: 0.1 });
    expect(firingAlerts(mostlyUncacheable, [], thresholds)).toEqual([]);
  });

  it('turns the latency rule off with ALERT_P95_ABOVE_MS=0', () => {
    expect(firingAlerts(stats({ p95Ms: 60_000 }), [], { ...thresholds, p95AboveMs: 0 })).toEqual([]);
  });
});
