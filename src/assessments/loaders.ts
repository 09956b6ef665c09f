// Per-request DataLoaders: the one door to this domain's data. Each load records the tags it depended on: every
// read of a model, of its labels or of its coefficients depends on `IoModel:<name>`, and the model list also on
// `IoModel:list`. The writes (updateCoefficients, and `npm run import:io` from outside) invalidate modelWriteTags.
import DataLoader from 'dataloader';
import { collectionTag, entityTag, trackedLoader, type DependencyRecorder } from '../cache/index.js';
import type { IoModelRow } from '../db/tables.js';
import { byKey } from '../common/batch.js';
import type { IoModelRepository } from './repository.js';
import { LeontiefColumnBatcher } from './column-batch.js';
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
  // Columns of the Leontief inverse asked by this request, solved together (see column-batch.ts).
  const leontiefColumns = new LeontiefColumnBatcher();
  let all: Promise<IoModelRow[]> | undefined;

  return {
    /** A model by name; null when there is none. Tag: IoModel:<name>. */
    modelByName: trackedLoader(modelByName, modelTag, deps),
    /** A model's labels and coefficient matrix; null when there is no such model. Tag: IoModel:<name>. */
    tableByName: trackedLoader(tableByName, modelTag, deps),
    /** (I - A)^-1 e_col of a loaded table; the columns of a group are solved together. Records no tag itself. */
    leontiefColumns,
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
