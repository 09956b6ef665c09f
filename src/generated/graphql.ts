import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { DatasetRow, DatasetPage, ModelRunRow, ModelRunPage, IoModelRow, AssessmentResult } from '../graphql/mappers.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string | number; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time in UTC. */
  DateTime: { input: string; output: Date | string; }
  /** Any JSON value (used for dataset rows and hyperparameters). */
  JSON: { input: unknown; output: unknown; }
};

export type AlertRule =
  | 'ERROR_RATE_HIGH'
  | 'HIT_RATE_LOW'
  | 'P95_HIGH';

export type AlertThresholds = {
  __typename?: 'AlertThresholds';
  /** ALERT_ERROR_RATE_ABOVE: the error rate ceiling (0-1). */
  errorRateAbove: Scalars['Float']['output'];
  /** ALERT_HIT_RATE_BELOW: the cache hit rate floor (0-1). */
  hitRateBelow: Scalars['Float']['output'];
  /** ALERT_MIN_SAMPLES: requests a scope needs in the window before a rule may fire. */
  minSamples: Scalars['Int']['output'];
  /** ALERT_P95_ABOVE_MS: the p95 latency ceiling; 0 turns the rule off. */
  p95AboveMs: Scalars['Float']['output'];
};

/**
 * The upstream supply-chain risk of one country-sector, from the Leontief inverse L = (I - A)^-1 of the model's
 * coefficients A. Requirements are per unit of final demand for the assessed country-sector. Cached for 1 hour.
 */
export type Assessment = {
  __typename?: 'Assessment';
  country: Scalars['String']['output'];
  /** Upstream requirements by supplier country, largest first. */
  countryShares: Array<CountryShare>;
  /** Share (0-1) of upstream requirements (L - I column) produced in the assessed country. */
  domesticShare: Scalars['Float']['output'];
  exposureByTier: TierExposure;
  /** Share (0-1) of upstream requirements produced abroad. */
  foreignShare: Scalars['Float']['output'];
  model: Scalars['String']['output'];
  /** Column sum of L: total output across the economy per unit of final demand. */
  outputMultiplier: Scalars['Float']['output'];
  /** LOW below 25, MODERATE below 50, HIGH below 75, SEVERE from 75. */
  riskLevel: RiskLevel;
  /**
   * 0-100: higher means more concentrated foreign dependence. 100 * (0.5 * foreignShare + 0.35 * supplierCountryHhi / 10000
   * + 0.15 * min(1, (outputMultiplier - 1) / 2)), rounded to 2 decimals.
   */
  riskScore: Scalars['Float']['output'];
  sector: Scalars['String']['output'];
  /** Herfindahl-Hirschman index (0-10000) of supplier-country shares of the foreign requirements. */
  supplierCountryHhi: Scalars['Float']['output'];
  /** The largest upstream suppliers (limit: 1-100), largest first. */
  topSuppliers: Array<UpstreamSupplier>;
};


/**
 * The upstream supply-chain risk of one country-sector, from the Leontief inverse L = (I - A)^-1 of the model's
 * coefficients A. Requirements are per unit of final demand for the assessed country-sector. Cached for 1 hour.
 */
export type AssessmentTopSuppliersArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};

export type CacheClearScope =
  /** Everything in Beacon's namespace. */
  | 'ALL'
  /** Every entry carrying one tag (value: the tag, e.g. ModelRun:42). */
  | 'TAG'
  /** Every entry that depends on any entity or list of a type (value: the type, e.g. ModelRun). */
  | 'TYPE';

/** How this instance keeps reads exact after writes made on any instance (see docs/cache.md). */
export type CacheConsistencyStats = {
  __typename?: 'CacheConsistencyStats';
  /** Times the Redis clock was found lost (restart without data, eviction, failover): nothing older was trusted. */
  clockLosses: Scalars['Float']['output'];
  /** Whether reads sync with the Redis clock before trusting an entry (CACHE_READ_AFTER_WRITE). */
  readAfterWrite: Scalars['Boolean']['output'];
  /** Times the local mirror started over (a dropped subscription, a lost message): entries re-verified, not dropped. */
  rebaselines: Scalars['Float']['output'];
  /** Reads whose invalidation messages had not arrived in time; their entries were checked against Redis instead. */
  remoteChecks: Scalars['Float']['output'];
};

export type CacheControlScope =
  | 'PRIVATE'
  | 'PUBLIC';

export type CacheInvalidationStats = {
  __typename?: 'CacheInvalidationStats';
  /** Events by how many tags they named. */
  byTagCount: Array<CacheTagCountStats>;
  /** Invalidations Redis could not take within CACHE_WRITE_TIMEOUT_MS: honoured here at once, replayed to Redis later. */
  deferred: Scalars['Float']['output'];
  /** Invalidation calls (mutations, clearCache). */
  events: Scalars['Float']['output'];
  /** Tags currently mirrored locally (bounded). */
  mirroredTags: Scalars['Float']['output'];
  /** Tags they named, summed. */
  tags: Scalars['Float']['output'];
};

export type CacheLatency = {
  __typename?: 'CacheLatency';
  /** hits x (average miss - average hit). */
  estimatedTimeSavedMs: Scalars['Float']['output'];
  hitAvgMs?: Maybe<Scalars['Float']['output']>;
  hits: Scalars['Float']['output'];
  missAvgMs?: Maybe<Scalars['Float']['output']>;
  misses: Scalars['Float']['output'];
};

export type CacheNameStats = {
  __typename?: 'CacheNameStats';
  /** hits / (hits + misses); null before the first request. */
  hitRate?: Maybe<Scalars['Float']['output']>;
  hits: Scalars['Float']['output'];
  misses: Scalars['Float']['output'];
  name: Scalars['String']['output'];
};

/** What the cache is doing: tiers, hit rates per field and operation, invalidations, latency and the TTLs in force. Never cached. */
export type CacheStats = {
  __typename?: 'CacheStats';
  /** redis (L1 + Redis L2), redis-cluster (L1 + Redis Cluster L2) or memory (L1 only). */
  backend: Scalars['String']['output'];
  backgroundRefreshes: Scalars['Float']['output'];
  /** Requests that asked to bypass the cache (Cache-Control: no-cache). */
  bypasses: Scalars['Float']['output'];
  consistency: CacheConsistencyStats;
  /** Results not stored because a write invalidated them while they were computed. */
  discardedStale: Scalars['Float']['output'];
  /** Whether caching is on at all (CACHE_ENABLED). */
  enabled: Scalars['Boolean']['output'];
  /** Expensive field results: hits vs misses. */
  fieldLatency: CacheLatency;
  /** Expensive field results, by field name. */
  fields: Array<CacheNameStats>;
  invalidations: CacheInvalidationStats;
  /** Whole responses, by operation name (`(anonymous)` for unnamed operations). */
  operations: Array<CacheNameStats>;
  redis: RedisStatus;
  /** Whole responses: hits vs misses. */
  responseLatency: CacheLatency;
  /** One row per tier: L1 (in process), L2 (Redis). */
  tiers: Array<CacheTierStats>;
  /** The @cacheControl hints in the schema: the TTLs in force. */
  ttls: Array<CacheTtl>;
};

export type CacheTagCountStats = {
  __typename?: 'CacheTagCountStats';
  events: Scalars['Float']['output'];
  tagCount: Scalars['Int']['output'];
};

