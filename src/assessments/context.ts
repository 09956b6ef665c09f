// What the assessments domain needs of a request's context. The domain declares it here rather than importing the
// assembled context (graphql/context.ts), which knows every domain: the assembled one satisfies this slice.
import type { FieldCache, Invalidate } from '../cache/index.js';
import type { AssessmentLoaders } from './loaders.js';
import type { IoModelRepository } from './repository.js';

export interface AssessmentsContext {
  loaders: { assessments: AssessmentLoaders };
  repos: { assessments: IoModelRepository };
  fieldCache: FieldCache;
  /** Called after commit with every tag a write changed. */
  invalidate: Invalidate;
}
