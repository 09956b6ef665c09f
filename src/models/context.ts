// What the models domain needs of a request's context. The domain declares it here rather than importing the
// assembled context (graphql/context.ts), which knows every domain: the assembled one satisfies this slice.
import type { Visibility } from '../auth/principal.js';
import type { FieldCache, Invalidate } from '../cache/index.js';
import type { DependencyRecorder } from '../cache/index.js';
import type { DatasetRow } from '../db/tables.js';
import type { ModelLoaders } from './loaders.js';
import type { ModelRunRepository } from './repository.js';

export interface ModelsContext {
  /** A run's dataset is read through the datasets domain's loader, known here only by the shape this domain uses. */
  loaders: { models: ModelLoaders; datasets: { byId: { load(id: number): Promise<DatasetRow | null> } } };
  repos: { models: ModelRunRepository };
  deps: DependencyRecorder;
  fieldCache: FieldCache;
  /** Called after commit with every tag a write changed. */
  invalidate: Invalidate;
  visibility: Visibility;
}
