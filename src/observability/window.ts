// The sliding window behind the `performance` query: what each operation did over the last few minutes (count, errors,
// latency percentiles, cache hits), in memory bounded whatever the traffic. Pure arithmetic: time comes from an
// injected clock and sampling from an injected random source, so tests can be exact.
//
// Time is cut into buckets (default 10 s); the window is the last `windowMs / bucketMs` of them, the current (partial)
// one included, so it covers between windowMs - bucketMs and windowMs of traffic. A bucket's slot in the ring is
// reused when time comes round again: expiry costs nothing and happens on the first write after it is due.
//
// Latencies: each bucket keeps, per operation, every latency up to `samplesPerBucket` and a uniform random sample of
// that size beyond (reservoir sampling), plus the exact count. A percentile weighs each kept latency by how many
// requests it stands for (count / kept), so a busy bucket counts for as many requests as it served. Up to the
// sample size, percentiles are exact (nearest rank); beyond it they are estimates from a uniform sample.

export interface WindowOptions {
  windowMs: number;
  bucketMs: number;
  /** Epoch milliseconds. */
  now?: () => number;
  /** In [0, 1): which latencies a full bucket keeps. */
  random?: () => number;
  /** Latencies kept per operation per bucket (default 128). */
  samplesPerBucket?: number;
  /** Latencies kept per bucket over all operations, for the totals and the timeline (default 512). */
  samplesPerBucketTotal?: number;
}

export interface Observation {
  operation: string;
  durationMs: number;
  /** The request failed (GraphQL errors, or an HTTP error status). */
  error: boolean;
  /** hit: served from the cache; miss: a cacheable response that was computed; undefined: not cacheable. */
  cache?: 'hit' | 'miss';
}

export interface LatencyStats {
  count: number;
  errors: number;
  /** errors / count; 0 without requests. */
  errorRate: number;
  requestsPerSecond: number;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  cacheHits: number;
  cacheMisses: number;
  /** cacheHits / (cacheHits + cacheMisses); null when nothing cacheable was asked. */
  cacheHitRate: number | null;
}

export interface OperationStats extends LatencyStats {
  operation: string;
}

export interface BucketStats extends LatencyStats {
  /** Epoch milliseconds. */
  start: number;
  /** Time the bucket covers so far: bucketMs, less for the current bucket and the one the window started in. */
  durationMs: number;
}

export interface WindowSnapshot {
  at: number;
  windowMs: number;
  bucketMs: number;
  /** Milliseconds of traffic the window covers now (less than windowMs until the process has run that long). */
  coveredMs: number;
  total: LatencyStats;
  /** Busiest first. */
  operations: OperationStats[];
  /** Oldest first, one per bucket since the window started. */
  timeline: BucketStats[];
}

class Tally {
  count = 0;
  errors = 0;
  hits = 0;
  misses = 0;
  totalMs = 0;
  maxMs = 0;
  readonly samples: number[] = [];

  constructor(private readonly capacity: number) {}

  add(observation: Observation, random: () => number): void {
    this.count += 1;
    if (observation.error) this.errors += 1;
    if (observation.cache === 'hit') this.hits += 1;
    else if (observation.cache === 'miss') this.misses += 1;
    const ms = observation.durationMs;
    this.totalMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
    if (this.samples.length < this.capacity) {
      this.samples.push(ms);
      return;
    }
    // Algorithm R: the n-th latency replaces a kept one with probability capacity / n.
    const slot = Math.floor(random() * this.count);
    if (slot < this.capacity) this.samples[slot] = ms;
  }
}

class Bucket {
  readonly operations = new Map<string, Tally>();
  readonly all: Tally;

  constructor(
    readonly index: number,
    totalCapacity: number,
  ) {
    this.all = new Tally(totalCapacity);
  }
}

export class PerformanceWindow {
  readonly windowMs: number;
  readonly bucketMs: number;
  private readonly slots: Array<Bucket | undefined>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly samplesPerBucket: number;
  private readonly samplesPerBucketTotal: number;
  private readonly startedAt: number;

  constructor(options: WindowOptions) {
    if (!(options.bucketMs > 0) || !(options.windowMs >= options.bucketMs)) {
      throw new Error(`a window needs bucketMs > 0 and windowMs >= bucketMs, got ${options.windowMs} / ${options.bucketMs}`);
    }
    this.bucketMs = options.bucketMs;
    this.slots = new Array(Math.ceil(options.windowMs / options.bucketMs)).fill(undefined);
    this.windowMs = this.slots.length * this.bucketMs;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.samplesPerBucket = options.samplesPerBucket ?? 128;
    this.samplesPerBucketTotal = options.samplesPerBucketTotal ?? 512;
    this.startedAt = this.now();
  }

