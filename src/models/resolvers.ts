// GraphQL resolvers of model runs. Reads go through ctx.loaders only; writes through ctx.repos.models, followed
// (after commit) by ctx.invalidate with every tag the write changed. Expensive fields (comparison, ranking,
// feature importance) are computed inside ctx.fieldCache with normalized arguments, and their computed values are
// plain JSON holding run ids: the rows are loaded afterwards, so a cached value never carries a stale row.
import type { DatasetRow, ModelRunRow, RunStatus } from '../db/tables.js';
import type { Metric, ModelRunStatus, Resolvers, ResolversTypes } from '../generated/graphql.js';
import { boundedInt, MAX_LIST_IDS, pageSize, parseId, parseIds } from '../common/args.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import { connectionResolvers, toPage, type Page } from '../common/pagination.js';
import { compareRuns, type ComparisonResult } from './comparison.js';
import type { ModelsContext } from './context.js';
import { runListTag, runTag } from './loaders.js';
import { METRICS, metricsOf, metricSpec } from './metrics.js';
import { rankEntries } from './ranking.js';
import type { WriteOutcome } from './repository.js';
import { parseRunCursor, runCursor } from './run-cursor.js';
import {
  MAX_ERROR_LENGTH,
  MAX_NAME_LENGTH,
  parseFeatureImportances,
  parseHyperparameters,
  parseMetrics,
  storableText,
} from './training-input.js';

const MAX_TOP = 100;

/** A page of runs, of one dataset or of all; its totalCount is counted only when a client selects it. */
async function runPage(
  ctx: ModelsContext,
  datasetId: number | null,
  args: { first?: number | null; after?: string | null; status?: ModelRunStatus | null },
): Promise<Page<ModelRunRow>> {
  const first = pageSize(args.first);
  const afterId = parseRunCursor(args.after);
  const status: RunStatus | null = args.status ?? null;
  // Recorded even when the page is empty, so that a run created later invalidates it.
  ctx.deps.add(runListTag(datasetId));
  const rows = await ctx.loaders.models.page.load({ datasetId, status, first, afterId });
  return toPage(rows, first, runCursor, () => ctx.loaders.models.count.load({ datasetId, status }));
}

async function requireRuns(ctx: ModelsContext, ids: readonly number[]): Promise<ModelRunRow[]> {
  const runs = await Promise.all(ids.map((id) => ctx.loaders.models.byId.load(id)));
  return runs.map((run, index) => {
    if (!run) throw notFound('ModelRun', ids[index]);
    return run;
  });
}

async function requireDataset(ctx: ModelsContext, id: number): Promise<DatasetRow> {
  const dataset = await ctx.loaders.datasets.byId.load(id);
  if (!dataset) throw notFound('Dataset', id);
  return dataset;
}

/** 2-100 distinct run ids, ascending: the order a client lists them in never changes the answer (or its cache key). */
function comparedIds(ids: readonly string[]): number[] {
  const unique = [...new Set(parseIds(ids, 'ids'))].sort((a, b) => a - b);
  if (unique.length < 2) {
    throw badInput(`"ids" must name 2 to ${MAX_LIST_IDS} distinct runs, got ${unique.length}`, 'ids');
  }
  return unique;
}

/** The requested metrics in the enum's order, or null for "every metric a compared run has". */
function comparedMetrics(metrics: readonly Metric[] | null | undefined): Metric[] | null {
  if (metrics === null || metrics === undefined) return null;
  if (metrics.length === 0) throw badInput('"metrics" must name at least one metric, or be left out for all', 'metrics');
  const wanted = new Set(metrics);
  return METRICS.filter((spec) => wanted.has(spec.metric)).map((spec) => spec.metric);
}

/** Turns a (possibly cached) comparison of ids into the GraphQL shape with the runs loaded now. */
async function hydrateComparison(ctx: ModelsContext, result: ComparisonResult): Promise<ResolversTypes['ModelComparison']> {
  const runs = await requireRuns(ctx, result.runIds);
  const byId = new Map(runs.map((run) => [run.id, run]));
  const runOf = (id: number) => byId.get(id) as ModelRunRow;
  return {
    runs,
    metrics: result.metrics.map((m) => ({
      metric: m.metric,
      higherIsBetter: m.higherIsBetter,
      bestValue: m.bestValue,
      bestRun: m.bestRunId === null ? null : runOf(m.bestRunId),
      values: m.values.map((v) => ({ run: runOf(v.runId), value: v.value, deltaToBest: v.deltaToBest, rank: v.rank })),
    })),
  };
}

const transitionVerb = { complete: 'completed', fail: 'failed' } as const;

/** The run of a successful write, or the error a client sees for a missing run or a forbidden transition. */
function written(outcome: WriteOutcome, id: number, action: keyof typeof transitionVerb): ModelRunRow {
  if (outcome.kind === 'not_found') throw notFound('ModelRun', id);
  if (outcome.kind === 'conflict') {
    throw conflict(
      `ModelRun "${id}" is ${outcome.status}: only a PENDING or RUNNING run can be ${transitionVerb[action]}`,
    );
  }
  return outcome.run;
}

/** After a commit: this request's loaders forget what they read, and every cache forgets what the write changed. */
async function afterWrite(ctx: ModelsContext, run: Pick<ModelRunRow, 'id' | 'dataset_id'>): Promise<void> {
  ctx.loaders.models.clearAll();
  await ctx.invalidate([runTag(run.id), runListTag(run.dataset_id), runListTag(null)]);
}

