// What the datasets domain needs of a request's context. The domain declares it here rather than importing the
// assembled context (graphql/context.ts), which knows every domain: the assembled one satisfies this slice.
import type { Visibility } from '../auth/principal.js';
import type { FieldCache, Invalidate } from '../cache/index.js';
import type { DependencyRecorder } from '../cache/index.js';
import type { DatasetLoaders } from './loaders.js';
import type { DatasetRepository } from './repository.js';

export interface DatasetsContext {
  loaders: { datasets: DatasetLoaders };
  repos: { datasets: DatasetRepository };
  deps: DependencyRecorder;
  fieldCache: FieldCache;
  /** Called after commit with every tag a write changed. */
  invalidate: Invalidate;
  visibility: Visibility;
}
