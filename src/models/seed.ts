// Demo model runs: `count` runs spread evenly over every dataset, in all four statuses (mostly COMPLETED), with
// plausible metrics for the dataset's task, hyperparameters of the algorithm, 20-30 feature importances per
// completed run (named after the dataset's columns) and an error for each failed run. Deterministic: every value
// comes from `random`, every time from a fixed base, never from the clock.
import { sql, type Kysely } from 'kysely';
import type { Random } from '../db/random.js';
import type { ColumnSpec, RunStatus, Tables, TaskType } from '../db/tables.js';
import type { MetricColumns } from './training-input.js';

const EPOCH = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Average spacing of run creation times, newest (highest id) last. */
const RUN_SPACING = 25 * MINUTE;
/** Rows per insert statement: far below PostgreSQL's parameter limit, large enough to keep statements few. */
const RUN_CHUNK = 1_000;
const FEATURE_CHUNK = 4_000;
const FEATURES_PER_RUN: [number, number] = [20, 30];

interface Algorithm {
  name: string;
  /** Added to the dataset's base score: boosted trees usually beat a linear baseline. */
  skill: number;
  hyperparameters(random: Random): Record<string, unknown>;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

const TREE_BOOSTERS: Algorithm[] = [
  {
    name: 'xgboost',
    skill: 0.06,
    hyperparameters: (r) => ({
      n_estimators: r.pick([100, 200, 400, 800]),
      max_depth: r.int(3, 10),
      learning_rate: r.pick([0.01, 0.03, 0.05, 0.1, 0.3]),
      subsample: round(r.float(0.6, 1), 2),
      colsample_bytree: round(r.float(0.5, 1), 2),
    }),
  },
  {
    name: 'lightgbm',
    skill: 0.06,
    hyperparameters: (r) => ({
      num_leaves: r.pick([15, 31, 63, 127]),
      n_estimators: r.pick([100, 300, 500, 1000]),
      learning_rate: r.pick([0.01, 0.05, 0.1]),
      min_child_samples: r.int(5, 50),
      feature_fraction: round(r.float(0.6, 1), 2),
    }),
  },
  {
    name: 'random_forest',
    skill: 0.04,
    hyperparameters: (r) => ({
      n_estimators: r.pick([100, 200, 500]),
      max_depth: r.pick([null, 8, 12, 16, 24]),
      min_samples_leaf: r.int(1, 10),
      max_features: r.pick(['sqrt', 'log2', 0.5]),
      bootstrap: r.chance(0.8),
    }),
  },
  {
    name: 'mlp',
    skill: 0.03,
    hyperparameters: (r) => ({
      hidden_layers: r.pick([[64], [128, 64], [256, 128, 64]]),
      activation: r.pick(['relu', 'tanh', 'gelu']),
      learning_rate: r.pick([0.0001, 0.0003, 0.001]),
      batch_size: r.pick([32, 64, 128, 256]),
      epochs: r.int(10, 200),
      dropout: round(r.float(0, 0.5), 2),
    }),
  },
];

const ALGORITHMS: Record<TaskType, Algorithm[]> = {
  CLASSIFICATION: [
    ...TREE_BOOSTERS,
    {
      name: 'logistic_regression',
      skill: 0,
      hyperparameters: (r) => ({
        C: r.pick([0.01, 0.1, 1, 10]),
        penalty: r.pick(['l1', 'l2', 'elasticnet']),
        max_iter: r.pick([100, 500, 1000]),
        class_weight: r.pick([null, 'balanced']),
      }),
    },
    {
      name: 'svm',
      skill: 0.02,
      hyperparameters: (r) => ({ C: r.pick([0.1, 1, 10]), kernel: r.pick(['rbf', 'linear', 'poly']), gamma: 'scale' }),
    },
  ],
  REGRESSION: [
    ...TREE_BOOSTERS,
    {
      name: 'linear_regression',
      skill: 0,
      hyperparameters: (r) => ({ fit_intercept: true, normalize: r.chance(0.5) }),
    },
    {
      name: 'ridge',
      skill: 0.01,
      hyperparameters: (r) => ({ alpha: r.pick([0.1, 1, 10, 100]), solver: r.pick(['auto', 'svd', 'cholesky']) }),
    },
  ],
};

const ERRORS = [
  'CUDA out of memory: tried to allocate 2.00 GiB',
  'Training diverged: loss became NaN at epoch 14',
  'Worker lost: no heartbeat for 600 s',
  'Timed out after 3600 s',
  'Target column has a single class in the training split',
  'Input contains infinity or a value too large for float64',
  'Disk quota exceeded while writing checkpoint',
];

const CATEGORY_VALUES = ['north', 'south', 'east', 'west', 'central', 'alpha', 'beta', 'gamma', 'delta', 'omega'];

/** What the runs of one dataset share: its task, how hard it is, and the features its models can use. */
interface DatasetProfile {
  id: number;
  createdAt: number;
  task: TaskType;
  /** 0 (easy) to 1 (hard). */
  difficulty: number;
  /** Scale of the regression target, for plausible RMSE and MAE values. */
  targetScale: number;
  features: string[];
  versions: Map<string, number>;
}

export async function seedModelRuns(db: Kysely<Tables>, count: number, random: Random): Promise<void> {
  const datasets = await db.selectFrom('datasets').select(['id', 'columns', 'created_at']).orderBy('id').execute();
  if (datasets.length === 0 || count <= 0) return;
  const profiles = datasets.map((d) => profileOf(d.id, d.columns, new Date(d.created_at).getTime(), random));
  const { maxId } = await db
    .selectFrom('model_runs')
    .select((eb) => eb.fn.coalesce(eb.fn.max('id'), eb.lit(0)).as('maxId'))
    .executeTakeFirstOrThrow();

  const runs: Parameters<typeof insertRuns>[1] = [];
  const features: FeatureRows = { runIds: [], ranks: [], names: [], importances: [] };
  for (let i = 0; i < count; i += 1) {
    // Round-robin over the datasets: every dataset gets runs, and the newest runs belong to many datasets.
    const profile = profiles[i % profiles.length];
    const id = Number(maxId) + i + 1;
    const run = makeRun(id, i, count, profile, random);
    runs.push(run);
    if (run.status === 'COMPLETED') addFeatures(features, id, profile.features, random);
  }

  await insertRuns(db, runs);
  await insertFeatures(db, features);
  // Ids were given explicitly (so features could reference them before insert); move the sequence past them.
  await sql`select setval(pg_get_serial_sequence('model_runs', 'id'), (select max(id) from model_runs))`.execute(db);
}

function profileOf(id: number, columns: ColumnSpec[], createdAt: number, random: Random): DatasetProfile {
  const usable = columns.filter((column) => column.name !== 'id');
  // One column is what the models predict; the rest (and what is derived from them) are features.
  const target = usable.length > 1 ? usable[random.int(0, usable.length - 1)] : undefined;
  const inputs = usable.filter((column) => column !== target);
  const task: TaskType =
    target?.type === 'FLOAT' ? 'REGRESSION' : target?.type === 'BOOLEAN' || target?.type === 'STRING' ? 'CLASSIFICATION'
      : random.chance(0.6) ? 'CLASSIFICATION' : 'REGRESSION';
  return {
    id,
    createdAt,
    task,
    difficulty: random.next(),
    targetScale: round(10 ** random.float(0, 3.5), 2),
    features: featurePool(inputs),
    versions: new Map(),
  };
}

/** Feature names a pipeline would derive from the columns: raw values, transforms, one-hot levels, interactions. */
function featurePool(columns: ColumnSpec[]): string[] {
  const names: string[] = [];
  for (const { name, type } of columns) {
    if (type === 'FLOAT' || type === 'INTEGER') names.push(name, `${name}_log`, `${name}_zscore`, `${name}_sq`, `${name}_bin`);
    else if (type === 'STRING') names.push(...CATEGORY_VALUES.map((value) => `${name}=${value}`));
    else if (type === 'BOOLEAN') names.push(`${name}=true`, `${name}_missing`);
    else names.push(`${name}_year`, `${name}_month`, `${name}_dayofweek`, `days_since_${name}`);
  }
  for (let a = 0; a < columns.length; a += 1) {
    for (let b = a + 1; b < columns.length; b += 1) names.push(`${columns[a].name}_x_${columns[b].name}`);
  }
  // A dataset with few columns still offers 30 names, as an embedding or hashing step would.
  for (let k = 0; names.length < FEATURES_PER_RUN[1]; k += 1) names.push(`hash_bucket_${k}`);
  return names;
}

function makeRun(id: number, index: number, count: number, profile: DatasetProfile, random: Random) {
  const status = pickStatus(index, count, random);
  const algorithm = random.pick(ALGORITHMS[profile.task]);
  const version = (profile.versions.get(algorithm.name) ?? 0) + 1;
  profile.versions.set(algorithm.name, version);

  // Creation times rise with the id (newest first = highest id first) and never precede the dataset.
  const slot = EPOCH - (count - index) * RUN_SPACING + random.int(0, RUN_SPACING / 2);
  const createdAt = Math.max(slot, profile.createdAt + HOUR + random.int(0, HOUR));
  const startedAt = status === 'PENDING' ? null : createdAt + random.int(10_000, 20 * MINUTE);
  const finished = status === 'COMPLETED' || status === 'FAILED';
  const completedAt = finished && startedAt !== null ? startedAt + random.int(2 * MINUTE, 3 * HOUR) : null;
  const metrics = status === 'COMPLETED' ? makeMetrics(profile, algorithm, random) : noMetrics();

  return {
    id,
    dataset_id: profile.id,
    name: `${algorithm.name} v${version}`,
    algorithm: algorithm.name,
    task_type: profile.task,
    status,
    hyperparameters: JSON.stringify({ ...algorithm.hyperparameters(random), random_state: random.int(0, 9_999) }),
    ...metrics,
    error: status === 'FAILED' ? random.pick(ERRORS) : null,
    created_at: new Date(createdAt),
    started_at: startedAt === null ? null : new Date(startedAt),
    completed_at: completedAt === null ? null : new Date(completedAt),
    updated_at: new Date(completedAt ?? startedAt ?? createdAt),
  };
}

/** Mostly COMPLETED; runs still PENDING or RUNNING are mostly among the newest tenth. */
function pickStatus(index: number, count: number, random: Random): RunStatus {
  const recent = index >= count * 0.9;
  const roll = random.next();
  if (recent) return roll < 0.55 ? 'COMPLETED' : roll < 0.75 ? 'RUNNING' : roll < 0.9 ? 'PENDING' : 'FAILED';
  return roll < 0.9 ? 'COMPLETED' : roll < 0.98 ? 'FAILED' : roll < 0.99 ? 'RUNNING' : 'PENDING';
}

function noMetrics(): MetricColumns {
  return { accuracy: null, precision: null, recall: null, f1: null, roc_auc: null, log_loss: null, rmse: null, mae: null, r2: null };
}

function makeMetrics(profile: DatasetProfile, algorithm: Algorithm, random: Random): MetricColumns {
  const metrics = noMetrics();
  const ease = 1 - profile.difficulty;
  if (profile.task === 'CLASSIFICATION') {
    const accuracy = clamp(0.6 + 0.28 * ease + algorithm.skill + random.float(-0.03, 0.03), 0.5, 0.995);
    const precision = clamp(accuracy + random.float(-0.05, 0.03), 0.3, 0.999);
    const recall = clamp(accuracy + random.float(-0.07, 0.03), 0.3, 0.999);
    metrics.accuracy = round(accuracy, 4);
    metrics.precision = round(precision, 4);
    metrics.recall = round(recall, 4);
    metrics.f1 = round((2 * precision * recall) / (precision + recall), 4);
    metrics.roc_auc = round(clamp(accuracy + random.float(0.02, 0.08), 0.5, 0.999), 4);
    metrics.log_loss = round(-Math.log(accuracy) * random.float(1.2, 1.8), 4);
  } else {
    const r2 = clamp(0.35 + 0.5 * ease + algorithm.skill + random.float(-0.05, 0.05), -0.2, 0.99);
    const rmse = profile.targetScale * Math.sqrt(1 - r2) * random.float(0.9, 1.1);
    metrics.r2 = round(r2, 4);
    metrics.rmse = round(rmse, 4);
    metrics.mae = round(rmse * random.float(0.7, 0.85), 4);
  }
  return metrics;
}

/** Column-wise, ready for the unnest insert. */
interface FeatureRows {
  runIds: number[];
  ranks: number[];
  names: string[];
  importances: number[];
}

/** 20-30 distinct features with importances that fall off like a real model's and sum to about 1. */
function addFeatures(rows: FeatureRows, runId: number, pool: readonly string[], random: Random): void {
  const n = random.int(FEATURES_PER_RUN[0], Math.min(FEATURES_PER_RUN[1], pool.length));
  // A partial Fisher-Yates shuffle picks n distinct names.
  const names = [...pool];
  for (let k = 0; k < n; k += 1) {
    const j = random.int(k, names.length - 1);
    [names[k], names[j]] = [names[j], names[k]];
  }
  const decay = random.float(0.08, 0.3);
  const weights = names.slice(0, n).map((_, k) => Math.exp(-decay * k) * random.float(0.7, 1.3));
  const total = weights.reduce((sum, w) => sum + w, 0);
  const ranked = weights
    .map((w, k) => ({ feature: names[k], importance: round(w / total, 6) }))
    .sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : 1));
  ranked.forEach((entry, k) => {
    rows.runIds.push(runId);
    rows.ranks.push(k + 1);
    rows.names.push(entry.feature);
    rows.importances.push(entry.importance);
  });
}

async function insertRuns(db: Kysely<Tables>, runs: (ReturnType<typeof makeRun>)[]): Promise<void> {
  for (let start = 0; start < runs.length; start += RUN_CHUNK) {
    await db.insertInto('model_runs').values(runs.slice(start, start + RUN_CHUNK)).execute();
  }
}

/** Four array parameters per statement instead of four per row: parsing and binding stay cheap at 100k rows. */
async function insertFeatures(db: Kysely<Tables>, rows: FeatureRows): Promise<void> {
  for (let start = 0; start < rows.runIds.length; start += FEATURE_CHUNK) {
    const end = start + FEATURE_CHUNK;
    await sql`
      insert into feature_importances (run_id, rank, feature, importance)
      select * from unnest(
        ${rows.runIds.slice(start, end)}::int[],
        ${rows.ranks.slice(start, end)}::int[],
        ${rows.names.slice(start, end)}::text[],
        ${rows.importances.slice(start, end)}::float8[]
      )
    `.execute(db);
  }
}
