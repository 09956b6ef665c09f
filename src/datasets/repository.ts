// All SQL of the datasets domain. Reads are batch or page reads for the loaders; writes run in a transaction.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { ColumnSpec, DatasetRow, Tables } from '../db/tables.js';
import { EVERY_TEAM, PUBLIC_ONLY, type Visibility } from '../auth/principal.js';
import { visibleDatasets } from '../auth/visible-datasets.js';
import { conflict, showValue } from '../common/errors.js';
import { ORDERS, type DatasetOrder, type KeysetPosition } from './ordering.js';
import { assertKnownColumns, type DatasetChanges, type StoredRow } from './validation.js';

export interface DatasetFilter {
  /** Whose datasets may be listed: public ones plus the caller's team's (auth/principal.ts). Default: public only. */
  visibility?: Visibility;
  category?: string;
  /** Matched case-insensitively and literally (no wildcards) against name and description. */
  search?: string;
}

export interface DatasetPageQuery extends DatasetFilter {
  order: DatasetOrder;
  after?: KeysetPosition;
  /** Rows to return; callers ask for one more than they show to learn whether there is a next page. */
  limit: number;
}

/** A row of a page with its position under the page's ordering (what its cursor encodes). */
export interface PositionedDataset {
  row: DatasetRow;
  position: KeysetPosition;
}

export interface CategoryCount {
  name: string;
  datasetCount: number;
}

export interface StoredRowsOf {
  datasetId: number;
  data: Record<string, unknown>;
}

export class DatasetRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  /** One statement for any number of ids; rows in no particular order; a dataset the caller may not see is absent. */
  findByIds(ids: readonly number[], visibility: Visibility = EVERY_TEAM): Promise<DatasetRow[]> {
    return visibleDatasets(this.db.selectFrom('datasets'), visibility)
      .selectAll()
      .where('id', '=', (eb) => eb.fn.any(eb.val([...ids])))
      .execute();
  }

  /** The stored rows of many datasets in one statement, each dataset's rows in row_index order. */
  async rowsOf(datasetIds: readonly number[]): Promise<StoredRowsOf[]> {
    const rows = await this.db
      .selectFrom('dataset_rows')
      .select(['dataset_id', 'data'])
      .where('dataset_id', '=', (eb) => eb.fn.any(eb.val([...datasetIds])))
      .orderBy('dataset_id')
      .orderBy('row_index')
      .execute();
    return rows.map((row) => ({ datasetId: row.dataset_id, data: row.data }));
  }

  /** One keyset page: rows strictly after `after` in `order` (sort value, then id as the tiebreak). */
  async page(query: DatasetPageQuery): Promise<PositionedDataset[]> {
    const spec = ORDERS[query.order];
    const column = sql.ref(`datasets.${spec.column}`);
    // Timestamps leave as UTC text with microseconds: a JS Date would drop them, and the cursor would then land
    // between rows that share a millisecond.
    const sortValue =
      spec.value === 'timestamp'
        ? sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
        : sql<string | number>`${column}`;
    let select = this.filtered(query).selectAll('datasets').select(sortValue.as('sort_value'));
    if (query.after) {
      const value = spec.value === 'timestamp' ? sql`cast(${query.after.value} as timestamptz)` : sql`${query.after.value}`;
      // A row-value comparison matches the (column, id) indexes and is exactly "after this row" for ties.
      const comparison = spec.direction === 'asc' ? sql.raw('>') : sql.raw('<');
      select = select.where(sql<boolean>`(${column}, datasets.id) ${comparison} (${value}, ${query.after.id})`);
    }
    const rows = await select
      .orderBy(`datasets.${spec.column}`, spec.direction)
      .orderBy('datasets.id', spec.direction)
      .limit(query.limit)
      .execute();
    return rows.map(({ sort_value, ...row }) => ({ row, position: { value: sort_value, id: row.id } }));
  }

  /** How many datasets match the filter (what totalCount reports; cursors do not narrow it). */
  async count(filter: DatasetFilter): Promise<number> {
    const { count } = await this.filtered(filter)
      .select(sql<number>`count(*)::int`.as('count'))
      .executeTakeFirstOrThrow();
    return count;
  }

  /** The `limit` most recently updated datasets the caller may see. */
  topUpdated(limit: number, visibility: Visibility = PUBLIC_ONLY): Promise<DatasetRow[]> {
    return visibleDatasets(this.db.selectFrom('datasets'), visibility)
      .selectAll()
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** Every category in use among the datasets the caller may see, alphabetically, with how many it holds. */
  categories(visibility: Visibility = PUBLIC_ONLY): Promise<CategoryCount[]> {
    return visibleDatasets(this.db.selectFrom('datasets'), visibility)
      .select(['category as name', sql<number>`count(*)::int`.as('datasetCount')])
      .groupBy('category')
      .orderBy('category')
      .execute();
  }

  /**
   * Applies checked changes and bumps updated_at; null when the dataset does not exist. One statement, so there is
   * nothing to half-write; a name another dataset already has is a CONFLICT (the unique index decides, so two
   * concurrent renames to the same name cannot both succeed).
   */
  async update(id: number, changes: DatasetChanges): Promise<DatasetRow | null> {
    try {
      const row = await this.db
        .updateTable('datasets')
        .set({ ...changes, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ?? null;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict(`A dataset named ${showValue(changes.name)} already exists; dataset names are unique`);
      }
      throw error;
    }
  }

  /**
   * Appends rows after the last stored one, in one transaction: the dataset row is locked first so that two
   * concurrent appends cannot take the same row_index, and rows naming an unknown column abort it all (nothing is
   * written). Null when the dataset does not exist.
   */
  appendRows(id: number, rows: readonly StoredRow[]): Promise<DatasetRow | null> {
    return this.db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('datasets').select('columns').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!locked) return null;
      assertKnownColumns(rows, locked.columns as ColumnSpec[]);
      const { last } = await trx
        .selectFrom('dataset_rows')
        .select(sql<number>`coalesce(max(row_index), -1)`.as('last'))
        .where('dataset_id', '=', id)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('dataset_rows')
        .values(rows.map((data, i) => ({ dataset_id: id, row_index: last + 1 + i, data: JSON.stringify(data) })))
        .execute();
      return trx
        .updateTable('datasets')
        .set({ row_count: sql<number>`row_count + ${rows.length}`, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  private filtered(filter: DatasetFilter): SelectQueryBuilder<Tables, 'datasets', {}> {
    let select = visibleDatasets(this.db.selectFrom('datasets'), filter.visibility ?? PUBLIC_ONLY);
    if (filter.category !== undefined) select = select.where('category', '=', filter.category);
    if (filter.search !== undefined) {
      const pattern = `%${escapeLike(filter.search)}%`;
      select = select.where(
        sql<boolean>`(datasets.name ilike ${pattern} escape '\\' or datasets.description ilike ${pattern} escape '\\')`,
      );
    }
    return select;
  }
}

/** Makes `%`, `_` and `\` match themselves in a LIKE pattern whose escape character is `\`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

// Both pg and PGlite surface PostgreSQL's SQLSTATE as `code`.
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
