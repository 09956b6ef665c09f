// Per-request DataLoaders: the one door to this domain's data. Each load records the tags it depended on: every
// read of a model, of its labels or of its coefficients depends on `IoModel:<name>`, and the model list also on
// `IoModel:list`. The writes (updateCoefficients, and `npm run import:io` from outside) invalidate modelWriteTags.
import DataLoader from 'dataloader';
import { collectionTag, entityTag, trackedLoader, type DependencyRecorder } from '../cache/index.js';
import type { IoModelRow } from '../db/tables.js';
import { byKey } from '../graphql/batch.js';
import type { IoModelRepository } from './repository.js';
import type { IoTable } from './types.js';

export const IO_MODEL = 'IoModel';

/** Tag of one model: its row, its labels and its coefficients. */
export function modelTag(name: string): string {
  return entityTag(IO_MODEL, name);
}

/** Tag of the model list (`ioModels`), recorded even when the list is empty. */
export function modelListTag(): string {
  return collectionTag(IO_MODEL);
}

/**
 * What a committed write of model `name` invalidates: the model; and when the write created the model, also the
 * list it joins. A replaced model needs no list tag, because every list that shows it already depends on its tag.
 */
export function modelWriteTags(name: string, { created }: { created: boolean }): string[] {
  return created ? [modelTag(name), modelListTag()] : [modelTag(name)];
}

export function createAssessmentLoaders(repo: IoModelRepository, deps: DependencyRecorder) {
  const modelByName = new DataLoader<string, IoModelRow | null>(async (names) =>
    byKey(names, await repo.findByNames(names), (row) => row.name),
  );
  // The table (labels + coefficients) of each model, looked up once per request (the repository keeps it prepared
  // across requests, per model version): every assessment shares its matrix and the solver the matrix caches.
  const tableByName = new DataLoader<string, IoTable | null>(async (names) =>
    byKey(names, await repo.findTablesByNames(names), (table) => table.model),
  );
  // Columns of the Leontief inverse asked in the same tick (the pairs of one `assessments` call) are solved together:
  // the iterative solver then shares each pass over A between them. The table comes in the key, already loaded (and
  // its tag recorded) by the caller; the cache key is the model and the column.
  const leontiefColumn = new DataLoader<{ table: IoTable; col: number }, Float64Array, string>(
    async (keys) => {
      const byTable = new Map<IoTable, number[]>();
      keys.forEach(({ table }, k) => {
        const list = byTable.get(table);
        if (list) list.push(k);
        else byTable.set(table, [k]);
      });
      const out = new Array<Float64Array>(keys.length);
      for (const [table, positions] of byTable) {
        const solved = table.matrix.leontiefSolver(table.sectorCodes.length).solveUnits(positions.map((k) => keys[k].col));
        positions.forEach((k, i) => (out[k] = solved[i]));
      }
      return out;
    },
    { cacheKeyFn: ({ table, col }) => `${table.model}\u0000${col}` },
  );
  let all: Promise<IoModelRow[]> | undefined;

  return {
    /** A model by name; null when there is none. Tag: IoModel:<name>. */
    modelByName: trackedLoader(modelByName, modelTag, deps),
    /** A model's labels and coefficient matrix; null when there is no such model. Tag: IoModel:<name>. */
    tableByName: trackedLoader(tableByName, modelTag, deps),
    /** (I - A)^-1 e_col of a loaded table; columns asked together are solved together. Records no tag itself. */
    leontiefColumn,
    /** Every model, by name. Tags: the collection (so an added model invalidates it) and each model listed. */
    async allModels(): Promise<IoModelRow[]> {
      deps.add(modelListTag());
      all ??= repo.listModels().then((rows) => {
        for (const row of rows) modelByName.prime(row.name, row);
        return rows;
      });
      const rows = await all;
      for (const row of rows) deps.add(modelTag(row.name));
      return rows;
    },
  };
}

export type AssessmentLoaders = ReturnType<typeof createAssessmentLoaders>;
