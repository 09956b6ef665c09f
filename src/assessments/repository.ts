// All SQL of the assessments domain. Reads are batch reads for the loaders; writes run in a transaction.
import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { IoModelRow, Tables } from '../db/tables.js';
import { decodeInto, encodeRows, encodeValues, entryCount } from './column-codec.js';
import { CoefficientMatrix } from './leontief.js';
import type { IoTable } from './types.js';
import { leontiefSolverOf } from './factorized-solver.js';

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
  /** The coefficients, one row of io_coefficient_columns per non-empty column. */
  matrix: CoefficientMatrix;
}

/** Bytes of packed columns per insert statement: few statements, none of them huge. */
const INSERT_BYTES = 4 << 20;

/** Bytes of prepared tables (matrices, factorizations) the repository keeps between requests. */
export const TABLE_CACHE_BYTES = 512 << 20;

export class IoModelRepository {
  /**
   * Prepared tables by model id and version: a model's matrix and its solver (an LU, or the preconditioner of the
   * iterative solve) are built once per version, not per request, which is what makes the second sector of a
   * 3,500-sector model cheap. Every write bumps the version in its transaction, so a stale entry is never looked up
   * again (it ages out of the LRU); one process's cache needs no invalidation from another.
   */
  private readonly tables = new LRUCache<string, IoTable>({
    maxSize: TABLE_CACHE_BYTES,
    // Every size ends with a dense LU (n x n doubles: 98 MB at 3,500 sectors), here or in the worker.
    sizeCalculation: (table) => Math.max(1, table.matrix.byteSize + table.matrix.size * table.matrix.size * 8),
  });

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
   * The tables (labels + coefficients) of the models with these names. One statement reads the model rows; a table
   * already prepared for a row's id and version comes from the in-process cache; the others are read in one
   * repeatable-read transaction (model rows and their columns from the same snapshot, so labels and numbers always
   * match, even while an import replaces the model) and cached under the version of that snapshot.
   */
  async findTablesByNames(names: readonly string[]): Promise<IoTable[]> {
    const rows = await this.findByNames(names);
    const found: IoTable[] = [];
    const missing: number[] = [];
    for (const row of rows) {
      const cached = this.tables.get(tableKey(row));
      if (cached) found.push(cached);
      else missing.push(row.id);
    }
    if (missing.length === 0) return found;
    const loaded = await this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const models = await trx.selectFrom('io_models').selectAll().where('id', '=', (eb) => eb.fn.any(eb.val(missing))).execute();
        const columns = await trx
          .selectFrom('io_coefficient_columns')
          .selectAll()
          .where('model_id', '=', (eb) => eb.fn.any(eb.val(missing)))
          .execute();
        return { models, columns };
      });
    for (const model of loaded.models) {
      const table: IoTable = {
        model: model.name,
        countries: model.countries,
        sectorCodes: model.sector_codes,
        matrix: matrixOf(model, loaded.columns.filter((column) => column.model_id === model.id)),
      };
      this.tables.set(tableKey(model), table);
      found.push(table);
    }
    return found;
  }

  /**
   * Reads and prepares the table of a model as its first assessment would, and starts its solver (for a large model,
   * the LU in a worker): called after an import through the server, so that the factors are on their way before
   * anyone asks. Nothing when there is no such model.
   */
  async prepare(name: string): Promise<void> {
    const [table] = await this.findTablesByNames([name]);
    if (table) leontiefSolverOf(table.matrix, table.sectorCodes.length);
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
      const byColumn = new Map<number, IndexedChange[]>();
      for (const change of changes) {
        const list = byColumn.get(change.col);
        if (list) list.push(change);
        else byColumn.set(change.col, [change]);
      }
      const touched = [...byColumn.keys()].sort((a, b) => a - b);
      const stored = await trx
        .selectFrom('io_coefficient_columns')
        .selectAll()
        .where('model_id', '=', locked.id)
        .where('col_idx', '=', (eb) => eb.fn.any(eb.val(touched)))
        .execute();
      const storedByColumn = new Map(stored.map((column) => [column.col_idx, column]));
      const rewritten: ColumnRow[] = [];
      const emptied: number[] = [];
      for (const col of touched) {
        const entries = new Map<number, number>();
        const column = storedByColumn.get(col);
        if (column) {
          const count = entryCount(col, column.row_idx, column.value);
          const rows = new Int32Array(count);
          const values = new Float64Array(count);
          decodeInto(column.row_idx, column.value, rows, values, 0);
          for (let k = 0; k < count; k += 1) entries.set(rows[k], values[k]);
        }
        for (const change of byColumn.get(col)!) {
          if (change.value === 0) entries.delete(change.row);
          else entries.set(change.row, change.value);
        }
        const rows = Int32Array.from([...entries.keys()].sort((a, b) => a - b));
        const values = Float64Array.from(rows, (row) => entries.get(row)!);
        let sum = 0;
        for (const value of values) sum += value;
        if (sum >= 1) throw new NonProductiveColumnError(col, sum);
        if (rows.length === 0) emptied.push(col);
        else rewritten.push({ model_id: locked.id, col_idx: col, row_idx: encodeRows(rows), value: encodeValues(values) });
      }
      if (emptied.length > 0) {
        await trx
          .deleteFrom('io_coefficient_columns')
          .where('model_id', '=', locked.id)
          .where('col_idx', '=', (eb) => eb.fn.any(eb.val(emptied)))
          .execute();
      }
      if (rewritten.length > 0) {
        await trx
          .insertInto('io_coefficient_columns')
          .values(rewritten)
          .onConflict((oc) => oc.columns(['model_id', 'col_idx']).doUpdateSet((eb) => ({ row_idx: eb.ref('excluded.row_idx'), value: eb.ref('excluded.value') })))
          .execute();
      }
      const model = await trx
        .updateTable('io_models')
        .set({ updated_at: sql<Date>`now()`, version: sql<number>`version + 1` })
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
          .set({
            ...labels,
            version: sql<number>`version + 1`,
            ...(input.description !== undefined ? { description: input.description } : {}),
          })
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.deleteFrom('io_coefficient_columns').where('model_id', '=', existing.id).execute();
      } else {
        model = await trx
          .insertInto('io_models')
          .values({ name: input.name, description: input.description ?? input.descriptionIfNew, ...labels })
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      await insertColumns(trx, model.id, input.matrix);
      return { model, replaced: existing !== undefined };
    });
  }
}