  record(observation: Observation): void {
    const index = Math.floor(this.now() / this.bucketMs);
    const slot = index % this.slots.length;
    let bucket = this.slots[slot];
    if (bucket?.index !== index) {
      bucket = new Bucket(index, this.samplesPerBucketTotal);
      this.slots[slot] = bucket;
    }
    let tally = bucket.operations.get(observation.operation);
    if (!tally) {
      tally = new Tally(this.samplesPerBucket);
      bucket.operations.set(observation.operation, tally);
    }
    tally.add(observation, this.random);
    bucket.all.add(observation, this.random);
  }

  snapshot(): WindowSnapshot {
    const now = this.now();
    const current = Math.floor(now / this.bucketMs);
    const oldest = current - this.slots.length + 1;
    const windowStart = Math.max(oldest * this.bucketMs, this.startedAt);
    const coveredMs = Math.max(0, now - windowStart);
    const live: Bucket[] = [];
    for (const bucket of this.slots) if (bucket && bucket.index >= oldest && bucket.index <= current) live.push(bucket);

    const byOperation = new Map<string, Tally[]>();
    for (const bucket of live) {
      for (const [operation, tally] of bucket.operations) {
        const tallies = byOperation.get(operation);
        if (tallies) tallies.push(tally);
        else byOperation.set(operation, [tally]);
      }
    }
    const operations = [...byOperation]
      .map(([operation, tallies]) => ({ operation, ...summarize(tallies, coveredMs) }))
      .sort((a, b) => b.count - a.count || (a.operation < b.operation ? -1 : 1));

    const timeline: BucketStats[] = [];
    const firstIndex = Math.max(oldest, Math.floor(this.startedAt / this.bucketMs));
    for (let index = firstIndex; index <= current; index += 1) {
      const start = index * this.bucketMs;
      const durationMs = Math.max(0, Math.min(start + this.bucketMs, now) - Math.max(start, this.startedAt));
      const bucket = live.find((candidate) => candidate.index === index);
      timeline.push({ start, durationMs, ...summarize(bucket ? [bucket.all] : [], durationMs) });
    }

    return {
      at: now,
      windowMs: this.windowMs,
      bucketMs: this.bucketMs,
      coveredMs,
      total: summarize(
        live.map((bucket) => bucket.all),
        coveredMs,
      ),
      operations,
      timeline,
    };
  }
}

/** The statistics of some tallies (one operation's buckets, or one bucket) over `durationMs`. */
function summarize(tallies: Tally[], durationMs: number): LatencyStats {
  let count = 0;
  let errors = 0;
  let hits = 0;
  let misses = 0;
  let totalMs = 0;
  let maxMs = 0;
  const weighted: WeightedValue[] = [];
  for (const tally of tallies) {
    count += tally.count;
    errors += tally.errors;
    hits += tally.hits;
    misses += tally.misses;
    totalMs += tally.totalMs;
    if (tally.maxMs > maxMs) maxMs = tally.maxMs;
    const weight = tally.samples.length === 0 ? 0 : tally.count / tally.samples.length;
    for (const value of tally.samples) weighted.push({ value, weight });
  }
  const [p50Ms, p95Ms, p99Ms] = percentiles(weighted, [0.5, 0.95, 0.99]);
  return {
    count,
    errors,
    errorRate: count === 0 ? 0 : errors / count,
    requestsPerSecond: durationMs <= 0 ? 0 : count / (durationMs / 1000),
    avgMs: count === 0 ? null : totalMs / count,
    p50Ms: p50Ms ?? null,
    p95Ms: p95Ms ?? null,
    p99Ms: p99Ms ?? null,
    maxMs: count === 0 ? null : maxMs,
    cacheHits: hits,
    cacheMisses: misses,
    cacheHitRate: hits + misses === 0 ? null : hits / (hits + misses),
  };
}

export interface WeightedValue {
  value: number;
  /** How many observations this value stands for. */
  weight: number;
}

/**
 * Nearest-rank percentiles of weighted values: for each q in (0, 1], the smallest value v such that the values
 * <= v weigh at least q of the total. With unit weights this is the textbook nearest rank: the ceil(q * n)-th
 * smallest value (p95 of 1..100 is 95, p50 of 1..100 is 50, p99 of ten values is the largest). Sorts `values`.
 */
export function percentiles(values: WeightedValue[], quantiles: readonly number[]): Array<number | undefined> {
  if (values.length === 0) return quantiles.map(() => undefined);
  values.sort((a, b) => a.value - b.value);
  let total = 0;
  for (const { weight } of values) total += weight;
  return quantiles.map((q) => {
    // A relative tolerance so that 0.95 * 100 landing on 95.00000000000001 still picks the 95th value.
    const target = q * total * (1 - 1e-12);
    let cumulative = 0;
    for (const { value, weight } of values) {
      cumulative += weight;
      if (cumulative >= target) return value;
    }
    return values[values.length - 1]!.value;
  });
}
