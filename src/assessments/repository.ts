// All SQL of the assessments domain. Reads are batch reads for the loaders; writes run in a transaction.
import { sql, type Kysely } from 'kysely';
import type { IoModelRow, Tables } from '../db/tables.js';

/** A model's row together with all of its stored (non-zero) coefficients, read in one consistent statement. */
export interface StoredTable {
  model: IoModelRow;
  rowIdx: number[];
  colIdx: number[];
  values: number[];
}

/** One coefficient to set, by index; value 0 removes it (the table is sparse). */
export interface IndexedChange {
  row: number;
  col: number;
  value: number;
}

/** Thrown inside the write transaction (which it rolls back) when a column would no longer sum below 1. */
export class NonProductiveColumnError extends Error {
  override name = 'NonProductiveColumnError';
  constructor(
    readonly col: number,
    readonly sum: number,
  ) {
    super(`column ${col} would sum to ${sum}`);
  }
}

export interface ImportedModel {
  name: string;
  /** Replaces the description when given; a replaced model keeps its description otherwise. */
  description: string | undefined;
  /** The description of a new model when none is given. */
  descriptionIfNew: string;
  countries: string[];
  sectorCodes: string[];
  sectorNames: string[];
  rowIdx: ArrayLike<number>;
  colIdx: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Rows per insert statement. */
const INSERT_CHUNK = 4_000;

export class IoModelRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  /** One statement for any number of names; rows in no particular order. */
  findByNames(names: readonly string[]): Promise<IoModelRow[]> {
    return this.db
      .selectFrom('io_models')
      .selectAll()
      .where('name', '=', (eb) => eb.fn.any(eb.val([...names])))
      .execute();
  }

  listModels(): Promise<IoModelRow[]> {
    return this.db.selectFrom('io_models').selectAll().orderBy('name').execute();
  }

  /**
   * The models with these names and all their coefficients: one statement, one row per model, the coefficients as
   * three aggregated arrays. Reading the model row and its coefficients in the same statement means the labels and
   * the numbers always come from the same snapshot, even while an import replaces the model; and three arrays
   * parse several times faster than 20,000 rows on the embedded database.
   */
  async findTablesByNames(names: readonly string[]): Promise<StoredTable[]> {
    // One aggregate over one scan, so the three arrays list the coefficients in the same order.
    const result = await sql<IoModelRow & { row_idx: number[] | null; col_idx: number[] | null; coefficient: number[] | null }>`
      select m.*, c.row_idx, c.col_idx, c.coefficient
      from io_models m
      cross join lateral (
        select array_agg(row_idx) as row_idx, array_agg(col_idx) as col_idx, array_agg(value) as coefficient
        from io_coefficients where model_id = m.id
      ) c
      where m.name = any(${[...names]}::text[])`.execute(this.db);
    return result.rows.map(({ row_idx, col_idx, coefficient, ...model }) => ({
      model,
      rowIdx: row_idx ?? [],
      colIdx: col_idx ?? [],
      values: coefficient ?? [],
    }));
  }

  /**
   * Applies changes to one model in one transaction, the model row locked `for update` so that concurrent updates
   * of the same model run one after the other (and each checks column sums over the other's committed result).
   * `prepare` turns the caller's labelled changes into indices against the locked row, and may throw to reject
   * them. Every touched column must still sum below 1, or NonProductiveColumnError rolls everything back.
   * Returns the updated model row and the number of coefficients set, or null when the model does not exist.
   */
  async updateCoefficients(
    name: string,
    prepare: (model: IoModelRow) => IndexedChange[],
  ): Promise<{ model: IoModelRow; changed: number } | null> {
    return this.db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('io_models').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
      if (!locked) return null;
      const changes = prepare(locked);
      const removed = changes.filter((change) => change.value === 0);
      const stored = changes.filter((change) => change.value !== 0);
      if (removed.length > 0) {
        await sql`delete from io_coefficients c
          using unnest(${removed.map((change) => change.row)}::int4[], ${removed.map((change) => change.col)}::int4[]) as d(r, k)
          where c.model_id = ${locked.id} and c.row_idx = d.r and c.col_idx = d.k`.execute(trx);
      }
      if (stored.length > 0) {
        await sql`insert into io_coefficients (model_id, row_idx, col_idx, value)
          select ${locked.id}, r, k, v
          from unnest(${stored.map((change) => change.row)}::int4[], ${stored.map((change) => change.col)}::int4[],
                      ${stored.map((change) => change.value)}::float8[]) as t(r, k, v)
          on conflict (model_id, row_idx, col_idx) do update set value = excluded.value`.execute(trx);
      }
      const touched = [...new Set(changes.map((change) => change.col))];
      const offending = await trx
        .selectFrom('io_coefficients')
        .select(['col_idx', (eb) => eb.fn.sum<number>('value').as('total')])
        .where('model_id', '=', locked.id)
        .where('col_idx', '=', (eb) => eb.fn.any(eb.val(touched)))
        .groupBy('col_idx')
        .having((eb) => eb.fn.sum('value'), '>=', 1)
        .orderBy('col_idx')
        .limit(1)
        .executeTakeFirst();
      if (offending) throw new NonProductiveColumnError(offending.col_idx, Number(offending.total));
      const model = await trx
        .updateTable('io_models')
        .set({ updated_at: sql<Date>`now()` })
        .where('id', '=', locked.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { model, changed: changes.length };
    });
  }

  /**
   * Creates the model, or replaces an existing one of the same name (labels, description if given, all
   * coefficients), in one transaction: readers see the old table or the new one, never a mix.
   */
  async replaceModel(input: ImportedModel): Promise<{ model: IoModelRow; replaced: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('io_models').select('id').where('name', '=', input.name).forUpdate().executeTakeFirst();
      const labels = {
        countries: input.countries,
        sector_codes: input.sectorCodes,
        sector_names: input.sectorNames,
        updated_at: sql<Date>`now()`,
      };
      let model: IoModelRow;
      if (existing) {
        model = await trx
          .updateTable('io_models')
          .set({ ...labels, ...(input.description !== undefined ? { description: input.description } : {}) })
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.deleteFrom('io_coefficients').where('model_id', '=', existing.id).execute();
      } else {
        model = await trx
          .insertInto('io_models')
          .values({ name: input.name, description: input.description ?? input.descriptionIfNew, ...labels })
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      await insertCoefficients(trx, model.id, input.rowIdx, input.colIdx, input.values);
      return { model, replaced: existing !== undefined };
    });
  }
}

/**
 * Inserts coefficients of one model, INSERT_CHUNK rows per statement. unnest of three array parameters instead of a
 * VALUES list: one parameter per column instead of four per row, which both drivers (pg and PGlite) serialize and
 * PostgreSQL parses markedly faster (measured ~1.5x on the embedded database).
 */
export async function insertCoefficients(
  db: Kysely<Tables>,
  modelId: number,
  rowIdx: ArrayLike<number>,
  colIdx: ArrayLike<number>,
  values: ArrayLike<number>,
): Promise<void> {
  for (let start = 0; start < values.length; start += INSERT_CHUNK) {
    const end = Math.min(start + INSERT_CHUNK, values.length);
    await sql`insert into io_coefficients (model_id, row_idx, col_idx, value)
      select ${modelId}, r, k, v
      from unnest(${slice(rowIdx, start, end)}::int4[], ${slice(colIdx, start, end)}::int4[],
                  ${slice(values, start, end)}::float8[]) as t(r, k, v)`.execute(db);
  }
}

function slice(values: ArrayLike<number>, start: number, end: number): number[] {
  return Array.prototype.slice.call(values, start, end) as number[];
}
