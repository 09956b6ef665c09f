import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { parseFeatureImportances, parseHyperparameters, parseMetrics, storableText } from '../../src/models/training-input.js';
import { metricsOf } from '../../src/models/metrics.js';
import { parseRunCursor, runCursor } from '../../src/models/run-cursor.js';
import { encodeCursor } from '../../src/common/pagination.js';

function badInputOf(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    return error as GraphQLError;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('parseMetrics', () => {
  it('stores the given metrics of the task and null for the rest', () => {
    expect(parseMetrics({ accuracy: 0.9, logLoss: 0.3 }, 'CLASSIFICATION')).toEqual({
      accuracy: 0.9, precision: null, recall: null, f1: null, roc_auc: null, log_loss: 0.3, rmse: null, mae: null, r2: null,
    });
    expect(parseMetrics({ r2: -0.4, rmse: 0 }, 'REGRESSION')).toMatchObject({ r2: -0.4, rmse: 0, accuracy: null });
  });

  it('refuses probabilities outside 0-1, negative errors and r2 above 1, naming the metric', () => {
    expect(badInputOf(() => parseMetrics({ accuracy: 1.2 }, 'CLASSIFICATION')).message).toContain('metrics.accuracy');
    expect(badInputOf(() => parseMetrics({ rocAuc: -0.1 }, 'CLASSIFICATION')).message).toContain('from 0 to 1');
    expect(badInputOf(() => parseMetrics({ logLoss: -1 }, 'CLASSIFICATION')).message).toContain('at least 0');
    expect(badInputOf(() => parseMetrics({ r2: 1.5 }, 'REGRESSION')).message).toContain('at most 1');
    expect(badInputOf(() => parseMetrics({ mae: Number.POSITIVE_INFINITY }, 'REGRESSION')).message).toContain('finite');
  });

  it('refuses a metric of the other task type and an empty set', () => {
    expect(badInputOf(() => parseMetrics({ rmse: 2 }, 'CLASSIFICATION')).message).toContain('REGRESSION metric');
    expect(badInputOf(() => parseMetrics({}, 'REGRESSION')).message).toContain('at least one REGRESSION metric');
  });
});

describe('parseFeatureImportances', () => {
  it('ranks by importance, most important first, equal importances by name', () => {
    expect(
      parseFeatureImportances([
        { feature: 'b', importance: 0.2 },
        { feature: 'a', importance: 0.2 },
        { feature: 'c', importance: 0.6 },
      ]),
    ).toEqual([
      { feature: 'c', importance: 0.6, rank: 1 },
      { feature: 'a', importance: 0.2, rank: 2 },
      { feature: 'b', importance: 0.2, rank: 3 },
    ]);
  });

  it('refuses an empty list, more than 1000 entries, repeated names and negative importances', () => {
    expect(badInputOf(() => parseFeatureImportances([])).message).toContain('1 to 1000');
    const many = Array.from({ length: 1001 }, (_, k) => ({ feature: `f${k}`, importance: 1 }));
    expect(badInputOf(() => parseFeatureImportances(many)).message).toContain('got 1001');
    const repeated = [{ feature: 'x', importance: 1 }, { feature: ' x ', importance: 2 }];
    expect(badInputOf(() => parseFeatureImportances(repeated)).message).toContain('"x" more than once');
    expect(badInputOf(() => parseFeatureImportances([{ feature: 'x', importance: -0.1 }])).message).toContain('importance');
    expect(badInputOf(() => parseFeatureImportances([{ feature: '', importance: 1 }])).message).toContain('feature');
  });
});

describe('text and hyperparameters', () => {
  it('accepts a JSON object and treats absence as empty', () => {
    expect(parseHyperparameters({ depth: 3 })).toEqual({ depth: 3 });
    expect(parseHyperparameters(null)).toEqual({});
  });

  it('refuses arrays, scalars and huge objects as hyperparameters', () => {
    badInputOf(() => parseHyperparameters([1, 2]));
    badInputOf(() => parseHyperparameters('depth=3'));
    badInputOf(() => parseHyperparameters({ blob: 'x'.repeat(20_000) }));
  });

  it('refuses blank, too long and NUL-containing text', () => {
    expect(storableText('  name ', 'name', 10)).toBe('name');
    badInputOf(() => storableText('   ', 'name', 10));
    badInputOf(() => storableText('x'.repeat(11), 'name', 10));
    badInputOf(() => storableText('a\u0000b', 'name', 10));
  });
});

describe('metricsOf', () => {
  const none = { accuracy: null, precision: null, recall: null, f1: null, roc_auc: null, log_loss: null, rmse: null, mae: null, r2: null };

  it('is null for a run without metrics and nulls the metrics its task has none of', () => {
    expect(metricsOf({ ...none, task_type: 'CLASSIFICATION' })).toBeNull();
    expect(metricsOf({ ...none, task_type: 'REGRESSION', rmse: 2, accuracy: 0.5 })).toMatchObject({ rmse: 2, accuracy: null });
  });
});

describe('run cursors', () => {
  it('round-trips the id and refuses cursors of other orderings and garbage', () => {
    expect(parseRunCursor(runCursor({ id: 42 }))).toBe(42);
    expect(parseRunCursor(null)).toBeNull();
    badInputOf(() => parseRunCursor(encodeCursor(['Some name', 42])));
    badInputOf(() => parseRunCursor(encodeCursor([42])));
    badInputOf(() => parseRunCursor('not-a-cursor'));
    badInputOf(() => parseRunCursor(encodeCursor(['ModelRun.id desc', -1])));
  });
});
