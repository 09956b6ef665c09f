// compareModels arithmetic. Pure, and its result holds run ids rather than rows: it is plain JSON, so the field
// cache can keep it anywhere, and the runs are loaded (and their tags recorded) when a client selects them.
import type { ModelRunRow } from '../db/tables.js';
import type { Metric } from '../generated/graphql.js';
import { METRICS, metricSpec, metricValue, type MetricColumn } from './metrics.js';
import { rankEntries } from './ranking.js';

export type ComparableRun = Pick<ModelRunRow, 'id' | 'task_type' | MetricColumn>;

export interface ComparedValue {
  runId: number;
  value: number | null;
  /** |value - best|: how far from the best, whichever direction is better. */
  deltaToBest: number | null;
  rank: number | null;
}

export interface MetricComparisonResult {
  metric: Metric;
  higherIsBetter: boolean;
  bestRunId: number | null;
  bestValue: number | null;
  /** One per compared run, by ascending run id. */
  values: ComparedValue[];
}

export interface ComparisonResult {
  /** Ascending. */
  runIds: number[];
  metrics: MetricComparisonResult[];
}

/**
 * Compares runs on `metrics` (default: every metric at least one of them has). The runs are ordered by id and the
 * metrics by the enum's order first, so the same runs and metrics in any order give the same answer.
 */
export function compareRuns(runs: readonly ComparableRun[], metrics?: readonly Metric[] | null): ComparisonResult {
  const ordered = [...runs].sort((a, b) => a.id - b.id);
  const wanted = metrics ? new Set(metrics) : null;
  const specs = METRICS.filter((spec) =>
    wanted ? wanted.has(spec.metric) : ordered.some((run) => metricValue(run, spec) !== null),
  );
  return {
    runIds: ordered.map((run) => run.id),
    metrics: specs.map((spec) => compareOn(ordered, spec.metric)),
  };
}

function compareOn(runs: readonly ComparableRun[], metric: Metric): MetricComparisonResult {
  const spec = metricSpec(metric);
  const present = runs.flatMap((run) => {
    const value = metricValue(run, spec);
    return value === null ? [] : [{ id: run.id, value }];
  });
  const rankedList = rankEntries(present, spec.higherIsBetter);
  const ranked = new Map(rankedList.map((entry) => [entry.id, entry]));
  const best = rankedList[0] ?? null;
  return {
    metric,
    higherIsBetter: spec.higherIsBetter,
    bestRunId: best?.id ?? null,
    bestValue: best?.value ?? null,
    values: runs.map((run) => {
      const entry = ranked.get(run.id);
      if (!entry || !best) return { runId: run.id, value: null, deltaToBest: null, rank: null };
      return { runId: run.id, value: entry.value, deltaToBest: Math.abs(entry.value - best.value), rank: entry.rank };
    }),
  };
}
