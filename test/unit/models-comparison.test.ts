import { describe, expect, it } from 'vitest';
import type { ComparableRun } from '../../src/models/comparison.js';
import { compareRuns } from '../../src/models/comparison.js';
import { competitionRanks, rankEntries } from '../../src/models/ranking.js';

const none = { accuracy: null, precision: null, recall: null, f1: null, roc_auc: null, log_loss: null, rmse: null, mae: null, r2: null };
const classifier = (id: number, values: Partial<ComparableRun>): ComparableRun => ({ ...none, id, task_type: 'CLASSIFICATION', ...values });
const regressor = (id: number, values: Partial<ComparableRun>): ComparableRun => ({ ...none, id, task_type: 'REGRESSION', ...values });

describe('competition ranks', () => {
  it('gives equal values the same rank and skips the places they share', () => {
    expect(competitionRanks([0.9, 0.8, 0.8, 0.7])).toEqual([1, 2, 2, 4]);
    expect(competitionRanks([5, 5, 5])).toEqual([1, 1, 1]);
    expect(competitionRanks([])).toEqual([]);
  });

  it('orders best first in either direction, ties by ascending id', () => {
    const entries = [{ id: 3, value: 0.2 }, { id: 1, value: 0.5 }, { id: 2, value: 0.2 }];
    expect(rankEntries(entries, true)).toEqual([
      { id: 1, value: 0.5, rank: 1 }, { id: 2, value: 0.2, rank: 2 }, { id: 3, value: 0.2, rank: 2 },
    ]);
    expect(rankEntries(entries, false)).toEqual([
      { id: 2, value: 0.2, rank: 1 }, { id: 3, value: 0.2, rank: 1 }, { id: 1, value: 0.5, rank: 3 },
    ]);
  });
});

describe('compareRuns', () => {
  const runs = [
    classifier(7, { accuracy: 0.9, f1: 0.8, log_loss: 0.3 }),
    classifier(2, { accuracy: 0.95, f1: 0.8, log_loss: 0.2 }),
    classifier(5, { accuracy: 0.85, f1: null, log_loss: 0.5 }),
  ];

  it('finds the best run per metric, higher better except for losses and errors', () => {
    const result = compareRuns(runs, ['ACCURACY', 'LOG_LOSS']);
    const [accuracy, logLoss] = result.metrics;
    expect(accuracy).toMatchObject({ metric: 'ACCURACY', higherIsBetter: true, bestRunId: 2, bestValue: 0.95 });
    expect(logLoss).toMatchObject({ metric: 'LOG_LOSS', higherIsBetter: false, bestRunId: 2, bestValue: 0.2 });
  });

  it('lists runs by ascending id with non-negative deltas to the best and ranks', () => {
    const [accuracy] = compareRuns(runs, ['ACCURACY']).metrics;
    expect(accuracy.values.map((v) => v.runId)).toEqual([2, 5, 7]);
    expect(accuracy.values.map((v) => v.rank)).toEqual([1, 3, 2]);
    expect(accuracy.values[0].deltaToBest).toBe(0);
    expect(accuracy.values[1].deltaToBest).toBeCloseTo(0.1, 12);
    expect(accuracy.values[2].deltaToBest).toBeCloseTo(0.05, 12);
    for (const value of accuracy.values) expect(value.deltaToBest).toBeGreaterThanOrEqual(0);
  });

  it('shares a rank between equal values and leaves a missing value unranked', () => {
    const [f1] = compareRuns(runs, ['F1']).metrics;
    expect(f1.values).toEqual([
      { runId: 2, value: 0.8, deltaToBest: 0, rank: 1 },
      { runId: 5, value: null, deltaToBest: null, rank: null },
      { runId: 7, value: 0.8, deltaToBest: 0, rank: 1 },
    ]);
    expect(f1.bestRunId).toBe(2);
  });

  it('gives the same answer whatever the order of runs and of requested metrics', () => {
    const forward = compareRuns(runs, ['LOG_LOSS', 'ACCURACY']);
    const backward = compareRuns([...runs].reverse(), ['ACCURACY', 'LOG_LOSS', 'ACCURACY']);
    expect(backward).toEqual(forward);
    expect(forward.metrics.map((m) => m.metric)).toEqual(['ACCURACY', 'LOG_LOSS']);
  });

  it('defaults to every metric that at least one compared run has, in enum order', () => {
    const mixed = compareRuns([classifier(1, { accuracy: 0.9 }), regressor(2, { rmse: 3, r2: 0.5 })]);
    expect(mixed.metrics.map((m) => m.metric)).toEqual(['ACCURACY', 'RMSE', 'R2']);
    expect(mixed.metrics[0].values).toEqual([
      { runId: 1, value: 0.9, deltaToBest: 0, rank: 1 },
      { runId: 2, value: null, deltaToBest: null, rank: null },
    ]);
  });

  it('reports no best run for a requested metric that no run has', () => {
    const [rmse] = compareRuns(runs, ['RMSE']).metrics;
    expect(rmse).toMatchObject({ bestRunId: null, bestValue: null, higherIsBetter: false });
    expect(rmse.values.every((v) => v.value === null && v.rank === null)).toBe(true);
  });

  it('ignores a stored value of a metric the run task type does not have', () => {
    const [r2] = compareRuns([classifier(1, { r2: 0.9 }), regressor(2, { r2: 0.5 })], ['R2']).metrics;
    expect(r2.bestRunId).toBe(2);
    expect(r2.values[0].value).toBeNull();
  });
});