export type CacheTierStats = {
  __typename?: 'CacheTierStats';
  bytes?: Maybe<Scalars['Float']['output']>;
  /**
   * L1: concurrent identical misses in this instance that shared one computation. L2: misses of an expensive field that
   * waited for another instance's computation (it held the key's lease) and used the entry it stored.
   */
  dedupes: Scalars['Float']['output'];
  /** Entries and approximate bytes held; null where the tier cannot tell cheaply (Redis). */
  entries?: Maybe<Scalars['Float']['output']>;
  errors: Scalars['Float']['output'];
  evictions: Scalars['Float']['output'];
  hits: Scalars['Float']['output'];
  misses: Scalars['Float']['output'];
  sets: Scalars['Float']['output'];
  staleServed: Scalars['Float']['output'];
  tier: Scalars['String']['output'];
};

export type CacheTtl = {
  __typename?: 'CacheTtl';
  /** A type (`Dataset`) or a field (`Dataset.sample`). */
  coordinate: Scalars['String']['output'];
  inheritMaxAge: Scalars['Boolean']['output'];
  maxAgeSeconds?: Maybe<Scalars['Int']['output']>;
  scope: CacheControlScope;
};

export type Category = {
  __typename?: 'Category';
  datasetCount: Scalars['Int']['output'];
  name: Scalars['String']['output'];
};

/** One entity a write changed (docs/live.md). */
export type Change = {
  __typename?: 'Change';
  /** When this instance heard of the write. */
  at: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** The write's tags this subscriber may see (the entity's, and the lists it joined or left). */
  tags: Array<Scalars['String']['output']>;
  type: ChangeType;
};

/** What kind of entity a `changed` event names. */
export type ChangeType =
  | 'Dataset'
  | 'IoModel'
  | 'ModelRun';

export type ClearCachePayload = {
  __typename?: 'ClearCachePayload';
  /** The tags invalidated. */
  invalidated: Array<Scalars['String']['output']>;
  scope: CacheClearScope;
  value?: Maybe<Scalars['String']['output']>;
};

export type CoefficientChangeInput = {
  from: CountrySectorInput;
  to: CountrySectorInput;
  /** Input from `from` per unit of output of `to`: 0 <= value < 1; every column must keep a sum below 1. */
  value: Scalars['Float']['input'];
};

export type ColumnQuality = {
  __typename?: 'ColumnQuality';
  completeness: Scalars['Float']['output'];
  distinctValues: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  type: ColumnType;
  typeValidity: Scalars['Float']['output'];
};

export type ColumnType =
  | 'BOOLEAN'
  | 'DATE'
  | 'FLOAT'
  | 'INTEGER'
  | 'STRING';

export type CountrySectorInput = {
  country: Scalars['String']['input'];
  sector: Scalars['String']['input'];
};

export type CountryShare = {
  __typename?: 'CountryShare';
  country: Scalars['String']['output'];
  share: Scalars['Float']['output'];
};

/** A stored table of rows with typed columns. Lists and details are cached for 15 minutes. */
export type Dataset = {
  __typename?: 'Dataset';
  category: Scalars['String']['output'];
  columns: Array<DatasetColumn>;
  createdAt: Scalars['DateTime']['output'];
  description: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Model runs trained on this dataset, newest first. */
  modelRuns: ModelRunConnection;
  name: Scalars['String']['output'];
  /** Quality computed from every stored row. Cached for 1 hour. */
  quality: DatasetQuality;
  rowCount: Scalars['Int']['output'];
  /** The first `size` stored rows (1-100), each an object keyed by column name. Cached for 2 hours. */
  sample: Array<Scalars['JSON']['output']>;
  tags: Array<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};


/** A stored table of rows with typed columns. Lists and details are cached for 15 minutes. */
export type DatasetModelRunsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<ModelRunStatus>;
};


/** A stored table of rows with typed columns. Lists and details are cached for 15 minutes. */
export type DatasetSampleArgs = {
  size?: InputMaybe<Scalars['Int']['input']>;
};

export type DatasetColumn = {
  __typename?: 'DatasetColumn';
  name: Scalars['String']['output'];
  type: ColumnType;
};

