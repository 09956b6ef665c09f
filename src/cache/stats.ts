// Counters behind the cacheStats query. Everything is a plain number updated in place (no allocation per request);
// per-name maps are bounded, since operation names come from clients.
import type { TierName } from './store.js';

export interface TierCounters {
  hits: number;
  misses: number;
  staleServed: number;
  dedupes: number;
  sets: number;
  evictions: number;
  errors: number;
}

export interface NameCounters {
  hits: number;
  misses: number;
}

interface LatencyCounters {
  hits: number;
  hitMs: number;
  misses: number;
  missMs: number;
}

const MAX_NAMES = 500;
const OTHER = '(other)';

function tierCounters(): TierCounters {
  return { hits: 0, misses: 0, staleServed: 0, dedupes: 0, sets: 0, evictions: 0, errors: 0 };
}

class NameTable {
  readonly rows = new Map<string, NameCounters>();

  row(name: string): NameCounters {
    let row = this.rows.get(name);
    if (!row) {
      if (this.rows.size >= MAX_NAMES) name = OTHER;
      row = this.rows.get(name) ?? { hits: 0, misses: 0 };
      this.rows.set(name, row);
    }
    return row;
  }
}

export class CacheStats {
  readonly tiers: Record<TierName, TierCounters> = { L1: tierCounters(), L2: tierCounters() };
  readonly fields = new NameTable();
  readonly operations = new NameTable();
  /** Invalidation events by how many tags each named. */
  readonly invalidationsByTagCount = new Map<number, number>();
  invalidationEvents = 0;
  invalidatedTags = 0;
  bypasses = 0;
  /** Entries not stored because they were already invalid when their computation finished (the race, caught). */
  discardedStale = 0;
  backgroundRefreshes = 0;
  readonly responseLatency: LatencyCounters = { hits: 0, hitMs: 0, misses: 0, missMs: 0 };
  readonly fieldLatency: LatencyCounters = { hits: 0, hitMs: 0, misses: 0, missMs: 0 };

  hit(tier: TierName, kind: 'field' | 'operation', name: string, ms: number): void {
    this.tiers[tier].hits += 1;
    (kind === 'field' ? this.fields : this.operations).row(name).hits += 1;
    const latency = kind === 'field' ? this.fieldLatency : this.responseLatency;
    latency.hits += 1;
    latency.hitMs += ms;
  }

  miss(kind: 'field' | 'operation', name: string, ms: number): void {
    (kind === 'field' ? this.fields : this.operations).row(name).misses += 1;
    const latency = kind === 'field' ? this.fieldLatency : this.responseLatency;
    latency.misses += 1;
    latency.missMs += ms;
  }

  invalidation(tagCount: number): void {
    this.invalidationEvents += 1;
    this.invalidatedTags += tagCount;
    this.invalidationsByTagCount.set(tagCount, (this.invalidationsByTagCount.get(tagCount) ?? 0) + 1);
  }
}

export function averages(latency: LatencyCounters) {
  const hitAvgMs = latency.hits === 0 ? null : latency.hitMs / latency.hits;
  const missAvgMs = latency.misses === 0 ? null : latency.missMs / latency.misses;
  const savedMs = hitAvgMs === null || missAvgMs === null ? 0 : Math.max(0, missAvgMs - hitAvgMs) * latency.hits;
  return { hits: latency.hits, misses: latency.misses, hitAvgMs, missAvgMs, estimatedTimeSavedMs: savedMs };
}
