// What a run measures, and the small statistics the report uses.
import type { ScenarioId } from './plan.js';

export type VariantId =
  | 'bound'
  | 'usual'
  | 'beacon'
  | 'beacon-key'
  | 'beacon-nocache'
  | 'beacon-l2only'
  | 'beacon-l2cluster'
  | 'beacon-eventual';

export const VARIANT_LABELS: Record<VariantId, string> = {
  bound: 'bound: node:http + stored bytes',
  usual: 'usual: Apollo + response-cache + Keyv/Redis',
  beacon: 'Beacon',
  'beacon-key': 'Beacon, an API key on every request',
  'beacon-nocache': 'Beacon, cache disabled',
  'beacon-l2only': 'Beacon, L1 disabled (hits from Redis)',
  'beacon-l2cluster': 'Beacon, L1 disabled (hits from a 3-master Redis Cluster)',
  'beacon-eventual': 'Beacon, read-after-write off (invalidation messages alone)',
};

/** Cache counters observed on the server during one measured run (Beacon variants: cacheStats before and after). */
export interface Observed {
  hits: number;
  misses: number;
  l1Hits: number;
  l2Hits: number;
  bypasses: number;
  byOperation: Record<string, { hits: number; misses: number }>;
}

export interface Measurement {
  variant: VariantId;
  round: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  /** Socket errors and timeouts reported by wrk (non-2xx answers fail the run instead). */
  errors: number;
  observed?: Observed;
}

export interface ThroughputResult {
  kind: 'throughput';
  id: ScenarioId;
  title: string;
  description: string;
  connections: number;
  variants: VariantId[];
  measurements: Measurement[];
  notes: string[];
}

export interface LatencyRow {
  variant: VariantId;
  /** Per round: median wall time of the cold requests, ms. */
  coldMs: number[];
  /** Per round: single-connection run over cached requests. */
  cachedP50Ms: number[];
  cachedP99Ms: number[];
  cachedRps: number[];
  cpuMsPerCachedRequest: number[];
}

export interface LatencyResult {
  kind: 'latency';
  id: ScenarioId;
  title: string;
  description: string;
  rows: LatencyRow[];
  notes: string[];
}

export type ScenarioResult = ThroughputResult | LatencyResult;

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

export function median(values: readonly number[]): number {
  return spread(values).median;
}

/** Per round, variant's req/s over the other's (same round, measured minutes apart at most); the median of those. */
export function roundRatios(result: ThroughputResult, variant: VariantId, reference: VariantId): number[] {
  const ratios: number[] = [];
  const rounds = new Set(result.measurements.map((m) => m.round));
  for (const round of rounds) {
    const a = result.measurements.find((m) => m.round === round && m.variant === variant);
    const b = result.measurements.find((m) => m.round === round && m.variant === reference);
    if (a && b && b.rps > 0) ratios.push(a.rps / b.rps);
  }
  return ratios;
}

export function measurementsOf(result: ThroughputResult, variant: VariantId): Measurement[] {
  return result.measurements.filter((m) => m.variant === variant);
}

export function hitRate(counts: { hits: number; misses: number } | undefined): number | undefined {
  if (!counts || counts.hits + counts.misses === 0) return undefined;
  return counts.hits / (counts.hits + counts.misses);
}