export type DatasetConnection = {
  __typename?: 'DatasetConnection';
  edges: Array<DatasetEdge>;
  nodes: Array<Dataset>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type DatasetEdge = {
  __typename?: 'DatasetEdge';
  cursor: Scalars['String']['output'];
  node: Dataset;
};

export type DatasetOrder =
  | 'CREATED_AT_DESC'
  | 'NAME'
  | 'ROW_COUNT_DESC'
  | 'UPDATED_AT_DESC';

export type DatasetQuality = {
  __typename?: 'DatasetQuality';
  columns: Array<ColumnQuality>;
  /** Share (0-1) of cells that are present (not null or missing). */
  completeness: Scalars['Float']['output'];
  /** Rows that repeat an earlier row exactly. */
  duplicateRows: Scalars['Int']['output'];
  rowCount: Scalars['Int']['output'];
  /** 0-100: the mean of completeness, type validity and uniqueness, as percentages. */
  score: Scalars['Float']['output'];
  /** Share (0-1) of present cells whose value fits the column type. */
  typeValidity: Scalars['Float']['output'];
};

export type DatasetUpdateInput = {
  category?: InputMaybe<Scalars['String']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type DeleteModelRunPayload = {
  __typename?: 'DeleteModelRunPayload';
  deleted: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
};

export type DependencyHealth = {
  __typename?: 'DependencyHealth';
  /** Whether Beacon can serve without it (false: Redis and the cache fall back; true: the database). */
  critical: Scalars['Boolean']['output'];
  /** What the check found (e.g. `cache link ready`, `L1 only`). */
  detail?: Maybe<Scalars['String']['output']>;
  /** Why it is DOWN; never a host or a credential. */
  error?: Maybe<Scalars['String']['output']>;
  /** How long the check took, in ms (null when it did no I/O). */
  latencyMs?: Maybe<Scalars['Float']['output']>;
  name: Scalars['String']['output'];
  /** True when status is OK. */
  ok: Scalars['Boolean']['output'];
  status: HealthStatus;
};

export type FeatureImportance = {
  __typename?: 'FeatureImportance';
  feature: Scalars['String']['output'];
  importance: Scalars['Float']['output'];
  rank: Scalars['Int']['output'];
};

export type FeatureImportanceInput = {
  feature: Scalars['String']['input'];
  importance: Scalars['Float']['input'];
};

/**
 * Health of the API and its dependencies. The checks run in parallel, each within HEALTH_CHECK_TIMEOUT_MS, and a report
 * is reused for HEALTH_CACHE_MS. A report that is not OK is never stored by the response cache.
 */
export type Health = {
  __typename?: 'Health';
  /** When the checks ran. */
  checkedAt: Scalars['DateTime']['output'];
  database: DependencyHealth;
  /** database, redis and cache, in that order. */
  dependencies: Array<DependencyHealth>;
  /** True while the database is reachable (status OK or DEGRADED). */
  ok: Scalars['Boolean']['output'];
  /** OK; DEGRADED when a non-critical dependency (Redis, the cache's L2) is not; DOWN when the database is unreachable. */
  status: HealthStatus;
  uptimeSeconds: Scalars['Float']['output'];
  version: Scalars['String']['output'];
};

export type HealthStatus =
  | 'DEGRADED'
  | 'DOWN'
  | 'OK';

/** What a mutation would invalidate, found by running it in a transaction that is rolled back (docs/live.md). */
export type InvalidationPreview = {
  __typename?: 'InvalidationPreview';
  /** Entries of this instance's in-process cache (responses and field values) those tags would make stale. */
  staleEntries: Scalars['Int']['output'];
  /** Of those, cached operation responses. */
  staleOperations: Scalars['Int']['output'];
  /** The tags the mutation would invalidate, as its response's extensions.invalidation would name them. */
  tags: Array<Scalars['String']['output']>;
};

/** An input-output model: a square table of technical coefficients over country-sectors. */
export type IoModel = {
  __typename?: 'IoModel';
  countries: Array<Scalars['String']['output']>;
  description: Scalars['String']['output'];
  name: Scalars['String']['output'];
  sectors: Array<Sector>;
  updatedAt: Scalars['DateTime']['output'];
};

export type Metric =
  | 'ACCURACY'
  | 'F1'
  | 'LOG_LOSS'
  | 'MAE'
  | 'PRECISION'
  | 'R2'
  | 'RECALL'
  | 'RMSE'
  | 'ROC_AUC';

export type MetricComparison = {
  __typename?: 'MetricComparison';
  /** Null when no compared run has this metric. */
  bestRun?: Maybe<ModelRun>;
  bestValue?: Maybe<Scalars['Float']['output']>;
  higherIsBetter: Scalars['Boolean']['output'];
  metric: Metric;
  /** One entry per compared run, by ascending run id. */
  values: Array<MetricValue>;
};

export type MetricValue = {
  __typename?: 'MetricValue';
  /** How far the value is from the best (always >= 0); null when the run has no value. */
  deltaToBest?: Maybe<Scalars['Float']['output']>;
  /** 1 for the best; equal values share a rank; null when the run has no value. */
  rank?: Maybe<Scalars['Int']['output']>;
  run: ModelRun;
  value?: Maybe<Scalars['Float']['output']>;
};

/** Runs side by side. The same ids in any order give the same answer. Cached for 30 minutes. */
export type ModelComparison = {
  __typename?: 'ModelComparison';
  metrics: Array<MetricComparison>;
  /** The compared runs, by ascending id. */
  runs: Array<ModelRun>;
};

export type ModelMetrics = {
  __typename?: 'ModelMetrics';
  accuracy?: Maybe<Scalars['Float']['output']>;
  f1?: Maybe<Scalars['Float']['output']>;
  logLoss?: Maybe<Scalars['Float']['output']>;
  mae?: Maybe<Scalars['Float']['output']>;
  precision?: Maybe<Scalars['Float']['output']>;
  r2?: Maybe<Scalars['Float']['output']>;
  recall?: Maybe<Scalars['Float']['output']>;
  rmse?: Maybe<Scalars['Float']['output']>;
  rocAuc?: Maybe<Scalars['Float']['output']>;
};

export type ModelMetricsInput = {
  accuracy?: InputMaybe<Scalars['Float']['input']>;
  f1?: InputMaybe<Scalars['Float']['input']>;
  logLoss?: InputMaybe<Scalars['Float']['input']>;
  mae?: InputMaybe<Scalars['Float']['input']>;
  precision?: InputMaybe<Scalars['Float']['input']>;
  r2?: InputMaybe<Scalars['Float']['input']>;
  recall?: InputMaybe<Scalars['Float']['input']>;
  rmse?: InputMaybe<Scalars['Float']['input']>;
  rocAuc?: InputMaybe<Scalars['Float']['input']>;
};

/** The best completed runs of a dataset by one metric. Cached for 30 minutes. */
export type ModelRanking = {
  __typename?: 'ModelRanking';
  dataset: Dataset;
  entries: Array<RankingEntry>;
  higherIsBetter: Scalars['Boolean']['output'];
  metric: Metric;
};

/** A training run of a model on a dataset. Metrics are cached for 1 hour. */
export type ModelRun = {
  __typename?: 'ModelRun';
  algorithm: Scalars['String']['output'];
  completedAt?: Maybe<Scalars['DateTime']['output']>;
  createdAt: Scalars['DateTime']['output'];
  dataset: Dataset;
  /** Why the run failed, when it did. */
  error?: Maybe<Scalars['String']['output']>;
  /** The `topN` (1-100) most important features, most important first. Cached for 30 minutes. */
  featureImportance: Array<FeatureImportance>;
  hyperparameters: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  /** Null until the run completes. Each metric is null where the task type has none. */
  metrics?: Maybe<ModelMetrics>;
  name: Scalars['String']['output'];
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: ModelRunStatus;
  taskType: TaskType;
  updatedAt: Scalars['DateTime']['output'];
};


/** A training run of a model on a dataset. Metrics are cached for 1 hour. */
export type ModelRunFeatureImportanceArgs = {
  topN?: InputMaybe<Scalars['Int']['input']>;
};

export type ModelRunConnection = {
  __typename?: 'ModelRunConnection';
  edges: Array<ModelRunEdge>;
  nodes: Array<ModelRun>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ModelRunEdge = {
  __typename?: 'ModelRunEdge';
  cursor: Scalars['String']['output'];
  node: ModelRun;
};

export type ModelRunStatus =
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING';

export type Mutation = {
  __typename?: 'Mutation';
  /** Always true; lets each domain extend Mutation. */
  _noop?: Maybe<Scalars['Boolean']['output']>;
  /** Appends rows (1-1000 objects keyed by known column names) after the existing ones. */
  appendDatasetRows: Dataset;
  /** Invalidates cached entries (admin: Authorization: Bearer <ADMIN_TOKEN>). */
  clearCache: ClearCachePayload;
  /** Completes a PENDING or RUNNING run with its metrics and feature importances. */
  completeTraining: ModelRun;
  deleteModelRun: DeleteModelRunPayload;
  /** Marks a PENDING or RUNNING run FAILED with the reason. */
  failTraining: ModelRun;
  /** Creates a PENDING run. */
  startTraining: ModelRun;
  /** Sets coefficients (1-1000 changes) in one transaction; rejects any change that leaves a column sum >= 1. */
  updateCoefficients: UpdateCoefficientsPayload;
  updateDataset: Dataset;
  /** Runs the warm-up operations now (admin: Authorization: Bearer <ADMIN_TOKEN>). */
  warmCache: WarmCachePayload;
};


export type MutationAppendDatasetRowsArgs = {
  id: Scalars['ID']['input'];
  rows: Array<Scalars['JSON']['input']>;
};


export type MutationClearCacheArgs = {
  scope: CacheClearScope;
  value?: InputMaybe<Scalars['String']['input']>;
};


export type MutationCompleteTrainingArgs = {
  featureImportance: Array<FeatureImportanceInput>;
  id: Scalars['ID']['input'];
  metrics: ModelMetricsInput;
};


export type MutationDeleteModelRunArgs = {
  id: Scalars['ID']['input'];
};


export type MutationFailTrainingArgs = {
  error: Scalars['String']['input'];
  id: Scalars['ID']['input'];
};


export type MutationStartTrainingArgs = {
  input: StartTrainingInput;
};


export type MutationUpdateCoefficientsArgs = {
  changes: Array<CoefficientChangeInput>;
  model: Scalars['String']['input'];
};


export type MutationUpdateDatasetArgs = {
  id: Scalars['ID']['input'];
  input: DatasetUpdateInput;
};

export type OperationPerformance = {
  __typename?: 'OperationPerformance';
  avgMs?: Maybe<Scalars['Float']['output']>;
  /** cacheHits / (cacheHits + cacheMisses); null when nothing cacheable was asked. */
  cacheHitRate?: Maybe<Scalars['Float']['output']>;
  /** Responses served from the cache (L1, L2 or stale). */
  cacheHits: Scalars['Int']['output'];
  /** Cacheable responses that had to be computed. */
  cacheMisses: Scalars['Int']['output'];
  count: Scalars['Int']['output'];
  /** errors / count (0 without requests). */
  errorRate: Scalars['Float']['output'];
  errors: Scalars['Int']['output'];
  maxMs?: Maybe<Scalars['Float']['output']>;
  operation: Scalars['String']['output'];
  p50Ms?: Maybe<Scalars['Float']['output']>;
  p95Ms?: Maybe<Scalars['Float']['output']>;
  p99Ms?: Maybe<Scalars['Float']['output']>;
  requestsPerSecond: Scalars['Float']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to get the next page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/**
 * What this instance served over the last PERFORMANCE_WINDOW_SECONDS (default 300), in buckets of
 * PERFORMANCE_BUCKET_SECONDS (default 10): per operation, overall and over time, with the alerts that fire.
 * Latencies are milliseconds from the first byte of the request to the last byte of the response.
 */
export type Performance = {
  __typename?: 'Performance';
  /** The alerts firing now: over all traffic first, then per operation. */
  alerts: Array<PerformanceAlert>;
  bucketSeconds: Scalars['Float']['output'];
  /** Seconds of traffic the numbers cover: the window, or less just after start. */
  coveredSeconds: Scalars['Float']['output'];
  /** Per operation name (`(anonymous)` for unnamed operations; past METRICS_MAX_OPERATIONS names, `(other)`). */
  operations: Array<OperationPerformance>;
  /** The operations with the highest p95 latency. */
  slowest: Array<OperationPerformance>;
  thresholds: AlertThresholds;
  /** One entry per bucket, oldest first: requests, errors, cache hits and latency percentiles over time. */
  timeline: Array<PerformanceBucket>;
  /** All operations together (operation: `(all)`). */
  total: OperationPerformance;
  windowSeconds: Scalars['Float']['output'];
};


/**
 * What this instance served over the last PERFORMANCE_WINDOW_SECONDS (default 300), in buckets of
 * PERFORMANCE_BUCKET_SECONDS (default 10): per operation, overall and over time, with the alerts that fire.
 * Latencies are milliseconds from the first byte of the request to the last byte of the response.
 */
export type PerformanceOperationsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<PerformanceOrder>;
};


/**
 * What this instance served over the last PERFORMANCE_WINDOW_SECONDS (default 300), in buckets of
 * PERFORMANCE_BUCKET_SECONDS (default 10): per operation, overall and over time, with the alerts that fire.
 * Latencies are milliseconds from the first byte of the request to the last byte of the response.
 */
export type PerformanceSlowestArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type PerformanceAlert = {
  __typename?: 'PerformanceAlert';
  message: Scalars['String']['output'];
  /** The operation, or null for all traffic. */
  operation?: Maybe<Scalars['String']['output']>;
  rule: AlertRule;
  samples: Scalars['Int']['output'];
  threshold: Scalars['Float']['output'];
  value: Scalars['Float']['output'];
};

export type PerformanceBucket = {
  __typename?: 'PerformanceBucket';
  cacheHitRate?: Maybe<Scalars['Float']['output']>;
  cacheHits: Scalars['Int']['output'];
  cacheMisses: Scalars['Int']['output'];
  count: Scalars['Int']['output'];
  errors: Scalars['Int']['output'];
  p50Ms?: Maybe<Scalars['Float']['output']>;
  p95Ms?: Maybe<Scalars['Float']['output']>;
  p99Ms?: Maybe<Scalars['Float']['output']>;
  requestsPerSecond: Scalars['Float']['output'];
  /** Seconds the bucket covers so far (less than bucketSeconds for the current one). */
  seconds: Scalars['Float']['output'];
  start: Scalars['DateTime']['output'];
};

export type PerformanceOrder =
  /** Busiest first. */
  | 'COUNT'
  /** Highest error rate first. */
  | 'ERROR_RATE'
  /** Highest p95 first. */
  | 'P95';

export type Query = {
  __typename?: 'Query';
  assessment: Assessment;
  /** Up to 100 country-sectors of one model in one call, in the order asked. */
  assessments: Array<Assessment>;
  /** Cache statistics since start (this instance). Never cached. */
  cacheStats: CacheStats;
  /** Every category with its dataset count. Cached for 30 minutes. */
  categories: Array<Category>;
  /** The technical coefficient: input from `from` per unit of output of `to`. */
  coefficient: Scalars['Float']['output'];
  /** Compares 2-100 runs on the given metrics (default: every metric any of them has). */
  compareModels: ModelComparison;
  dataset?: Maybe<Dataset>;
  /** A page of datasets (first: 1-100), filtered by category and a case-insensitive search of name and description. */
  datasets: DatasetConnection;
  /** Liveness of the API and its database. Cached for 30 seconds. */
  health: Health;
  /**
   * Dry run of one mutation: validated, authorized and executed as the caller would run it, inside a transaction that is
   * rolled back; nothing is invalidated and no cache version moves. Errors are those the mutation would raise. A
   * mutation that creates a row names the id the row would have had (sequences do not roll back: the real write gets the
   * next one).
   */
  invalidationPreview: InvalidationPreview;
  ioModel?: Maybe<IoModel>;
  ioModels: Array<IoModel>;
  /** The `top` (1-100) completed runs of a dataset by a metric. */
  modelRanking: ModelRanking;
  modelRun?: Maybe<ModelRun>;
  /** A page of runs (first: 1-100), newest first, optionally of one dataset and one status. */
  modelRuns: ModelRunConnection;
  /** Request performance over the sliding window (this instance). Never cached. */
  performance: Performance;
  /** The most recently updated datasets (limit: 1-100). */
  topUpdatedDatasets: Array<Dataset>;
};


export type QueryAssessmentArgs = {
  country: Scalars['String']['input'];
  model: Scalars['String']['input'];
  sector: Scalars['String']['input'];
};


export type QueryAssessmentsArgs = {
  model: Scalars['String']['input'];
  pairs: Array<CountrySectorInput>;
};


export type QueryCoefficientArgs = {
  from: CountrySectorInput;
  model: Scalars['String']['input'];
  to: CountrySectorInput;
};


export type QueryCompareModelsArgs = {
  ids: Array<Scalars['ID']['input']>;
  metrics?: InputMaybe<Array<Metric>>;
};


export type QueryDatasetArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDatasetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<DatasetOrder>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryInvalidationPreviewArgs = {
  mutation: Scalars['String']['input'];
  variables?: InputMaybe<Scalars['JSON']['input']>;
};


export type QueryIoModelArgs = {
  name: Scalars['String']['input'];
};


export type QueryModelRankingArgs = {
  datasetId: Scalars['ID']['input'];
  metric: Metric;
  top?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryModelRunArgs = {
  id: Scalars['ID']['input'];
};


export type QueryModelRunsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  datasetId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<ModelRunStatus>;
};


export type QueryTopUpdatedDatasetsArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};

export type RankingEntry = {
  __typename?: 'RankingEntry';
  rank: Scalars['Int']['output'];
  run: ModelRun;
  value: Scalars['Float']['output'];
};

export type RedisNode = {
  __typename?: 'RedisNode';
  /** host:port, as the cluster announces it. */
  address: Scalars['String']['output'];
  /** master (commands go to masters only). */
  role: Scalars['String']['output'];
  /** ready, or down (its slots' commands fail at once until a replica is promoted). */
  state: Scalars['String']['output'];
};

export type RedisStatus = {
  __typename?: 'RedisStatus';
  configured: Scalars['Boolean']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  /** On a Redis Cluster (REDIS_CLUSTER_NODES), each master this instance knows and whether it answers; empty on one Redis. */
  nodes: Array<RedisNode>;
  /** Invalidations waiting to be replayed to Redis (they happened while it was unreachable). */
  pendingReplay: Scalars['Float']['output'];
  /** connecting, ready, reconnecting, closed, or off. */
  state: Scalars['String']['output'];
  /** Whether the invalidation channel is subscribed. */
  subscribed: Scalars['Boolean']['output'];
};

export type RiskLevel =
  | 'HIGH'
  | 'LOW'
  | 'MODERATE'
  | 'SEVERE';

export type Sector = {
  __typename?: 'Sector';
  code: Scalars['String']['output'];
  name: Scalars['String']['output'];
};

export type StartTrainingInput = {
  algorithm: Scalars['String']['input'];
  datasetId: Scalars['ID']['input'];
  hyperparameters?: InputMaybe<Scalars['JSON']['input']>;
  name: Scalars['String']['input'];
  taskType: TaskType;
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Every write's changed entities, as they happen, on any instance (over GraphQL over SSE at /graphql/stream).
   * `types` and `ids` narrow what is sent (none: everything); a team's private entities reach only that team.
   */
  changed: Change;
};


export type SubscriptionChangedArgs = {
  ids?: InputMaybe<Array<Scalars['ID']['input']>>;
  types?: InputMaybe<Array<ChangeType>>;
};

export type TaskType =
  | 'CLASSIFICATION'
  | 'REGRESSION';

/** Upstream requirements split by tier: direct = A e, second = A^2 e, third = A^3 e, rest = the remainder of (L - I) e. */
export type TierExposure = {
  __typename?: 'TierExposure';
  direct: Scalars['Float']['output'];
  rest: Scalars['Float']['output'];
  second: Scalars['Float']['output'];
  third: Scalars['Float']['output'];
  total: Scalars['Float']['output'];
};

export type UpdateCoefficientsPayload = {
  __typename?: 'UpdateCoefficientsPayload';
  /** The number of coefficients set (a value of 0 removes one). */
  changed: Scalars['Int']['output'];
  model: IoModel;
};

export type UpstreamSupplier = {
  __typename?: 'UpstreamSupplier';
  country: Scalars['String']['output'];
  /** Output required per unit of final demand. */
  requirement: Scalars['Float']['output'];
  sector: Scalars['String']['output'];
  /** Share (0-1) of all upstream requirements. */
  share: Scalars['Float']['output'];
};

export type WarmCachePayload = {
  __typename?: 'WarmCachePayload';
  /** Operations whose responses are now cached. */
  cached: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  operations: Scalars['Int']['output'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AlertRule: AlertRule;
  AlertThresholds: ResolverTypeWrapper<AlertThresholds>;
  Assessment: ResolverTypeWrapper<AssessmentResult>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CacheClearScope: CacheClearScope;
  CacheConsistencyStats: ResolverTypeWrapper<CacheConsistencyStats>;
  CacheControlScope: CacheControlScope;
  CacheInvalidationStats: ResolverTypeWrapper<CacheInvalidationStats>;
  CacheLatency: ResolverTypeWrapper<CacheLatency>;
  CacheNameStats: ResolverTypeWrapper<CacheNameStats>;
  CacheStats: ResolverTypeWrapper<CacheStats>;
  CacheTagCountStats: ResolverTypeWrapper<CacheTagCountStats>;
  CacheTierStats: ResolverTypeWrapper<CacheTierStats>;
  CacheTtl: ResolverTypeWrapper<CacheTtl>;
  Category: ResolverTypeWrapper<Category>;
  Change: ResolverTypeWrapper<Change>;
  ChangeType: ChangeType;
  ClearCachePayload: ResolverTypeWrapper<ClearCachePayload>;
  CoefficientChangeInput: CoefficientChangeInput;
  ColumnQuality: ResolverTypeWrapper<ColumnQuality>;
  ColumnType: ColumnType;
  CountrySectorInput: CountrySectorInput;
  CountryShare: ResolverTypeWrapper<CountryShare>;
  Dataset: ResolverTypeWrapper<DatasetRow>;
  DatasetColumn: ResolverTypeWrapper<DatasetColumn>;
  DatasetConnection: ResolverTypeWrapper<DatasetPage>;
  DatasetEdge: ResolverTypeWrapper<Omit<DatasetEdge, 'node'> & { node: ResolversTypes['Dataset'] }>;
  DatasetOrder: DatasetOrder;
  DatasetQuality: ResolverTypeWrapper<DatasetQuality>;
  DatasetUpdateInput: DatasetUpdateInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeleteModelRunPayload: ResolverTypeWrapper<DeleteModelRunPayload>;
  DependencyHealth: ResolverTypeWrapper<DependencyHealth>;
  FeatureImportance: ResolverTypeWrapper<FeatureImportance>;
  FeatureImportanceInput: FeatureImportanceInput;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Health: ResolverTypeWrapper<Health>;
  HealthStatus: HealthStatus;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  InvalidationPreview: ResolverTypeWrapper<InvalidationPreview>;
  IoModel: ResolverTypeWrapper<IoModelRow>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Metric: Metric;
  MetricComparison: ResolverTypeWrapper<Omit<MetricComparison, 'bestRun' | 'values'> & { bestRun?: Maybe<ResolversTypes['ModelRun']>, values: Array<ResolversTypes['MetricValue']> }>;
  MetricValue: ResolverTypeWrapper<Omit<MetricValue, 'run'> & { run: ResolversTypes['ModelRun'] }>;
  ModelComparison: ResolverTypeWrapper<Omit<ModelComparison, 'metrics' | 'runs'> & { metrics: Array<ResolversTypes['MetricComparison']>, runs: Array<ResolversTypes['ModelRun']> }>;
  ModelMetrics: ResolverTypeWrapper<ModelMetrics>;
  ModelMetricsInput: ModelMetricsInput;
  ModelRanking: ResolverTypeWrapper<Omit<ModelRanking, 'dataset' | 'entries'> & { dataset: ResolversTypes['Dataset'], entries: Array<ResolversTypes['RankingEntry']> }>;
  ModelRun: ResolverTypeWrapper<ModelRunRow>;
  ModelRunConnection: ResolverTypeWrapper<ModelRunPage>;
  ModelRunEdge: ResolverTypeWrapper<Omit<ModelRunEdge, 'node'> & { node: ResolversTypes['ModelRun'] }>;
  ModelRunStatus: ModelRunStatus;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  OperationPerformance: ResolverTypeWrapper<OperationPerformance>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Performance: ResolverTypeWrapper<Performance>;
  PerformanceAlert: ResolverTypeWrapper<PerformanceAlert>;
  PerformanceBucket: ResolverTypeWrapper<PerformanceBucket>;
  PerformanceOrder: PerformanceOrder;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RankingEntry: ResolverTypeWrapper<Omit<RankingEntry, 'run'> & { run: ResolversTypes['ModelRun'] }>;
  RedisNode: ResolverTypeWrapper<RedisNode>;
  RedisStatus: ResolverTypeWrapper<RedisStatus>;
  RiskLevel: RiskLevel;
  Sector: ResolverTypeWrapper<Sector>;
  StartTrainingInput: StartTrainingInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TaskType: TaskType;
  TierExposure: ResolverTypeWrapper<TierExposure>;
  UpdateCoefficientsPayload: ResolverTypeWrapper<Omit<UpdateCoefficientsPayload, 'model'> & { model: ResolversTypes['IoModel'] }>;
  UpstreamSupplier: ResolverTypeWrapper<UpstreamSupplier>;
  WarmCachePayload: ResolverTypeWrapper<WarmCachePayload>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AlertThresholds: AlertThresholds;
  Assessment: AssessmentResult;
  Boolean: Scalars['Boolean']['output'];
  CacheConsistencyStats: CacheConsistencyStats;
  CacheInvalidationStats: CacheInvalidationStats;
  CacheLatency: CacheLatency;
  CacheNameStats: CacheNameStats;
  CacheStats: CacheStats;
  CacheTagCountStats: CacheTagCountStats;
  CacheTierStats: CacheTierStats;
  CacheTtl: CacheTtl;
  Category: Category;
  Change: Change;
  ClearCachePayload: ClearCachePayload;
  CoefficientChangeInput: CoefficientChangeInput;
  ColumnQuality: ColumnQuality;
  CountrySectorInput: CountrySectorInput;
  CountryShare: CountryShare;
  Dataset: DatasetRow;
  DatasetColumn: DatasetColumn;
  DatasetConnection: DatasetPage;
  DatasetEdge: Omit<DatasetEdge, 'node'> & { node: ResolversParentTypes['Dataset'] };
  DatasetQuality: DatasetQuality;
  DatasetUpdateInput: DatasetUpdateInput;
  DateTime: Scalars['DateTime']['output'];
  DeleteModelRunPayload: DeleteModelRunPayload;
  DependencyHealth: DependencyHealth;
  FeatureImportance: FeatureImportance;
  FeatureImportanceInput: FeatureImportanceInput;
  Float: Scalars['Float']['output'];
  Health: Health;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  InvalidationPreview: InvalidationPreview;
  IoModel: IoModelRow;
  JSON: Scalars['JSON']['output'];
  MetricComparison: Omit<MetricComparison, 'bestRun' | 'values'> & { bestRun?: Maybe<ResolversParentTypes['ModelRun']>, values: Array<ResolversParentTypes['MetricValue']> };
  MetricValue: Omit<MetricValue, 'run'> & { run: ResolversParentTypes['ModelRun'] };
  ModelComparison: Omit<ModelComparison, 'metrics' | 'runs'> & { metrics: Array<ResolversParentTypes['MetricComparison']>, runs: Array<ResolversParentTypes['ModelRun']> };
  ModelMetrics: ModelMetrics;
  ModelMetricsInput: ModelMetricsInput;
  ModelRanking: Omit<ModelRanking, 'dataset' | 'entries'> & { dataset: ResolversParentTypes['Dataset'], entries: Array<ResolversParentTypes['RankingEntry']> };
  ModelRun: ModelRunRow;
  ModelRunConnection: ModelRunPage;
  ModelRunEdge: Omit<ModelRunEdge, 'node'> & { node: ResolversParentTypes['ModelRun'] };
  Mutation: Record<PropertyKey, never>;
  OperationPerformance: OperationPerformance;
  PageInfo: PageInfo;
  Performance: Performance;
  PerformanceAlert: PerformanceAlert;
  PerformanceBucket: PerformanceBucket;
  Query: Record<PropertyKey, never>;
  RankingEntry: Omit<RankingEntry, 'run'> & { run: ResolversParentTypes['ModelRun'] };
  RedisNode: RedisNode;
  RedisStatus: RedisStatus;
  Sector: Sector;
  StartTrainingInput: StartTrainingInput;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  TierExposure: TierExposure;
  UpdateCoefficientsPayload: Omit<UpdateCoefficientsPayload, 'model'> & { model: ResolversParentTypes['IoModel'] };
  UpstreamSupplier: UpstreamSupplier;
  WarmCachePayload: WarmCachePayload;
};

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = unknown, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type AlertThresholdsResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['AlertThresholds'] = ResolversParentTypes['AlertThresholds']> = {
  errorRateAbove?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  hitRateBelow?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  minSamples?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  p95AboveMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type AssessmentResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Assessment'] = ResolversParentTypes['Assessment']> = {
  country?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  countryShares?: Resolver<Array<ResolversTypes['CountryShare']>, ParentType, ContextType>;
  domesticShare?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  exposureByTier?: Resolver<ResolversTypes['TierExposure'], ParentType, ContextType>;
  foreignShare?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  model?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  outputMultiplier?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  riskLevel?: Resolver<ResolversTypes['RiskLevel'], ParentType, ContextType>;
  riskScore?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  sector?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  supplierCountryHhi?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  topSuppliers?: Resolver<Array<ResolversTypes['UpstreamSupplier']>, ParentType, ContextType, RequireFields<AssessmentTopSuppliersArgs, 'limit'>>;
};

export type CacheConsistencyStatsResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CacheConsistencyStats'] = ResolversParentTypes['CacheConsistencyStats']> = {
  clockLosses?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  readAfterWrite?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  rebaselines?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  remoteChecks?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type CacheInvalidationStatsResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CacheInvalidationStats'] = ResolversParentTypes['CacheInvalidationStats']> = {
  byTagCount?: Resolver<Array<ResolversTypes['CacheTagCountStats']>, ParentType, ContextType>;
  deferred?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  events?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  mirroredTags?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  tags?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type CacheLatencyResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CacheLatency'] = ResolversParentTypes['CacheLatency']> = {
  estimatedTimeSavedMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  hitAvgMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  hits?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  missAvgMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  misses?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type CacheNameStatsResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CacheNameStats'] = ResolversParentTypes['CacheNameStats']> = {
  hitRate?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  hits?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  misses?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CacheStatsResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CacheStats'] = ResolversParentTypes['CacheStats']> = {
  backend?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  backgroundRefreshes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  bypasses?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  consistency?: Resolver<ResolversTypes['CacheConsistencyStats'], ParentType, ContextType>;
  discardedStale?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  fieldLatency?: Resolver<ResolversTypes['CacheLatency'], ParentType, ContextType>;
  fields?: Resolver<Array<ResolversTypes['CacheNameStats']>, ParentType, ContextType>;
  invalidations?: Resolver<ResolversTypes['CacheInvalidationStats'], ParentType, ContextType>;
  operations?: Resolver<Array<ResolversTypes['CacheNameStats']>, ParentType, ContextType>;
  redis?: Resolver<ResolversTypes['RedisStatus'], ParentType, ContextType>;
  responseLatency?: Resolver<ResolversTypes['CacheLatency'], ParentType, ContextType>;
  tiers?: Resolver<Array<ResolversTypes['CacheTierStats']>, ParentType, ContextType>;
  ttls?: Resolver<Array<ResolversTypes['CacheTtl']>, ParentType, ContextType>;
};

export type CacheTagCountStatsResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CacheTagCountStats'] = ResolversParentTypes['CacheTagCountStats']> = {
  events?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  tagCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type CacheTierStatsResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CacheTierStats'] = ResolversParentTypes['CacheTierStats']> = {
  bytes?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  dedupes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  entries?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  errors?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  evictions?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  hits?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  misses?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  sets?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  staleServed?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  tier?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CacheTtlResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CacheTtl'] = ResolversParentTypes['CacheTtl']> = {
  coordinate?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  inheritMaxAge?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  maxAgeSeconds?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  scope?: Resolver<ResolversTypes['CacheControlScope'], ParentType, ContextType>;
};

export type CategoryResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Category'] = ResolversParentTypes['Category']> = {
  datasetCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ChangeResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Change'] = ResolversParentTypes['Change']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['ChangeType'], ParentType, ContextType>;
};

