// The requests of every scenario, built here once so the harness, the Lua scripts (through files) and the byte
// checks all send exactly the same bytes. Bodies are compact JSON on one line each.

/** A dashboard panel for one dataset: the dataset, its columns and its latest runs with their headline metrics. */
export function dashboardQuery(name: string): string {
  return (
    `query ${name}($id: ID!, $runs: Int!, $status: ModelRunStatus) { dataset(id: $id) { id name description category tags ` +
    `rowCount updatedAt columns { name type } modelRuns(first: $runs, status: $status) { totalCount nodes { id name ` +
    `algorithm status metrics { accuracy f1 rmse r2 } } } } }`
  );
}

export const DASHBOARD = dashboardQuery('Dashboard');
/** The same panel for the datasets scenario (d) writes to: a name of its own, so cacheStats counts it apart. */
export const DASHBOARD_TOUCHED = dashboardQuery('DashboardTouched');

export const STATUSES = ['null', '"COMPLETED"', '"FAILED"', '"RUNNING"', '"PENDING"'] as const;
export const DEMO_DATASETS = 500;
export const MAX_RUNS = 100;
/** Distinct variable sets of the miss scenario (bench/wrk/miss.lua enumerates them the same way). */
export const MISS_SPACE = DEMO_DATASETS * MAX_RUNS * STATUSES.length;

/** The dashboard body for one variable set; `status` is JSON text (null or a quoted enum value). */
export function dashboardBody(id: number, runs: number, status: string = 'null', operation = 'Dashboard'): string {
  const query = operation === 'Dashboard' ? DASHBOARD : dashboardQuery(operation);
  const [before, middle, after, end] = templateParts(query, operation);
  return `${before}${id}${middle}${runs}${after}${status}${end}`;
}

/** The four pieces of a dashboard body around id, runs and status: what miss.lua concatenates. */
export function templateParts(query = DASHBOARD, operation = 'Dashboard'): [string, string, string, string] {
  const text = JSON.stringify({ operationName: operation, query, variables: { id: '@ID@', runs: '@RUNS@', status: '@STATUS@' } });
  const [before, rest1] = split(text, '@ID@');
  const [middle, rest2] = split(rest1, '"@RUNS@"');
  const [after, end] = split(rest2, '"@STATUS@"');
  return [before, middle, after, end];
}

function split(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  if (at === -1 || text.indexOf(marker, at + 1) !== -1) throw new Error(`template marker ${marker} must occur once`);
  return [text.slice(0, at), text.slice(at + marker.length)];
}

/** The i-th body of the miss scenario, as miss.lua builds it. */
export function missBody(i: number): string {
  const id = (i % DEMO_DATASETS) + 1;
  const runs = (Math.floor(i / DEMO_DATASETS) % MAX_RUNS) + 1;
  const status = STATUSES[Math.floor(i / (DEMO_DATASETS * MAX_RUNS)) % STATUSES.length]!;
  return dashboardBody(id, runs, status);
}

/** Scenario a/b: 100 distinct variable sets (datasets 1-100, their 10 latest runs). */
export function hotBodies(): string[] {
  return Array.from({ length: 100 }, (_, k) => dashboardBody(k + 1, 10));
}

/** Scenario d: the datasets the writes touch, the reads (on all 100), and the writes. */
export const TOUCHED_IDS = [1, 2, 3, 4, 5];
export const MUTATION =
  'mutation Touch($id: ID!, $description: String!) { updateDataset(id: $id, input: { description: $description }) { id description } }';

export function mixedReads(): string[] {
  return Array.from({ length: 100 }, (_, k) => {
    const id = k + 1;
    return dashboardBody(id, 10, 'null', TOUCHED_IDS.includes(id) ? 'DashboardTouched' : 'Dashboard');
  });
}

export function mutationBody(id: number, note: number): string {
  return JSON.stringify({ operationName: 'Touch', query: MUTATION, variables: { id: String(id), description: `Benchmark note ${note}.` } });
}

/** Four descriptions per touched dataset, rotated: each write really changes the row. */
export function mixedWrites(): string[] {
  const writes: string[] = [];
  for (let note = 1; note <= 4; note++) for (const id of TOUCHED_IDS) writes.push(mutationBody(id, note));
  return writes;
}

/** Scenario e: one supply-chain assessment. */
export const ASSESSMENT =
  'query Assessment($model: String!, $country: String!, $sector: String!) { assessment(model: $model, country: $country, ' +
  'sector: $sector) { model country sector outputMultiplier domesticShare foreignShare supplierCountryHhi riskScore riskLevel ' +
  'topSuppliers(limit: 5) { country sector requirement share } countryShares { country share } exposureByTier { direct ' +
  'second third rest total } } }';

export function assessmentBody(model: string, country: string, sector: string): string {
  return JSON.stringify({ operationName: 'Assessment', query: ASSESSMENT, variables: { model, country, sector } });
}

/** Scenario f: a page of 100 runs with their dataset, metrics and top features. */
export const RUNS_PAGE =
  'query RunsPage { modelRuns(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { id name algorithm ' +
  'status createdAt dataset { id name category } metrics { accuracy precision recall f1 rocAuc logLoss rmse mae r2 } ' +
  'featureImportance(topN: 5) { feature importance rank } } } }';

export const RUNS_PAGE_BODY = JSON.stringify({ operationName: 'RunsPage', query: RUNS_PAGE });

export const CACHE_STATS_BODY = JSON.stringify({ query: '{ cacheStats { bypasses tiers { tier hits misses } operations { name hits misses } } }' });
export const IO_MODELS_BODY = JSON.stringify({ query: '{ ioModels { name countries sectors { code } } }' });