export const modelResolvers: Resolvers<ModelsContext> = {
  Query: {
    modelRun: (_, { id }, ctx) => ctx.loaders.models.byId.load(parseId(id, 'id')),

    modelRuns: (_, args, ctx) =>
      runPage(ctx, args.datasetId === null || args.datasetId === undefined ? null : parseId(args.datasetId, 'datasetId'), args),

    compareModels: async (_, args, ctx) => {
      const ids = comparedIds(args.ids);
      const metrics = comparedMetrics(args.metrics);
      const result = await ctx.fieldCache.resolve('compareModels', { ids, metrics }, async () =>
        compareRuns(await requireRuns(ctx, ids), metrics),
      );
      return hydrateComparison(ctx, result);
    },

    modelRanking: async (_, args, ctx) => {
      const datasetId = parseId(args.datasetId, 'datasetId');
      const top = boundedInt(args.top, 'top', 1, MAX_TOP, 10);
      const spec = metricSpec(args.metric);
      const dataset = await requireDataset(ctx, datasetId);
      // Recorded outside the field cache too: a cached ranking still depends on the dataset's run list.
      ctx.deps.add(runListTag(datasetId));
      const entries = await ctx.fieldCache.resolve('modelRanking', { datasetId, metric: spec.metric, top }, async () => {
        const runs = await ctx.loaders.models.ranking.load({ datasetId, metric: spec.metric, top });
        const values = runs.map((run) => ({ id: run.id, value: run[spec.column] as number }));
        return rankEntries(values, spec.higherIsBetter);
      });
      const runs = await requireRuns(ctx, entries.map((entry) => entry.id));
      return {
        dataset,
        metric: spec.metric,
        higherIsBetter: spec.higherIsBetter,
        entries: entries.map((entry, index) => ({ rank: entry.rank, value: entry.value, run: runs[index] })),
      };
    },
  },

  Dataset: {
    modelRuns: (dataset, args, ctx) => runPage(ctx, dataset.id, args),
  },

  ModelRun: {
    taskType: (run) => run.task_type,
    dataset: async (run, _, ctx) => {
      const dataset = await ctx.loaders.datasets.byId.load(run.dataset_id);
      // The foreign key makes this impossible; if it happens, it is our bug, reported as an internal error.
      if (!dataset) throw new Error(`model run ${run.id} references missing dataset ${run.dataset_id}`);
      return dataset;
    },
    metrics: (run) => metricsOf(run),
    featureImportance: (run, args, ctx) => {
      const topN = boundedInt(args.topN, 'topN', 1, MAX_TOP, 10);
      return ctx.fieldCache.resolve('ModelRun.featureImportance', { id: run.id, topN }, async () => {
        const rows = await ctx.loaders.models.featureImportance.load({ runId: run.id, topN });
        return rows.map(({ feature, importance, rank }) => ({ feature, importance, rank }));
      });
    },
    createdAt: (run) => run.created_at,
    startedAt: (run) => run.started_at,
    completedAt: (run) => run.completed_at,
    updatedAt: (run) => run.updated_at,
  },

  ModelRunConnection: connectionResolvers<ModelRunRow>(),

  Mutation: {
    startTraining: async (_, { input }, ctx) => {
      const datasetId = parseId(input.datasetId, 'input.datasetId');
      // A dataset the caller may not see is one that does not exist (the same NOT_FOUND, nothing written).
      if (!ctx.visibility.all) await requireDataset(ctx, datasetId);
      const outcome = await ctx.repos.models.create({
        datasetId,
        name: storableText(input.name, 'input.name', MAX_NAME_LENGTH),
        algorithm: storableText(input.algorithm, 'input.algorithm', MAX_NAME_LENGTH),
        taskType: input.taskType,
        hyperparameters: parseHyperparameters(input.hyperparameters),
      });
      if (outcome.kind === 'not_found') throw notFound('Dataset', datasetId);
      // The new id's tag too: a cached "no such run" answer for it must not outlive the run's creation.
      await afterWrite(ctx, outcome.run);
      return outcome.run;
    },

    completeTraining: async (_, args, ctx) => {
      const id = parseId(args.id, 'id');
      // The task type decides which metrics are valid; it never changes, so reading it before the transaction is safe.
      const [run] = await requireRuns(ctx, [id]);
      const metrics = parseMetrics(args.metrics, run.task_type);
      const features = parseFeatureImportances(args.featureImportance);
      const completed = written(await ctx.repos.models.complete(id, metrics, features), id, 'complete');
      await afterWrite(ctx, completed);
      return completed;
    },

    failTraining: async (_, args, ctx) => {
      const id = parseId(args.id, 'id');
      const error = storableText(args.error, 'error', MAX_ERROR_LENGTH);
      if (!ctx.visibility.all) await requireRuns(ctx, [id]);
      const failed = written(await ctx.repos.models.fail(id, error), id, 'fail');
      await afterWrite(ctx, failed);
      return failed;
    },

    deleteModelRun: async (_, args, ctx) => {
      const id = parseId(args.id, 'id');
      if (!ctx.visibility.all) await requireRuns(ctx, [id]);
      const outcome = await ctx.repos.models.delete(id);
      if (outcome.kind === 'not_found') throw notFound('ModelRun', id);
      await afterWrite(ctx, outcome.run);
      return { id: String(id), deleted: true };
    },
  },
};
