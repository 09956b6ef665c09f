// Alert rules over the performance window: the cache hit rate below a floor, p95 latency above a ceiling, the error
// rate above a ceiling, each checked over all traffic and per operation. A rule needs a minimum number of samples
// before it may fire, so an idle server (or an operation asked twice) never raises an alarm on noise.
import type { LatencyStats, OperationStats } from './window.js';

export interface AlertThresholds {
  /** ALERT_HIT_RATE_BELOW: fires when the share of cacheable requests served from the cache is below this. */
  hitRateBelow: number;
  /** ALERT_P95_ABOVE_MS: fires when p95 latency is above this many milliseconds; 0 turns the rule off. */
  p95AboveMs: number;
  /** ALERT_ERROR_RATE_ABOVE: fires when the share of failed requests is above this. */
  errorRateAbove: number;
  /** ALERT_MIN_SAMPLES: requests (cacheable requests, for the hit rate) a scope needs before any rule may fire. */
  minSamples: number;
}

export type AlertRule = 'HIT_RATE_LOW' | 'P95_HIGH' | 'ERROR_RATE_HIGH';

export interface Alert {
  rule: AlertRule;
  /** null: all traffic. */
  operation: string | null;
  value: number;
  threshold: number;
  samples: number;
  message: string;
}

/** Per-operation alerts past this many are left out (the overall ones always show). */
const MAX_OPERATION_ALERTS = 50;

/** The alerts firing now: over all traffic first, then per operation (busiest first). */
export function firingAlerts(total: LatencyStats, operations: readonly OperationStats[], thresholds: AlertThresholds): Alert[] {
  const overall = check(total, null, thresholds);
  const perOperation = operations.flatMap((stats) => check(stats, stats.operation, thresholds));
  return [...overall, ...perOperation.slice(0, MAX_OPERATION_ALERTS)];
}

function check(stats: LatencyStats, operation: string | null, thresholds: AlertThresholds): Alert[] {
  const alerts: Alert[] = [];
  const scope = operation === null ? 'all operations' : operation;
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const cacheable = stats.cacheHits + stats.cacheMisses;
  if (stats.cacheHitRate !== null && cacheable >= thresholds.minSamples && stats.cacheHitRate < thresholds.hitRateBelow) {
    alerts.push({
      rule: 'HIT_RATE_LOW',
      operation,
      value: stats.cacheHitRate,
      threshold: thresholds.hitRateBelow,
      samples: cacheable,
      message: `cache hit rate of ${scope} is ${percent(stats.cacheHitRate)}, below ${percent(thresholds.hitRateBelow)}`,
    });
  }
  if (thresholds.p95AboveMs > 0 && stats.p95Ms !== null && stats.count >= thresholds.minSamples && stats.p95Ms > thresholds.p95AboveMs) {
    alerts.push({
      rule: 'P95_HIGH',
      operation,
      value: stats.p95Ms,
      threshold: thresholds.p95AboveMs,
      samples: stats.count,
      message: `p95 latency of ${scope} is ${Math.round(stats.p95Ms)} ms, above ${thresholds.p95AboveMs} ms`,
    });
  }
  if (stats.count >= thresholds.minSamples && stats.errorRate > thresholds.errorRateAbove) {
    alerts.push({
      rule: 'ERROR_RATE_HIGH',
      operation,
      value: stats.errorRate,
      threshold: thresholds.errorRateAbove,
      samples: stats.count,
      message: `error rate of ${scope} is ${percent(stats.errorRate)}, above ${percent(thresholds.errorRateAbove)}`,
    });
  }
  return alerts;
}
