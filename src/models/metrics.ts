// The one catalogue of model metrics: the GraphQL enum value, the column that stores it, the field of
// ModelMetrics, which direction is better, which task type has it and what values it may take. Comparison,
// ranking, validation, the resolvers and the seed all read it from here, so a metric is added in one place.
import type { ModelRunRow, TaskType } from '../db/tables.js';
import type { Metric } from '../generated/graphql.js';

export type MetricColumn = 'accuracy' | 'precision' | 'recall' | 'f1' | 'roc_auc' | 'log_loss' | 'rmse' | 'mae' | 'r2';
export type MetricField = 'accuracy' | 'precision' | 'recall' | 'f1' | 'rocAuc' | 'logLoss' | 'rmse' | 'mae' | 'r2';

/** What values a metric may take: a probability, any non-negative number, or at most 1 (r2 may be negative). */
export type MetricRange = 'probability' | 'nonNegative' | 'atMostOne';

export interface MetricSpec {
  metric: Metric;
  column: MetricColumn;
  field: MetricField;
  higherIsBetter: boolean;
  task: TaskType;
  range: MetricRange;
}

/** In the order of the GraphQL enum; comparisons list metrics in this order. */
export const METRICS: readonly MetricSpec[] = [
  { metric: 'ACCURACY', column: 'accuracy', field: 'accuracy', higherIsBetter: true, task: 'CLASSIFICATION', range: 'probability' },
  { metric: 'PRECISION', column: 'precision', field: 'precision', higherIsBetter: true, task: 'CLASSIFICATION', range: 'probability' },
  { metric: 'RECALL', column: 'recall', field: 'recall', higherIsBetter: true, task: 'CLASSIFICATION', range: 'probability' },
  { metric: 'F1', column: 'f1', field: 'f1', higherIsBetter: true, task: 'CLASSIFICATION', range: 'probability' },
  { metric: 'ROC_AUC', column: 'roc_auc', field: 'rocAuc', higherIsBetter: true, task: 'CLASSIFICATION', range: 'probability' },
  { metric: 'LOG_LOSS', column: 'log_loss', field: 'logLoss', higherIsBetter: false, task: 'CLASSIFICATION', range: 'nonNegative' },
  { metric: 'RMSE', column: 'rmse', field: 'rmse', higherIsBetter: false, task: 'REGRESSION', range: 'nonNegative' },
  { metric: 'MAE', column: 'mae', field: 'mae', higherIsBetter: false, task: 'REGRESSION', range: 'nonNegative' },
  { metric: 'R2', column: 'r2', field: 'r2', higherIsBetter: true, task: 'REGRESSION', range: 'atMostOne' },
];

const BY_METRIC = new Map(METRICS.map((spec) => [spec.metric, spec]));

export function metricSpec(metric: Metric): MetricSpec {
  const spec = BY_METRIC.get(metric);
  if (!spec) throw new Error(`unknown metric ${String(metric)}`);
  return spec;
}

/** A run's value of a metric; null where the run has none, or where its task type has no such metric. */
export function metricValue(run: Pick<ModelRunRow, MetricColumn | 'task_type'>, spec: MetricSpec): number | null {
  return spec.task === run.task_type ? run[spec.column] : null;
}

export type MetricValues = Record<MetricField, number | null>;

/** The ModelMetrics of a run, or null when it has no metric at all (it has not completed). */
export function metricsOf(run: Pick<ModelRunRow, MetricColumn | 'task_type'>): MetricValues | null {
  const values = {} as MetricValues;
  let any = false;
  for (const spec of METRICS) {
    const value = metricValue(run, spec);
    values[spec.field] = value;
    if (value !== null) any = true;
  }
  return any ? values : null;
}
