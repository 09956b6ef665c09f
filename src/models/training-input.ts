// Checks of what training jobs send, at the API edge and before any transaction opens: each names the argument
// and shows the bad value. Pure, so every rule is unit-tested without a database.
import type { TaskType } from '../db/tables.js';
import type { FeatureImportanceInput, ModelMetricsInput } from '../generated/graphql.js';
import { nonEmptyText } from '../common/args.js';
import { badInput, showValue } from '../common/errors.js';
import { METRICS, type MetricColumn } from './metrics.js';

export const MAX_NAME_LENGTH = 200;
export const MAX_ERROR_LENGTH = 2_000;
export const MAX_FEATURES = 1_000;
/** Hyperparameters are a small settings object, not a payload store. */
export const MAX_HYPERPARAMETERS_CHARS = 10_000;

/** nonEmptyText, and no NUL character: PostgreSQL text cannot hold one, so it would fail deep in the driver. */
export function storableText(value: string, argument: string, maxLength: number): string {
  const text = nonEmptyText(value, argument, maxLength);
  if (text.includes('\u0000')) throw badInput(`"${argument}" must not contain a NUL character`, argument);
  return text;
}

export function parseHyperparameters(value: unknown, argument = 'input.hyperparameters'): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badInput(`"${argument}" must be a JSON object, got ${showValue(value)}`, argument);
  }
  const text = JSON.stringify(value);
  if (text.length > MAX_HYPERPARAMETERS_CHARS) {
    throw badInput(`"${argument}" must be at most ${MAX_HYPERPARAMETERS_CHARS} characters of JSON, got ${text.length}`, argument);
  }
  if (text.includes('\\u0000')) throw badInput(`"${argument}" must not contain a NUL character`, argument);
  return value as Record<string, unknown>;
}

export type MetricColumns = Record<MetricColumn, number | null>;

/**
 * The metric columns to store for a run of `task`: every given metric must be finite, in its range and one that the
 * task type has (a regression has no accuracy); at least one must be given. Metrics not given are stored as null.
 */
export function parseMetrics(input: ModelMetricsInput, task: TaskType, argument = 'metrics'): MetricColumns {
  const columns = {} as MetricColumns;
  let given = 0;
  for (const spec of METRICS) {
    const value = input[spec.field];
    columns[spec.column] = null;
    if (value === null || value === undefined) continue;
    const name = `${argument}.${spec.field}`;
    if (spec.task !== task) {
      throw badInput(`"${name}" is a ${spec.task} metric; this run is ${task}`, name);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw badInput(`"${name}" must be a finite number, got ${showValue(value)}`, name);
    }
    if (spec.range === 'probability' && (value < 0 || value > 1)) {
      throw badInput(`"${name}" must be from 0 to 1, got ${value}`, name);
    }
    if (spec.range === 'nonNegative' && value < 0) {
      throw badInput(`"${name}" must be at least 0, got ${value}`, name);
    }
    if (spec.range === 'atMostOne' && value > 1) {
      throw badInput(`"${name}" must be at most 1, got ${value}`, name);
    }
    columns[spec.column] = value;
    given += 1;
  }
  if (given === 0) {
    const names = METRICS.filter((spec) => spec.task === task).map((spec) => spec.field).join(', ');
    throw badInput(`"${argument}" must give at least one ${task} metric (${names})`, argument);
  }
  return columns;
}

export interface RankedFeature {
  feature: string;
  importance: number;
  rank: number;
}

/**
 * 1-1000 features with unique names and finite, non-negative importances, ranked most important first (rank 1).
 * Equal importances are ordered by name so that the same list in any order gets the same ranks.
 */
export function parseFeatureImportances(input: readonly FeatureImportanceInput[], argument = 'featureImportance'): RankedFeature[] {
  if (input.length === 0 || input.length > MAX_FEATURES) {
    throw badInput(`"${argument}" must have 1 to ${MAX_FEATURES} entries, got ${input.length}`, argument);
  }
  const seen = new Set<string>();
  const features = input.map((entry, index) => {
    const feature = storableText(entry.feature, `${argument}[${index}].feature`, MAX_NAME_LENGTH);
    if (seen.has(feature)) {
      throw badInput(`"${argument}" names feature ${showValue(feature)} more than once`, argument);
    }
    seen.add(feature);
    const { importance } = entry;
    if (!Number.isFinite(importance) || importance < 0) {
      const name = `${argument}[${index}].importance`;
      throw badInput(`"${name}" must be a finite number of at least 0, got ${showValue(importance)}`, name);
    }
    return { feature, importance };
  });
  features.sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
  return features.map((entry, index) => ({ ...entry, rank: index + 1 }));
}
