// The requests of the mixed workload (bench/lib/mixed.ts) and what each read shows, for the truth check
// (staleness.ts). Reads: the README's dashboard query (README.md, "A query, a dashboard's first screen") and the model
// query of docs/examples.md (`query Models`), with their literals turned into variables. Writes: the mutations a
// data team and a training job send (rename a dataset; start a run, then complete it with its metrics).

/** The Dashboard's topUpdatedDatasets limit (the README's). */
export const TOP_UPDATED = 5;

/** README.md's Dashboard, with the category and page size as variables. */
export const DASHBOARD =
  'query Dashboard($category: String!, $first: Int!) { categories { name datasetCount } ' +
  `topUpdatedDatasets(limit: ${TOP_UPDATED}) { id name category rowCount updatedAt } ` +
  'datasets(first: $first, category: $category, orderBy: UPDATED_AT_DESC) { totalCount pageInfo { hasNextPage endCursor } ' +
  'nodes { id name quality { score duplicateRows completeness } sample(size: 3) } } }';

/** docs/examples.md's Models, with the dataset and the compared runs as variables. */
export const MODELS =
  'query Models($dataset: ID!, $runs: [ID!]!) { ' +
  'modelRuns(first: 10, datasetId: $dataset, status: COMPLETED) { nodes { id name algorithm metrics { f1 rocAuc } ' +
  'featureImportance(topN: 5) { feature importance } } } ' +
  'compareModels(ids: $runs, metrics: [F1, ROC_AUC]) { metrics { metric bestRun { id } values { run { id } value deltaToBest rank } } } ' +
  'modelRanking(datasetId: $dataset, metric: F1, top: 5) { entries { rank value run { id name } } } }';

export const RENAME = 'mutation Rename($id: ID!, $name: String!) { updateDataset(id: $id, input: { name: $name }) { id name } }';
export const START =
  'mutation Train($dataset: ID!, $name: String!) { startTraining(input: { datasetId: $dataset, name: $name, algorithm: "xgboost", ' +
  'taskType: CLASSIFICATION, hyperparameters: { max_depth: 6 } }) { id status } }';
export const FINISH =
  'mutation Finish($run: ID!, $f1: Float!) { completeTraining(id: $run, metrics: { accuracy: 0.91, f1: $f1, rocAuc: 0.95 }, ' +
  'featureImportance: [{ feature: "age", importance: 0.4 }, { feature: "label=north", importance: 0.2 }]) { id status metrics { f1 } } }';

/** The demo seed (src/seed.ts): 500 datasets in 14 categories (dataset i in CATEGORIES[(i-1) % 14]), 10 runs each. */
export const DATASETS = 500;
export const CATEGORIES = [
  'Agriculture', 'Education', 'Energy', 'Environment', 'Finance', 'Health', 'Housing',
  'Labor', 'Public Safety', 'Retail', 'Sports', 'Telecommunications', 'Tourism', 'Transportation',
] as const;
export const PAGE_SIZES = [10, 20] as const;

const body = (operationName: string, query: string, variables: Record<string, unknown>) => JSON.stringify({ operationName, query, variables });

export const dashboardBody = (category: string, first: number) => body('Dashboard', DASHBOARD, { category, first });
/** The runs it compares are the dataset's (run r belongs to dataset (r-1) % 500 + 1), as docs/examples.md's 507, 1007, 3007. */
export const modelsBody = (dataset: number) =>
  body('Models', MODELS, { dataset: String(dataset), runs: [dataset + 500, dataset + 1000, dataset + 3000].map(String) });
export const renameBody = (id: number, seq: number) => body('Rename', RENAME, { id: String(id), name: datasetName(id, seq) });
export const startBody = (dataset: number, seq: number) => body('Train', START, { dataset: String(dataset), name: `mixed-run-w${seq}` });
export const finishBody = (run: number, f1: number) => body('Finish', FINISH, { run: String(run), f1 });

/** A renamed dataset's name carries the write's sequence number: the version a read shows (staleness.ts). */
export const datasetName = (id: number, seq: number) => `Dataset ${id} w${seq}`;
export const nameVersion = (name: string) => Number(/ w(\d+)$/.exec(name)?.[1] ?? 0);

export const datasetEntity = (id: number | string) => `Dataset:${id}`;
/** The completed runs of a dataset: its version is the highest run id shown (ids only grow, newest first). */
export const completedRunsEntity = (dataset: number | string) => `CompletedRuns:${dataset}`;

interface DashboardData {
  topUpdatedDatasets: Array<{ id: string; name: string }>;
  datasets: { nodes: Array<{ id: string; name: string }> };
}
interface ModelsData {
  modelRuns: { nodes: Array<{ id: string }> };
}

/** What a Dashboard answer shows: every dataset in it, at the version its name carries. */
export function shownByDashboard(data: DashboardData): Array<{ entity: string; version: number }> {
  return [...data.topUpdatedDatasets, ...data.datasets.nodes].map((d) => ({ entity: datasetEntity(d.id), version: nameVersion(d.name) }));
}

/** The datasets a Dashboard answer lists as the last updated (topUpdatedDatasets). */
export function listedByDashboard(data: DashboardData): string[] {
  return data.topUpdatedDatasets.map((d) => datasetEntity(d.id));
}

/** What a Models answer shows: the dataset's completed runs, at the newest run id in the page. */
export function shownByModels(dataset: number, data: ModelsData): Array<{ entity: string; version: number }> {
  return [{ entity: completedRunsEntity(dataset), version: Math.max(0, ...data.modelRuns.nodes.map((n) => Number(n.id))) }];
}

/** mulberry32: a small seeded generator, so every variant gets the same request stream per worker and round. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(s) over 1..n (1 the most frequent): a few hot entities and a long tail, as dashboards ask. */
export function zipf(n: number, s = 1): (random: () => number) => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) cumulative[k - 1] = total += 1 / k ** s;
  return (random) => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  };
}
