// The server-side shapes that GraphQL types resolve from (codegen `mappers`): resolvers receive these as parents.
import type { DatasetRow, IoModelRow, ModelRunRow } from '../db/tables.js';
import type { Page } from '../common/pagination.js';

export type { DatasetRow, IoModelRow, ModelRunRow } from '../db/tables.js';
export type { AssessmentResult } from '../assessments/types.js';
export type DatasetPage = Page<DatasetRow>;
export type ModelRunPage = Page<ModelRunRow>;