export type ClearCachePayloadResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['ClearCachePayload'] = ResolversParentTypes['ClearCachePayload']> = {
  invalidated?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  scope?: Resolver<ResolversTypes['CacheClearScope'], ParentType, ContextType>;
  value?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type ColumnQualityResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['ColumnQuality'] = ResolversParentTypes['ColumnQuality']> = {
  completeness?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  distinctValues?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['ColumnType'], ParentType, ContextType>;
  typeValidity?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type CountryShareResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['CountryShare'] = ResolversParentTypes['CountryShare']> = {
  country?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  share?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type DatasetResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Dataset'] = ResolversParentTypes['Dataset']> = {
  category?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  columns?: Resolver<Array<ResolversTypes['DatasetColumn']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  modelRuns?: Resolver<ResolversTypes['ModelRunConnection'], ParentType, ContextType, RequireFields<DatasetModelRunsArgs, 'first'>>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  quality?: Resolver<ResolversTypes['DatasetQuality'], ParentType, ContextType>;
  rowCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sample?: Resolver<Array<ResolversTypes['JSON']>, ParentType, ContextType, RequireFields<DatasetSampleArgs, 'size'>>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type DatasetColumnResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['DatasetColumn'] = ResolversParentTypes['DatasetColumn']> = {
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['ColumnType'], ParentType, ContextType>;
};

export type DatasetConnectionResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['DatasetConnection'] = ResolversParentTypes['DatasetConnection']> = {
  edges?: Resolver<Array<ResolversTypes['DatasetEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['Dataset']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type DatasetEdgeResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['DatasetEdge'] = ResolversParentTypes['DatasetEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Dataset'], ParentType, ContextType>;
};

export type DatasetQualityResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['DatasetQuality'] = ResolversParentTypes['DatasetQuality']> = {
  columns?: Resolver<Array<ResolversTypes['ColumnQuality']>, ParentType, ContextType>;
  completeness?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  duplicateRows?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rowCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  typeValidity?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeleteModelRunPayloadResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['DeleteModelRunPayload'] = ResolversParentTypes['DeleteModelRunPayload']> = {
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type DependencyHealthResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['DependencyHealth'] = ResolversParentTypes['DependencyHealth']> = {
  critical?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  detail?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  latencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  ok?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HealthStatus'], ParentType, ContextType>;
};

export type FeatureImportanceResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['FeatureImportance'] = ResolversParentTypes['FeatureImportance']> = {
  feature?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  importance?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  rank?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type HealthResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Health'] = ResolversParentTypes['Health']> = {
  checkedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  database?: Resolver<ResolversTypes['DependencyHealth'], ParentType, ContextType>;
  dependencies?: Resolver<Array<ResolversTypes['DependencyHealth']>, ParentType, ContextType>;
  ok?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HealthStatus'], ParentType, ContextType>;
  uptimeSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type InvalidationPreviewResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['InvalidationPreview'] = ResolversParentTypes['InvalidationPreview']> = {
  staleEntries?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  staleOperations?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
};

export type IoModelResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['IoModel'] = ResolversParentTypes['IoModel']> = {
  countries?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  sectors?: Resolver<Array<ResolversTypes['Sector']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MetricComparisonResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['MetricComparison'] = ResolversParentTypes['MetricComparison']> = {
  bestRun?: Resolver<Maybe<ResolversTypes['ModelRun']>, ParentType, ContextType>;
  bestValue?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  higherIsBetter?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  metric?: Resolver<ResolversTypes['Metric'], ParentType, ContextType>;
  values?: Resolver<Array<ResolversTypes['MetricValue']>, ParentType, ContextType>;
};

export type MetricValueResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['MetricValue'] = ResolversParentTypes['MetricValue']> = {
  deltaToBest?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  rank?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  run?: Resolver<ResolversTypes['ModelRun'], ParentType, ContextType>;
  value?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
};

export type ModelComparisonResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['ModelComparison'] = ResolversParentTypes['ModelComparison']> = {
  metrics?: Resolver<Array<ResolversTypes['MetricComparison']>, ParentType, ContextType>;
  runs?: Resolver<Array<ResolversTypes['ModelRun']>, ParentType, ContextType>;
};

export type ModelMetricsResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['ModelMetrics'] = ResolversParentTypes['ModelMetrics']> = {
  accuracy?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  f1?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  logLoss?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  mae?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  precision?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  r2?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  recall?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  rmse?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  rocAuc?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
};

export type ModelRankingResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['ModelRanking'] = ResolversParentTypes['ModelRanking']> = {
  dataset?: Resolver<ResolversTypes['Dataset'], ParentType, ContextType>;
  entries?: Resolver<Array<ResolversTypes['RankingEntry']>, ParentType, ContextType>;
  higherIsBetter?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  metric?: Resolver<ResolversTypes['Metric'], ParentType, ContextType>;
};

export type ModelRunResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['ModelRun'] = ResolversParentTypes['ModelRun']> = {
  algorithm?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  completedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  dataset?: Resolver<ResolversTypes['Dataset'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  featureImportance?: Resolver<Array<ResolversTypes['FeatureImportance']>, ParentType, ContextType, RequireFields<ModelRunFeatureImportanceArgs, 'topN'>>;
  hyperparameters?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  metrics?: Resolver<Maybe<ResolversTypes['ModelMetrics']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ModelRunStatus'], ParentType, ContextType>;
  taskType?: Resolver<ResolversTypes['TaskType'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type ModelRunConnectionResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['ModelRunConnection'] = ResolversParentTypes['ModelRunConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ModelRunEdge']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['ModelRun']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ModelRunEdgeResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['ModelRunEdge'] = ResolversParentTypes['ModelRunEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ModelRun'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  _noop?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType>;
  appendDatasetRows?: Resolver<ResolversTypes['Dataset'], ParentType, ContextType, RequireFields<MutationAppendDatasetRowsArgs, 'id' | 'rows'>>;
  clearCache?: Resolver<ResolversTypes['ClearCachePayload'], ParentType, ContextType, RequireFields<MutationClearCacheArgs, 'scope'>>;
  completeTraining?: Resolver<ResolversTypes['ModelRun'], ParentType, ContextType, RequireFields<MutationCompleteTrainingArgs, 'featureImportance' | 'id' | 'metrics'>>;
  deleteModelRun?: Resolver<ResolversTypes['DeleteModelRunPayload'], ParentType, ContextType, RequireFields<MutationDeleteModelRunArgs, 'id'>>;
  failTraining?: Resolver<ResolversTypes['ModelRun'], ParentType, ContextType, RequireFields<MutationFailTrainingArgs, 'error' | 'id'>>;
  startTraining?: Resolver<ResolversTypes['ModelRun'], ParentType, ContextType, RequireFields<MutationStartTrainingArgs, 'input'>>;
  updateCoefficients?: Resolver<ResolversTypes['UpdateCoefficientsPayload'], ParentType, ContextType, RequireFields<MutationUpdateCoefficientsArgs, 'changes' | 'model'>>;
  updateDataset?: Resolver<ResolversTypes['Dataset'], ParentType, ContextType, RequireFields<MutationUpdateDatasetArgs, 'id' | 'input'>>;
  warmCache?: Resolver<ResolversTypes['WarmCachePayload'], ParentType, ContextType>;
};

export type OperationPerformanceResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['OperationPerformance'] = ResolversParentTypes['OperationPerformance']> = {
  avgMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  cacheHitRate?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  cacheHits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  cacheMisses?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errorRate?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  errors?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  p50Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p95Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p99Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  requestsPerSecond?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type PerformanceResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Performance'] = ResolversParentTypes['Performance']> = {
  alerts?: Resolver<Array<ResolversTypes['PerformanceAlert']>, ParentType, ContextType>;
  bucketSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  coveredSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  operations?: Resolver<Array<ResolversTypes['OperationPerformance']>, ParentType, ContextType, RequireFields<PerformanceOperationsArgs, 'first' | 'orderBy'>>;
  slowest?: Resolver<Array<ResolversTypes['OperationPerformance']>, ParentType, ContextType, RequireFields<PerformanceSlowestArgs, 'first'>>;
  thresholds?: Resolver<ResolversTypes['AlertThresholds'], ParentType, ContextType>;
  timeline?: Resolver<Array<ResolversTypes['PerformanceBucket']>, ParentType, ContextType>;
  total?: Resolver<ResolversTypes['OperationPerformance'], ParentType, ContextType>;
  windowSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type PerformanceAlertResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['PerformanceAlert'] = ResolversParentTypes['PerformanceAlert']> = {
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  operation?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  rule?: Resolver<ResolversTypes['AlertRule'], ParentType, ContextType>;
  samples?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  threshold?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type PerformanceBucketResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['PerformanceBucket'] = ResolversParentTypes['PerformanceBucket']> = {
  cacheHitRate?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  cacheHits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  cacheMisses?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errors?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  p50Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p95Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p99Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  requestsPerSecond?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  seconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  start?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  assessment?: Resolver<ResolversTypes['Assessment'], ParentType, ContextType, RequireFields<QueryAssessmentArgs, 'country' | 'model' | 'sector'>>;
  assessments?: Resolver<Array<ResolversTypes['Assessment']>, ParentType, ContextType, RequireFields<QueryAssessmentsArgs, 'model' | 'pairs'>>;
  cacheStats?: Resolver<ResolversTypes['CacheStats'], ParentType, ContextType>;
  categories?: Resolver<Array<ResolversTypes['Category']>, ParentType, ContextType>;
  coefficient?: Resolver<ResolversTypes['Float'], ParentType, ContextType, RequireFields<QueryCoefficientArgs, 'from' | 'model' | 'to'>>;
  compareModels?: Resolver<ResolversTypes['ModelComparison'], ParentType, ContextType, RequireFields<QueryCompareModelsArgs, 'ids'>>;
  dataset?: Resolver<Maybe<ResolversTypes['Dataset']>, ParentType, ContextType, RequireFields<QueryDatasetArgs, 'id'>>;
  datasets?: Resolver<ResolversTypes['DatasetConnection'], ParentType, ContextType, RequireFields<QueryDatasetsArgs, 'first' | 'orderBy'>>;
  health?: Resolver<ResolversTypes['Health'], ParentType, ContextType>;
  invalidationPreview?: Resolver<ResolversTypes['InvalidationPreview'], ParentType, ContextType, RequireFields<QueryInvalidationPreviewArgs, 'mutation'>>;
  ioModel?: Resolver<Maybe<ResolversTypes['IoModel']>, ParentType, ContextType, RequireFields<QueryIoModelArgs, 'name'>>;
  ioModels?: Resolver<Array<ResolversTypes['IoModel']>, ParentType, ContextType>;
  modelRanking?: Resolver<ResolversTypes['ModelRanking'], ParentType, ContextType, RequireFields<QueryModelRankingArgs, 'datasetId' | 'metric' | 'top'>>;
  modelRun?: Resolver<Maybe<ResolversTypes['ModelRun']>, ParentType, ContextType, RequireFields<QueryModelRunArgs, 'id'>>;
  modelRuns?: Resolver<ResolversTypes['ModelRunConnection'], ParentType, ContextType, RequireFields<QueryModelRunsArgs, 'first'>>;
  performance?: Resolver<ResolversTypes['Performance'], ParentType, ContextType>;
  topUpdatedDatasets?: Resolver<Array<ResolversTypes['Dataset']>, ParentType, ContextType, RequireFields<QueryTopUpdatedDatasetsArgs, 'limit'>>;
};

export type RankingEntryResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['RankingEntry'] = ResolversParentTypes['RankingEntry']> = {
  rank?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  run?: Resolver<ResolversTypes['ModelRun'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type RedisNodeResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['RedisNode'] = ResolversParentTypes['RedisNode']> = {
  address?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type RedisStatusResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['RedisStatus'] = ResolversParentTypes['RedisStatus']> = {
  configured?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  lastError?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  nodes?: Resolver<Array<ResolversTypes['RedisNode']>, ParentType, ContextType>;
  pendingReplay?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subscribed?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type SectorResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Sector'] = ResolversParentTypes['Sector']> = {
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  changed?: SubscriptionResolver<ResolversTypes['Change'], "changed", ParentType, ContextType, Partial<SubscriptionChangedArgs>>;
};

export type TierExposureResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['TierExposure'] = ResolversParentTypes['TierExposure']> = {
  direct?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  rest?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  second?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  third?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type UpdateCoefficientsPayloadResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['UpdateCoefficientsPayload'] = ResolversParentTypes['UpdateCoefficientsPayload']> = {
  changed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  model?: Resolver<ResolversTypes['IoModel'], ParentType, ContextType>;
};

export type UpstreamSupplierResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['UpstreamSupplier'] = ResolversParentTypes['UpstreamSupplier']> = {
  country?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  requirement?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  sector?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  share?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type WarmCachePayloadResolvers<ContextType = unknown, ParentType extends ResolversParentTypes['WarmCachePayload'] = ResolversParentTypes['WarmCachePayload']> = {
  cached?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  operations?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type Resolvers<ContextType = unknown> = {
  AlertThresholds?: AlertThresholdsResolvers<ContextType>;
  Assessment?: AssessmentResolvers<ContextType>;
  CacheConsistencyStats?: CacheConsistencyStatsResolvers<ContextType>;
  CacheInvalidationStats?: CacheInvalidationStatsResolvers<ContextType>;
  CacheLatency?: CacheLatencyResolvers<ContextType>;
  CacheNameStats?: CacheNameStatsResolvers<ContextType>;
  CacheStats?: CacheStatsResolvers<ContextType>;
  CacheTagCountStats?: CacheTagCountStatsResolvers<ContextType>;
  CacheTierStats?: CacheTierStatsResolvers<ContextType>;
  CacheTtl?: CacheTtlResolvers<ContextType>;
  Category?: CategoryResolvers<ContextType>;
  Change?: ChangeResolvers<ContextType>;
  ClearCachePayload?: ClearCachePayloadResolvers<ContextType>;
  ColumnQuality?: ColumnQualityResolvers<ContextType>;
  CountryShare?: CountryShareResolvers<ContextType>;
  Dataset?: DatasetResolvers<ContextType>;
  DatasetColumn?: DatasetColumnResolvers<ContextType>;
  DatasetConnection?: DatasetConnectionResolvers<ContextType>;
  DatasetEdge?: DatasetEdgeResolvers<ContextType>;
  DatasetQuality?: DatasetQualityResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeleteModelRunPayload?: DeleteModelRunPayloadResolvers<ContextType>;
  DependencyHealth?: DependencyHealthResolvers<ContextType>;
  FeatureImportance?: FeatureImportanceResolvers<ContextType>;
  Health?: HealthResolvers<ContextType>;
  InvalidationPreview?: InvalidationPreviewResolvers<ContextType>;
  IoModel?: IoModelResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  MetricComparison?: MetricComparisonResolvers<ContextType>;
  MetricValue?: MetricValueResolvers<ContextType>;
  ModelComparison?: ModelComparisonResolvers<ContextType>;
  ModelMetrics?: ModelMetricsResolvers<ContextType>;
  ModelRanking?: ModelRankingResolvers<ContextType>;
  ModelRun?: ModelRunResolvers<ContextType>;
  ModelRunConnection?: ModelRunConnectionResolvers<ContextType>;
  ModelRunEdge?: ModelRunEdgeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  OperationPerformance?: OperationPerformanceResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Performance?: PerformanceResolvers<ContextType>;
  PerformanceAlert?: PerformanceAlertResolvers<ContextType>;
  PerformanceBucket?: PerformanceBucketResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RankingEntry?: RankingEntryResolvers<ContextType>;
  RedisNode?: RedisNodeResolvers<ContextType>;
  RedisStatus?: RedisStatusResolvers<ContextType>;
  Sector?: SectorResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  TierExposure?: TierExposureResolvers<ContextType>;
  UpdateCoefficientsPayload?: UpdateCoefficientsPayloadResolvers<ContextType>;
  UpstreamSupplier?: UpstreamSupplierResolvers<ContextType>;
  WarmCachePayload?: WarmCachePayloadResolvers<ContextType>;
};

export type DirectiveResolvers<ContextType = unknown> = {
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
};
