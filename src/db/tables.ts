// Row types of every table, as Kysely sees them. The migrations in ./migrations create exactly these.
import type { ColumnType, Generated, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb columns are written as JSON text (pg would turn a JS array into a Postgres array) and read parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface ColumnSpec {
  name: string;
  type: 'INTEGER' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'DATE';
}

export interface DatasetsTable {
  id: Generated<number>;
  name: string;
  description: string;
  category: string;
  tags: string[];
  columns: Json<ColumnSpec[]>;
  row_count: number;
  /** The team the dataset is private to; null: public. */
  team: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DatasetRowsTable {
  dataset_id: number;
  row_index: number;
  data: Json<Record<string, unknown>>;
}

export type RunStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
export type TaskType = 'CLASSIFICATION' | 'REGRESSION';

export interface ModelRunsTable {
  id: Generated<number>;
  dataset_id: number;
  name: string;
  algorithm: string;
  task_type: TaskType;
  status: RunStatus;
  hyperparameters: Json<Record<string, unknown>>;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  roc_auc: number | null;
  log_loss: number | null;
  rmse: number | null;
  mae: number | null;
  r2: number | null;
  error: string | null;
  created_at: CreatedAt;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: UpdatedAt;
}

export interface FeatureImportancesTable {
  run_id: number;
  rank: number;
  feature: string;
  importance: number;
}

export interface IoModelsTable {
  id: Generated<number>;
  name: string;
  description: string;
  countries: string[];
  sector_codes: string[];
  sector_names: string[];
  updated_at: UpdatedAt;
  /** Bumped by every write of the model's labels or coefficients. */
  version: Generated<number>;
}

/**
 * One column of a model's coefficient matrix, sparse: the rows of its non-zeros (int4) and their values (float8),
 * packed big-endian in row order. Index = countryIndex * sectorCount + sectorIndex. See assessments/column-codec.ts.
 */
export interface IoCoefficientColumnsTable {
  model_id: number;
  col_idx: number;
  row_idx: Uint8Array;
  value: Uint8Array;
}

export type Role = 'reader' | 'writer' | 'admin';

export interface ApiKeysTable {
  /** The public part of the key (`bk_<id>_<secret>`): looked up by primary key. */
  id: string;
  /** sha256 (hex) of the secret part. */
  secret_sha256: string;
  role: Role;
  team: string;
  name: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface Tables {
  datasets: DatasetsTable;
  dataset_rows: DatasetRowsTable;
  model_runs: ModelRunsTable;
  feature_importances: FeatureImportancesTable;
  io_models: IoModelsTable;
  io_coefficient_columns: IoCoefficientColumnsTable;
  api_keys: ApiKeysTable;
}

export type DatasetRow = Selectable<DatasetsTable>;
export type DatasetRowRecord = Selectable<DatasetRowsTable>;
export type ModelRunRow = Selectable<ModelRunsTable>;
export type FeatureImportanceRow = Selectable<FeatureImportancesTable>;
export type IoModelRow = Selectable<IoModelsTable>;
