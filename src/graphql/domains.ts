// Wires the domains together: their repositories (one per database), their loaders (one set per request) and
// their resolvers (merged into one map per type).
import type { Kysely } from 'kysely';
import { PUBLIC_ONLY, type Visibility } from '../auth/principal.js';
import { createAssessmentLoaders } from '../assessments/loaders.js';
import { IoModelRepository } from '../assessments/repository.js';
import { assessmentResolvers } from '../assessments/resolvers.js';
import { cacheResolvers } from './cache-resolvers.js';
import type { DependencyRecorder } from '../cache/index.js';
import { createDatasetLoaders } from '../datasets/loaders.js';
import { DatasetRepository } from '../datasets/repository.js';
import { datasetResolvers } from '../datasets/resolvers.js';
import type { Tables } from '../db/tables.js';
import type { Resolvers } from '../generated/graphql.js';
import { createModelLoaders } from '../models/loaders.js';
import { ModelRunRepository } from '../models/repository.js';
import { modelResolvers } from '../models/resolvers.js';
import { observabilityResolvers } from '../observability/resolvers.js';
import { healthResolvers } from './health.js';

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

/** Merges per-domain resolver maps type by type; two domains defining the same field is a wiring bug. */
export function mergeResolvers(maps: Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      const target = (merged[type] ??= {});
      for (const [field, resolver] of Object.entries(fields as object)) {
        if (field in target) throw new Error(`resolver ${type}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  return merged as Resolvers;
}

export const resolvers = mergeResolvers([
  healthResolvers,
  datasetResolvers,
  modelResolvers,
  assessmentResolvers,
  cacheResolvers,
  observabilityResolvers,
]);
