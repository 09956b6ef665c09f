// What a run measures, and the small statistics the report uses.
import type { ScenarioId } from './plan.js';

export type VariantId =
  | 'bound'
  | PeerId
  | 'beacon'
  | 'beacon-key'
  | 'beacon-nocache'
  | 'beacon-nocache-key'
  | 'beacon-l2only-key'
  | 'beacon-l2cluster-key'
  | 'beacon-eventual';

/**
 * The peers a user would pick instead of Beacon, each on Beacon's schema, resolvers and data (bench/servers/peer.ts).
 * `usual` is Apollo's response cache over Keyv/Redis, the first peer the bench had (its id kept for older results).
 */
export const PEERS = ['usual', 'apollo-memory', 'mercurius', 'yoga', 'yoga-redis'] as const;
export type PeerId = (typeof PEERS)[number];
export const isPeer = (variant: string): variant is PeerId => (PEERS as readonly string[]).includes(variant);

/**
 * A `-key` variant is the process of the variant without the suffix, every request of it carrying
 * `Authorization: Bearer <writer key>` (the key check, and the key team's own entries).
 */
export const isKeyed = (variant: VariantId) => variant.endsWith('-key');

export const VARIANT_LABELS: Record<VariantId, string> = {
  bound: 'bound: node:http + stored bytes',
  usual: 'Apollo + response cache (Keyv/Redis)',
  'apollo-memory': 'Apollo + response cache (in memory)',
  mercurius: 'mercurius + mercurius-cache (in memory)',
  yoga: 'Yoga + response cache (in memory)',
  'yoga-redis': 'Yoga + response cache (Redis)',
  beacon: 'Beacon, anonymous',
  'beacon-key': 'Beacon, an API key on every request',
  'beacon-nocache': 'Beacon, cache disabled',
  'beacon-nocache-key': 'Beacon, cache disabled, an API key on every request',
  'beacon-l2only-key': 'Beacon, L1 disabled (hits from Redis), an API key on every request',
  'beacon-l2cluster-key': 'Beacon, L1 disabled (hits from a 3-master Redis Cluster), an API key on every request',
  'beacon-eventual': 'Beacon, anonymous, read-after-write off (invalidation messages alone)',
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
  /** Peers: calls of the resolvers that reach the database during the run (bench/servers/peer.ts); 0 = all hits. */
  resolverRuns?: number;
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
  /** CPU per request of two variants loaded at the same time (scenario c), one entry per round. */
  paired?: PairedRun[];
}

/** One round of two variants under load at once, sharing the server core: the machine's drift hits both alike. */
export interface PairedRun {
  round: number;
  /** Variant -> requests answered and server CPU ms per request in that same window. */
  rows: Array<{ variant: VariantId; requests: number; cpuMsPerRequest: number }>;
}

/** Per paired round: reference CPU per request ÷ variant CPU per request (above 1: the variant costs less). */
export function pairedCpuRatios(result: ThroughputResult, variant: VariantId, reference: VariantId): number[] {
  const ratios: number[] = [];
  for (const run of result.paired ?? []) {
    const a = run.rows.find((row) => row.variant === variant);
    const b = run.rows.find((row) => row.variant === reference);
    if (a && b && a.cpuMsPerRequest > 0) ratios.push(b.cpuMsPerRequest / a.cpuMsPerRequest);
  }
  return ratios;
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

/**
 * Per round, variant's req/s over the fastest peer's in that round (the best peer can change from round to round).
 * Empty when the result has no peer.
 */
export function bestPeerRatios(result: ThroughputResult, variant: VariantId): number[] {
  const ratios: number[] = [];
  const rounds = new Set(result.measurements.map((m) => m.round));
  for (const round of rounds) {
    const a = result.measurements.find((m) => m.round === round && m.variant === variant);
    const best = Math.max(0, ...result.measurements.filter((m) => m.round === round && isPeer(m.variant)).map((m) => m.rps));
    if (a && best > 0) ratios.push(a.rps / best);
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
