// Per-request DataLoaders: the one door to model-run data. Each batches every load of one tick into one SQL
// statement and records, at load time, the tags of what it loads (so the cache engine knows what a response or a
// cached field depended on).
import DataLoader from 'dataloader';
import { PUBLIC_ONLY, type Visibility } from '../auth/principal.js';
import { collectionTag, entityTag, trackedLoader, type DependencyRecorder } from '../cache/index.js';
import type { FeatureImportanceRow, ModelRunRow, RunStatus } from '../db/tables.js';
import type { Metric } from '../generated/graphql.js';
import { byKey, groupByKey } from '../common/batch.js';
import { metricSpec } from './metrics.js';
import type { ModelRunRepository } from './repository.js';

/** A page of runs: of one dataset, or of all runs when datasetId is null. `first` rows are returned plus one more
 * when there is a next page (the caller slices it off). */
export interface RunPageKey {
  datasetId: number | null;
  status: RunStatus | null;
  first: number;
  afterId: number | null;
}

/** How many runs a list has (of one dataset, or all when datasetId is null), optionally of one status. */
export interface RunCountKey {
  datasetId: number | null;
  status: RunStatus | null;
}

export interface FeatureImportanceKey {
  runId: number;
  topN: number;
}

export interface RankingKey {
  datasetId: number;
  metric: Metric;
  top: number;
}

/** The tag of the runs of one dataset, or of all runs: every write of a run invalidates both. */
export function runListTag(datasetId: number | null): string {
  return datasetId === null ? collectionTag('ModelRun') : collectionTag('ModelRun', { dataset: datasetId });
}

export function runTag(id: number): string {
  return entityTag('ModelRun', id);
}

// DataLoader caches by key identity; these turn equal keys (whatever their property order) into equal strings.
const pageKey = (k: RunPageKey) => `${k.datasetId}|${k.status}|${k.first}|${k.afterId}`;
const countKey = (k: RunCountKey) => `${k.datasetId}|${k.status}`;
const featureKey = (k: FeatureImportanceKey) => `${k.runId}|${k.topN}`;
const rankingKey = (k: RankingKey) => `${k.datasetId}|${k.metric}|${k.top}`;

/**
 * `visibility`: the caller's. A run of a dataset it may not see reads as missing by id and is absent from the global
 * list and counts; dataset-scoped reads (pages, counts, rankings of one dataset) are reached only through a dataset
 * the resolvers found visible.
 */
export function createModelLoaders(repo: ModelRunRepository, deps: DependencyRecorder, visibility: Visibility = PUBLIC_ONLY) {
  const byId = new DataLoader<number, ModelRunRow | null>(async (ids) =>
    byKey(ids, await repo.findByIds(ids, visibility), (row) => row.id),
  );
  // Rows read by a list are the same rows byId would read: priming spares a second query when a client selects
  // a listed run again (e.g. through a comparison) in the same request.
  const primeAll = (rows: readonly ModelRunRow[]) => {
    for (const row of rows) byId.prime(row.id, row);
  };

  const page = new DataLoader<RunPageKey, ModelRunRow[], string>(
    async (keys) => {
      const results: ModelRunRow[][] = keys.map(() => []);
      const scoped = keys.flatMap((key, index) => (key.datasetId === null ? [] : [{ datasetId: key.datasetId, key, index }]));
      const readScoped = async () => {
        // All dataset-scoped pages of a tick (e.g. Dataset.modelRuns under a list of datasets) share one statement.
        const rows = await repo.pagesOfDatasets(
          scoped.map(({ datasetId, key }) => ({ datasetId, status: key.status, afterId: key.afterId, limit: key.first + 1 })),
          visibility,
        );
        for (const { query_index: queryIndex, ...run } of rows) results[scoped[queryIndex].index].push(run);
      };
      // A global list appears once per request in practice (Query.modelRuns), so one statement per key is enough.
      const readGlobal = keys.map(async (key, index) => {
        if (key.datasetId !== null) return;
        results[index] = await repo.page({ visibility, status: key.status, afterId: key.afterId, limit: key.first + 1 });
      });
      await Promise.all([readScoped(), ...readGlobal]);
      for (const rows of results) primeAll(rows);
      return results;
    },
    { cacheKeyFn: pageKey },
  );

  const count = new DataLoader<RunCountKey, number, string>(
    async (keys) => {
      const datasetIds = [...new Set(keys.flatMap((key) => (key.datasetId === null ? [] : [key.datasetId])))];
      const [scoped, global] = await Promise.all([
        datasetIds.length > 0 ? repo.countsOfDatasets(datasetIds, visibility) : [],
        keys.some((key) => key.datasetId === null) ? repo.countsByStatus(visibility) : [],
      ]);
      return keys.map((key) => {
        const counts = key.datasetId === null ? global : scoped.filter((c) => c.dataset_id === key.datasetId);
        return counts.reduce((sum, c) => (key.status === null || c.status === key.status ? sum + c.count : sum), 0);
      });
    },
    { cacheKeyFn: countKey },
  );

  const featureImportance = new DataLoader<FeatureImportanceKey, FeatureImportanceRow[], string>(
    async (keys) => {
      // One statement for every run of the tick, up to the largest topN asked; each key keeps its own topN.
      const maxRank = Math.max(...keys.map((key) => key.topN));
      const runIds = [...new Set(keys.map((key) => key.runId))];
      const groups = groupByKey(runIds, await repo.featureImportancesOf(runIds, maxRank), (row) => row.run_id);
      const byRun = new Map(runIds.map((id, index) => [id, groups[index]]));
      return keys.map((key) => (byRun.get(key.runId) ?? []).slice(0, key.topN));
    },
    { cacheKeyFn: featureKey },
  );

  const ranking = new DataLoader<RankingKey, ModelRunRow[], string>(
    async (keys) => {
      // One ranking per request is the norm; several (aliases) run side by side.
      const results = await Promise.all(
        keys.map((key) => {
          const spec = metricSpec(key.metric);
          return repo.ranking(key.datasetId, spec.column, spec.higherIsBetter, key.top, visibility);
        }),
      );
      for (const rows of results) primeAll(rows);
      return results;
    },
    { cacheKeyFn: rankingKey },
  );

  return {
    /** A run by id; null when it does not exist. Tag: ModelRun:<id>. */
    byId: trackedLoader(byId, runTag, deps),
    /** A page of runs (first + 1 rows at most). Tag: the list's collection tag. */
    page: trackedLoader(page, (key) => runListTag(key.datasetId), deps),
    /** The size of a run list. Tag: the list's collection tag. */
    count: trackedLoader(count, (key) => runListTag(key.datasetId), deps),
    /** The topN most important features of a run, by rank. Tag: ModelRun:<id> (features change only with it). */
    featureImportance: trackedLoader(featureImportance, (key) => runTag(key.runId), deps),
    /** The top completed runs of a dataset by a metric, best first. Tag: the dataset's run list. */
    ranking: trackedLoader(ranking, (key) => runListTag(key.datasetId), deps),
    /** Forgets everything this request read: called after a write, so the rest of the request sees the new state. */
    clearAll(): void {
      for (const loader of [byId, page, count, featureImportance, ranking] as DataLoader<never, unknown, unknown>[]) {
        loader.clearAll();
      }
    },
  };
}

export type ModelLoaders = ReturnType<typeof createModelLoaders>;