type ColumnRow = Tables['io_coefficient_columns'];

function tableKey(row: Pick<IoModelRow, 'id' | 'version'>): string {
  return `${row.id}:${row.version}`;
}

/** The matrix of one model from its stored columns (any order). */
function matrixOf(model: IoModelRow, columns: ColumnRow[]): CoefficientMatrix {
  const size = model.countries.length * model.sector_codes.length;
  const colStart = new Int32Array(size + 1);
  for (const column of columns) {
    if (!(column.col_idx >= 0 && column.col_idx < size)) {
      throw new RangeError(`model ${model.name}: stored column ${column.col_idx} is outside its ${size} x ${size} matrix`);
    }
    colStart[column.col_idx + 1] = entryCount(column.col_idx, column.row_idx, column.value);
  }
  for (let j = 0; j < size; j += 1) colStart[j + 1] += colStart[j];
  // In shared memory: the factorization worker of a large model reads them without a 70 MB copy on the request path.
  const rows = new Int32Array(new SharedArrayBuffer(4 * colStart[size]));
  const values = new Float64Array(new SharedArrayBuffer(8 * colStart[size]));
  for (const column of columns) decodeInto(column.row_idx, column.value, rows, values, colStart[column.col_idx]);
  return CoefficientMatrix.fromColumns(size, colStart, rows, values);
}

/** Writes the non-empty columns of a model's matrix, a few megabytes per statement. */
export async function insertColumns(db: Kysely<Tables>, modelId: number, matrix: CoefficientMatrix): Promise<void> {
  let batch: ColumnRow[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length > 0) await db.insertInto('io_coefficient_columns').values(batch).execute();
    batch = [];
    bytes = 0;
  };
  for (let col = 0; col < matrix.size; col += 1) {
    const { rows, values } = matrix.columnEntries(col);
    if (rows.length === 0) continue;
    batch.push({ model_id: modelId, col_idx: col, row_idx: encodeRows(rows), value: encodeValues(values) });
    bytes += rows.length * 12;
    if (bytes >= INSERT_BYTES) await flush();
  }
  await flush();
}

/** Inserts the coefficients of a new model given as coordinates (the demo seed). */
export async function insertCoefficients(
  db: Kysely<Tables>,
  modelId: number,
  rowIdx: ArrayLike<number>,
  colIdx: ArrayLike<number>,
  values: ArrayLike<number>,
): Promise<void> {
  const model = await db.selectFrom('io_models').select(['countries', 'sector_codes']).where('id', '=', modelId).executeTakeFirstOrThrow();
  const size = model.countries.length * model.sector_codes.length;
  await insertColumns(db, modelId, CoefficientMatrix.fromCoordinates(size, rowIdx, colIdx, values));
}
