// All SQL of the models domain. Reads are batch reads for the loaders (one statement for any number of keys);
// writes run in a transaction that locks the run before checking its state, so a failed check writes nothing and
// two concurrent transitions of one run cannot both succeed.
import { sql, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import { EVERY_TEAM, PUBLIC_ONLY, type Visibility } from '../auth/principal.js';
import { visibleDatasets } from '../auth/visible-datasets.js';
import type { FeatureImportanceRow, ModelRunRow, RunStatus, Tables, TaskType } from '../db/tables.js';
import type { MetricColumn } from './metrics.js';
import type { MetricColumns, RankedFeature } from './training-input.js';

/** One page of one dataset's runs: `limit` rows with ids below `afterId` (all when null), newest first. */
export interface DatasetRunsQuery {
  datasetId: number;
  status: RunStatus | null;
  afterId: number | null;
  limit: number;
}

export interface RunsQuery {
  /** Runs inherit the visibility of their dataset; default public only. */
  visibility?: Visibility;
  status: RunStatus | null;
  afterId: number | null;
  limit: number;
}

export interface RunCount {
  dataset_id: number;
  status: RunStatus;
  count: number;
}

export interface NewRun {
  datasetId: number;
  name: string;
  algorithm: string;
  taskType: TaskType;
  hyperparameters: Record<string, unknown>;
}

/** What a write found. Only `ok` changed anything. */
export type WriteOutcome =
  | { kind: 'ok'; run: ModelRunRow }
  | { kind: 'not_found' }
  | { kind: 'conflict'; status: RunStatus };

/** A run may be completed or failed only while it has not finished. */
const UNFINISHED: readonly RunStatus[] = ['PENDING', 'RUNNING'];
/** Bulk inserts stay well below PostgreSQL's 65,535 parameters per statement. */
const INSERT_CHUNK = 1_000;
/** Serial ids are int4; "below the largest id" means every id. */
const MAX_ID = 2_147_483_647;

export class ModelRunRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Rows in no particular order; missing ids, and runs of datasets the caller may not see, are simply absent. */
  findByIds(ids: readonly number[], visibility: Visibility = EVERY_TEAM): Promise<ModelRunRow[]> {
    return visibleRuns(this.db.selectFrom('model_runs'), visibility)
      .selectAll()
      .where('id', '=', (eb) => eb.fn.any(eb.val([...ids])))
      .execute();
  }

  /** The features of each run up to `maxRank`, by run then rank. */
  featureImportancesOf(runIds: readonly number[], maxRank: number): Promise<FeatureImportanceRow[]> {
    return this.db
      .selectFrom('feature_importances')
      .selectAll()
      .where('run_id', '=', (eb) => eb.fn.any(eb.val([...runIds])))
      .where('rank', '<=', maxRank)
      .orderBy('run_id')
      .orderBy('rank')
      .execute();
  }

  /**
   * Pages of many datasets' runs in ONE statement: each query becomes a row of an unnested key list, and a lateral
   * subquery takes that key's newest runs through the (dataset_id, id desc) index. Each row carries the position of
   * the query it answers (`query_index`), so queries with different statuses or cursors share the statement.
   */
  async pagesOfDatasets(queries: readonly DatasetRunsQuery[], visibility: Visibility = PUBLIC_ONLY): Promise<(ModelRunRow & { query_index: number })[]> {
    if (queries.length === 0) return [];
    // Resolvers reach these pages only through a visible dataset; the condition makes it so whatever the caller.
    const visible = visibility.all
      ? sql<boolean>`true`
      : sql<boolean>`exists (select 1 from datasets d where d.id = q.dataset_id and (d.team is null or d.team = any(${[...visibility.teams]}::text[])))`;
    const result = await sql<ModelRunRow & { query_index: number }>`
      select q.query_index, r.*
      from unnest(
        ${queries.map((_, index) => index)}::int[],
        ${queries.map((query) => query.datasetId)}::int[],
        ${queries.map((query) => query.status)}::text[],
        ${queries.map((query) => (query.afterId ?? MAX_ID + 1) - 1)}::int[],
        ${queries.map((query) => query.limit)}::int[]
      ) as q(query_index, dataset_id, status, max_id, row_limit)
      cross join lateral (
        select m.* from model_runs m
        where m.dataset_id = q.dataset_id
          and m.id <= q.max_id
          and (q.status is null or m.status = q.status)
          and ${visible}
        order by m.id desc
        limit q.row_limit
      ) r
      order by q.query_index, r.id desc
    `.execute(this.db);
    return result.rows;
  }

  /** One page of all runs, newest first. */
  page(query: RunsQuery): Promise<ModelRunRow[]> {
    let select = visibleRuns(this.db.selectFrom('model_runs'), query.visibility ?? PUBLIC_ONLY).selectAll();
    if (query.afterId !== null) select = select.where('id', '<', query.afterId);
    if (query.status !== null) select = select.where('status', '=', query.status);
    return select.orderBy('id', 'desc').limit(query.limit).execute();
  }

  /** Run counts of the given datasets by status (absent where zero): enough to answer any status filter. */
  countsOfDatasets(datasetIds: readonly number[], visibility: Visibility = PUBLIC_ONLY): Promise<RunCount[]> {
    return visibleRuns(this.db.selectFrom('model_runs'), visibility)
      .select(['dataset_id', 'status', (eb) => eb.fn.countAll<number>().as('count')])
      .where('dataset_id', '=', (eb) => eb.fn.any(eb.val([...datasetIds])))
      .groupBy(['dataset_id', 'status'])
      .execute();
  }

  /** Counts of all runs the caller may see, by status. */
  countsByStatus(visibility: Visibility = PUBLIC_ONLY): Promise<{ status: RunStatus; count: number }[]> {
    return visibleRuns(this.db.selectFrom('model_runs'), visibility)
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
  }

  /** The best `limit` completed runs of a dataset that have the metric, best first; ties by ascending id. */
  ranking(datasetId: number, column: MetricColumn, higherIsBetter: boolean, limit: number, visibility: Visibility = PUBLIC_ONLY): Promise<ModelRunRow[]> {
    return visibleRuns(this.db.selectFrom('model_runs'), visibility)
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .where('status', '=', 'COMPLETED')
      .where(column, 'is not', null)
      .orderBy(column, higherIsBetter ? 'desc' : 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
  }

  /** A new PENDING run; not_found when the dataset does not exist. */
  create(run: NewRun): Promise<{ kind: 'ok'; run: ModelRunRow } | { kind: 'not_found' }> {
    return this.db.transaction().execute(async (trx) => {
      // `for key share` keeps the dataset from being deleted until this run referencing it is committed.
      const dataset = await trx
        .selectFrom('datasets')
        .select('id')
        .where('id', '=', run.datasetId)
        .forKeyShare()
        .executeTakeFirst();
      if (!dataset) return { kind: 'not_found' as const };
      const created = await trx
        .insertInto('model_runs')
        .values({
          dataset_id: run.datasetId,
          name: run.name,
          algorithm: run.algorithm,
          task_type: run.taskType,
          status: 'PENDING',
          hyperparameters: JSON.stringify(run.hyperparameters),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { kind: 'ok' as const, run: created };
    });
  }

  /** PENDING/RUNNING -> COMPLETED with its metrics and ranked features, all or nothing. */
  complete(id: number, metrics: MetricColumns, features: readonly RankedFeature[]): Promise<WriteOutcome> {
    return this.transition(id, async (trx) => {
      const run = await trx
        .updateTable('model_runs')
        .set({
          ...metrics,
          status: 'COMPLETED',
          error: null,
          started_at: sql<Date>`coalesce(started_at, now())`,
          completed_at: sql<Date>`now()`,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      // An unfinished run has no features, but a retried job may have left some: the new list replaces them.
      await trx.deleteFrom('feature_importances').where('run_id', '=', id).execute();
      for (let start = 0; start < features.length; start += INSERT_CHUNK) {
        const chunk = features.slice(start, start + INSERT_CHUNK);
        await trx
          .insertInto('feature_importances')
          .values(chunk.map((f) => ({ run_id: id, rank: f.rank, feature: f.feature, importance: f.importance })))
          .execute();
      }
      return run;
    });
  }

  /** PENDING/RUNNING -> FAILED with the reason. */
  fail(id: number, error: string): Promise<WriteOutcome> {
    return this.transition(id, (trx) =>
      trx
        .updateTable('model_runs')
        .set({
          status: 'FAILED',
          error,
          completed_at: sql<Date>`now()`,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }

  /** Deletes a run in any state; its features go with it (on delete cascade). One statement, so atomic. */
  async delete(id: number): Promise<{ kind: 'ok'; run: Pick<ModelRunRow, 'id' | 'dataset_id'> } | { kind: 'not_found' }> {
    const run = await this.db.deleteFrom('model_runs').where('id', '=', id).returning(['id', 'dataset_id']).executeTakeFirst();
    return run ? { kind: 'ok', run } : { kind: 'not_found' };
  }

  /** Locks the run, checks that it is unfinished, then writes: the check and the write see the same state. */
  private transition(id: number, write: (trx: Transaction<Tables>) => Promise<ModelRunRow>): Promise<WriteOutcome> {
    return this.db.transaction().execute(async (trx): Promise<WriteOutcome> => {
      const current = await trx.selectFrom('model_runs').select('status').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!current) return { kind: 'not_found' };
      if (!UNFINISHED.includes(current.status)) return { kind: 'conflict', status: current.status };
      return { kind: 'ok', run: await write(trx) };
    });
  }
}

/**
 * Only the runs of datasets `visibility` allows (a run inherits its dataset's team). A subquery on the dataset ids,
 * so a caller of one visibility pays one more index probe per statement and no extra statement.
 */
function visibleRuns<O>(select: SelectQueryBuilder<Tables, 'model_runs', O>, visibility: Visibility): SelectQueryBuilder<Tables, 'model_runs', O> {
  if (visibility.all) return select;
  return select.where('model_runs.dataset_id', 'in', (eb) =>
    visibleDatasets(eb.selectFrom('datasets'), visibility).select('datasets.id'),
  );
}
