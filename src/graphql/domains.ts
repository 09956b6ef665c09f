// Wires the domains' data together: their repositories (one per database) and their loaders (one set per request).
// Their resolvers are merged in resolvers.ts.
import type { Kysely } from 'kysely';
import { PUBLIC_ONLY, type Visibility } from '../auth/principal.js';
import { createAssessmentLoaders } from '../assessments/loaders.js';
import { IoModelRepository } from '../assessments/repository.js';
import type { DependencyRecorder } from '../cache/index.js';
import { createDatasetLoaders } from '../datasets/loaders.js';
import { DatasetRepository } from '../datasets/repository.js';
import type { Tables } from '../db/tables.js';
import { createModelLoaders } from '../models/loaders.js';
import { ModelRunRepository } from '../models/repository.js';

export function createRepositories(db: Kysely<Tables>) {
  return {
    datasets: new DatasetRepository(db),
    models: new ModelRunRepository(db),
    assessments: new IoModelRepository(db),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

/** One set per request; `visibility` is the caller's, and every dataset or run read through them honours it. */
export function createLoaders(repos: Repositories, deps: DependencyRecorder, visibility: Visibility = PUBLIC_ONLY) {
  return {
    datasets: createDatasetLoaders(repos.datasets, deps, visibility),
    models: createModelLoaders(repos.models, deps, visibility),
    assessments: createAssessmentLoaders(repos.assessments, deps),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
