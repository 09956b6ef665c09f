// The chaos harness (issue 9): two Beacon instances on one real PostgreSQL database reached through a TCP proxy (so
// the database can be cut and restored) and one private redis-server (so Redis can be killed, restarted without
// persistence, flushed, or lose single keys), plus an uncached third instance straight on the database: the oracle
// that says what the data is after each write. Used by test/integration/chaos.test.ts (short) and bench/chaos.ts
// (`npm run chaos`, long).
//
// Staleness is judged by causality, never by wall-clock thresholds: every write is recorded in a ledger with the
// time its response arrived (its ack) and the value the oracle reads right after it, per watched facet (one value a
// query shows, e.g. a dataset's description). A read that started after a write's ack must show that write's value
// or a later write's; anything else is a stale read. Writes to one facet are sequential, so the oracle's read after
// an ack sees exactly that write's state. Reads are judged once the run is over, against the complete ledger. A facet
// must come from one SQL statement: two statements of one read may straddle a write's commit.
import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { ADMIN_AUTH, createTestDatabase, postGraphql as postGraphqlOnce, startTestApp, type GqlResult, type TestApp } from './app.js';
import { PrivateRedis, uniqueNamespace, waitFor } from './cache.js';
import { TcpProxy } from '../security/tcp-proxy.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** No request of the harness may hang a run: past this it fails (and is counted as failed). */
const REQUEST_TIMEOUT_MS = 60_000;

/** One GraphQL POST (helpers/app.ts), bounded by REQUEST_TIMEOUT_MS. */
function postGraphql<T>(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResult<T>> {
  return postGraphqlOnce<T>(url, query, variables, headers, REQUEST_TIMEOUT_MS);
}

// ---------------------------------------------------------------------------------------------------------------
// The cluster

export interface ChaosClusterOptions {
  /** Extra env of the two cached instances (e.g. CACHE_REDIS_TIMEOUT_MS). */
  env?: Record<string, string>;
  label?: string;
}

export class ChaosCluster {
  /** Instances started by startInstances, closed with the cluster. */
  private readonly started: TestApp[] = [];

  private constructor(
    readonly database: { url: string; drop(): Promise<void> },
    readonly proxy: TcpProxy,
    /** The database URL through the proxy: what the cached instances use. */
    readonly proxiedUrl: string,
    readonly redis: PrivateRedis,
    /** CACHE_ENABLED=false, straight on the database (not through the proxy): reads the truth. */
    readonly oracle: TestApp,
    readonly label: string,
  ) {}

  /** A fresh seeded database, its proxy, a private Redis and the oracle; instances come from startInstances. */
  static async start(options: ChaosClusterOptions = {}): Promise<ChaosCluster> {
    const label = options.label ?? 'chaos';
    const database = await createTestDatabase();
    const { proxy, url: proxiedUrl } = await TcpProxy.toDatabase(database.url);
    const redis = await PrivateRedis.create();
    await redis.start();
    // The oracle seeds the database (startTestApp seeds an empty one); the instances started later find the data.
    // database 'embedded' only skips creating another database: the URL makes it PostgreSQL.
    const oracle = await startTestApp({ database: 'embedded', config: { databaseUrl: database.url }, env: { CACHE_ENABLED: 'false' } });
    return new ChaosCluster(database, proxy, proxiedUrl, redis, oracle, label);
  }

  /**
   * `count` cached instances through the proxy on the private Redis, sharing a namespace of their own (so a second
   * pair started with other settings shares nothing with the first). Waits for their Redis subscriptions.
   */
  async startInstances(env: Record<string, string> = {}, count = 2): Promise<Instances> {
    const namespace = uniqueNamespace(this.label);
    const apps: TestApp[] = [];
    for (let i = 0; i < count; i += 1) {
      const app = await startTestApp({
        database: 'embedded',
        config: { databaseUrl: this.proxiedUrl },
        env: { REDIS_URL: this.redis.url, CACHE_NAMESPACE: namespace, ...env },
      });
      apps.push(app);
      this.started.push(app);
    }
    const instances = new Instances(apps, namespace);
    // Uncached instances (CACHE_ENABLED=false, e.g. to check the judge) have no subscription to wait for.
    if (env.CACHE_ENABLED !== 'false') await instances.subscribed();
    return instances;
  }

  /** Stops instances started by startInstances. */
  async stopInstances(instances: Instances): Promise<void> {
    await Promise.all(instances.apps.map((app) => app.close()));
    for (const app of instances.apps) this.started.splice(this.started.indexOf(app), 1);
  }

  // Redis faults ------------------------------------------------------------------------------------------------

  /** SIGKILL: no persistence, so the restarted server is empty (the clock and every version are lost). */
  async killRedis(): Promise<void> {
    await this.redis.stop();
  }

  async restartRedis(): Promise<void> {
    await this.redis.start();
  }

  async flushAll(): Promise<void> {
    await this.redis.command(['FLUSHALL']);
  }

  /** Deletes keys as an eviction would. */
  async deleteKeys(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return Number(await this.redis.command(['DEL', ...keys]));
  }

  /**
   * Real evictions: allkeys-lru with maxmemory just above what is used now, then filler keys until Redis reports
   * `minEvictions` evicted keys (the filler itself is mostly what goes, but any Beacon key may). Returns the count.
   */
  async forceEvictions(minEvictions = 200): Promise<number> {
    const evicted = async () => Number(/evicted_keys:(\d+)/.exec(String(await this.redis.command(['INFO', 'stats'])))?.[1] ?? 0);
    const used = Number(/used_memory:(\d+)/.exec(String(await this.redis.command(['INFO', 'memory'])))?.[1] ?? 0);
    const before = await evicted();
    await this.redis.command(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
    await this.redis.command(['CONFIG', 'SET', 'maxmemory', String(used + 2 * 1024 * 1024)]);
    const filler = 'x'.repeat(4096);
    const client = createClient({ url: this.redis.url });
    await client.connect();
    try {
      for (let i = 0; i < 500 && (await evicted()) - before < minEvictions; i += 1) {
        // 10 keys (40 KB) at a time, on one connection; a write Redis refuses (OOM) only means it is full.
        await Promise.all(
          Array.from({ length: 10 }, () => client.set(`chaos-filler:${randomBytes(6).toString('hex')}`, filler).catch(() => undefined)),
        );
      }
    } finally {
      client.destroy();
    }
    const count = (await evicted()) - before;
    // Back to no limit, as the rest of a run expects.
    await this.redis.command(['CONFIG', 'SET', 'maxmemory', '0']);
    return count;
  }

  // PostgreSQL faults -------------------------------------------------------------------------------------------

  /** The database unreachable for the cached instances: connections cut, new ones refused. */
  async stopDatabase(): Promise<void> {
    await this.proxy.down();
  }

  async restoreDatabase(): Promise<void> {
    await this.proxy.up();
  }

  async close(): Promise<void> {
    await Promise.all(this.started.map((app) => app.close().catch(() => {})));
    await this.oracle.close().catch(() => {});
    await this.proxy.down().catch(() => {});
    await this.redis.stop().catch(() => {});
    await this.database.drop();
  }
}

/** Cached instances sharing one namespace. */
export class Instances {
  constructor(
    readonly apps: TestApp[],
    readonly namespace: string,
  ) {}

  get a(): TestApp {
    return this.apps[0]!;
  }

  get b(): TestApp {
    return this.apps[1]!;
  }

  /** Redis key of the clock (src/cache/keys.ts). */
  get clockKey(): string {
    return this.a.app.cache.keys.clock;
  }

  /** Redis key of a tag's version (src/cache/keys.ts). */
  tagVersionKey(tag: string): string {
    return this.a.app.cache.keys.tagVersion(tag);
  }

  /** Waits until every instance is subscribed to the invalidation channel (after a start or a Redis restart). */
  async subscribed(timeoutMs = 15_000): Promise<void> {
    await waitFor(() => this.apps.every((app) => app.app.cache.snapshot().redis.subscribed), timeoutMs, 'the Redis subscriptions');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Requests and samples

/** One value a query shows, judged on its own: `key` names it in the ledger (include the ids it is about). */
export interface Facet {
  key: string;
  get(data: any): unknown;
}

export interface ReadSpec {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  facets: Facet[];
}

export type SampleKind = 'background' | 'post-write' | 'probe';

export interface Sample {
  kind: SampleKind;
  name: string;
  instance: number;
  start: number;
  end: number;
  status: number;
  ok: boolean;
  /** The first error code or message, or the network error, when not ok. */
  error?: string;
  /** x-beacon-cache */
  cache: string | null;
  /** Facet key -> value shown (canonical JSON), for successful reads. */
  values: Map<string, string>;
  // Filled by judge():
  stale?: string[];
  judged?: boolean;
  /** For a stale read: the ack time of the newest write it missed, and the value that write left. */
  missedAck?: number;
  expected?: string;
}

const canonical = (value: unknown) => JSON.stringify(value ?? null);

/** Sends one read and records it as a sample (never throws). */
export async function read(app: TestApp, instance: number, spec: ReadSpec, kind: SampleKind, headers?: Record<string, string>): Promise<Sample> {
  const start = performance.now();
  const sample: Sample = { kind, name: spec.name, instance, start, end: start, status: 0, ok: false, cache: null, values: new Map() };
  try {
    const response = await postGraphql<any>(app.url, spec.query, spec.variables, headers);
    sample.end = performance.now();
    sample.status = response.status;
    sample.cache = response.headers.get('x-beacon-cache');
    const errors = response.body.errors;
    sample.ok = response.status === 200 && !errors && response.body.data != null;
    if (!sample.ok) {
      sample.error = errors?.[0]?.extensions?.code ?? errors?.[0]?.message ?? `HTTP ${response.status}`;
      return sample;
    }
    for (const facet of spec.facets) {
      try {
        sample.values.set(facet.key, canonical(facet.get(response.body.data)));
      } catch {
        sample.values.set(facet.key, '<unreadable>');
      }
    }
  } catch (error) {
    sample.end = performance.now();
    sample.error = error instanceof Error ? error.message : String(error);
  }
  return sample;
}

// ---------------------------------------------------------------------------------------------------------------
// The ledger and the judge

interface WriteRecord {
  start: number;
  ack: number;
  value: string;
}

export class Ledger {
  private readonly writes = new Map<string, WriteRecord[]>();

  /** A write to `key` sent at `start`, answered at `ack`, after which the data shows `value`. In order, per key. */
  record(key: string, start: number, ack: number, value: unknown): void {
    let list = this.writes.get(key);
    if (!list) this.writes.set(key, (list = []));
    list.push({ start, ack, value: canonical(value) });
  }

  /** Records, for every facet of the specs, what the oracle reads now: the state after the write just acked. */
  async recordFromOracle(oracle: TestApp, specs: ReadSpec[], start: number, ack: number): Promise<void> {
    await Promise.all(
      specs.map(async (spec) => {
        const response = await postGraphql<any>(oracle.url, spec.query, spec.variables);
        if (response.body.errors || !response.body.data) throw new Error(`the oracle failed on ${spec.name}: ${response.text.slice(0, 300)}`);
        for (const facet of spec.facets) this.record(facet.key, start, ack, facet.get(response.body.data));
      }),
    );
  }

  get writeCount(): number {
    let count = 0;
    for (const list of this.writes.values()) count += list.length;
    return count;
  }

  /**
   * Judges each successful sample: for every facet, the newest write acked before the read started is L; the read
   * must show the value of L or of a write after L that had been sent before the read ended. A read that started
   * before any recorded write of a facet is not judged on it.
   */
  judge(samples: Sample[]): void {
    for (const sample of samples) {
      sample.stale = [];
      sample.judged = false;
      sample.missedAck = undefined;
      sample.expected = undefined;
      if (!sample.ok) continue;
      for (const [key, shown] of sample.values) {
        const list = this.writes.get(key);
        if (!list) continue;
        let last = -1;
        for (let i = list.length - 1; i >= 0; i -= 1) {
          if (list[i]!.ack < sample.start) {
            last = i;
            break;
          }
        }
        if (last === -1) continue;
        sample.judged = true;
        let allowed = false;
        for (let i = last; i < list.length && list[i]!.start < sample.end; i += 1) {
          if (list[i]!.value === shown) {
            allowed = true;
            break;
          }
        }
        if (!allowed) {
          sample.stale.push(key);
          sample.missedAck = Math.max(sample.missedAck ?? 0, list[last]!.ack);
          sample.expected ??= list[last]!.value;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The workload: what is read and what is written

/** The README's Dashboard and Models queries, on ids the test seed has (also used by cache-resumes.test.ts). */
export const DASHBOARD = `query Dashboard {
  categories { name datasetCount }
  topUpdatedDatasets(limit: 5) { id name category rowCount updatedAt }
  datasets(first: 20, category: "Health", orderBy: UPDATED_AT_DESC) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name quality { score duplicateRows completeness } sample(size: 3) }
  }
}`;
export const MODELS = `query Models {
  modelRuns(first: 10, datasetId: "7", status: COMPLETED) {
    nodes { id name algorithm metrics { f1 rocAuc } featureImportance(topN: 5) { feature importance } }
  }
  compareModels(ids: ["12", "3", "40"], metrics: [F1, ROC_AUC]) {
    metrics { metric bestRun { id } values { run { id } value deltaToBest rank } }
  }
  modelRanking(datasetId: "7", metric: F1, top: 5) { entries { rank value run { id name } } }
}`;

export type WriteKind = 'updateDataset' | 'appendDatasetRows' | 'training' | 'updateCoefficients';
export const WRITE_KINDS: WriteKind[] = ['updateDataset', 'appendDatasetRows', 'training', 'updateCoefficients'];

interface Targets {
  /** Dataset whose description updateDataset changes, first of its category's list. */
  described: string;
  describedCategory: string;
  /** Dataset appendDatasetRows grows (another category). */
  grown: string;
  /** Dataset the training runs are started on, and a completed run of it to compare with. */
  trained: string;
  otherRun: string;
  model: string;
  from: { country: string; sector: string };
  to: { country: string; sector: string };
}

async function oracleData(oracle: TestApp, query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await postGraphql<any>(oracle.url, query, variables);
  if (response.body.errors || !response.body.data) throw new Error(`oracle: ${response.text.slice(0, 300)}`);
  return response.body.data;
}

/** A failed write: counted, and the round's reads are not judged against it (nothing was acked). */
export interface WriteFailure {
  kind: WriteKind;
  at: number;
  error: string;
}

/**
 * The four kinds of write of issue 9 on chosen entities, the reads that watch them, and the README's Dashboard and
 * Models queries as background load. One write at a time (rounds are sequential), so the ledger stays exact.
 */
export class RaceWorkload {
  readonly ledger = new Ledger();

  /** The post-write reads from `from` on, with a background load's, judged against the whole ledger. */
  judged(from: number, background: Sample[]): Sample[] {
    const samples = [...this.samples.slice(from), ...background];
    this.ledger.judge(samples);
    return samples;
  }
  readonly samples: Sample[] = [];
  readonly writeFailures: WriteFailure[] = [];
  writes = 0;
  private round = 0;
  private completions = 0;
  /** The run of the current training round: PENDING after startTraining, COMPLETED after completeTraining. */
  private currentRun: string | undefined;

  private constructor(
    readonly cluster: ChaosCluster,
    public instances: Instances,
    readonly targets: Targets,
  ) {}

  /**
   * Writes and reads on other instances from now on (a fresh pair per scenario, so one fault's aftermath does not
   * blur the next one's figures). The ledger stays: it records the database's state, which the instances share.
   */
  use(instances: Instances): void {
    this.instances = instances;
  }

  static async prepare(cluster: ChaosCluster, instances: Instances): Promise<RaceWorkload> {
    const oracle = cluster.oracle;
    const describedCategory = 'Sports';
    const sports = await oracleData(oracle, `{ datasets(first: 1, category: "Sports") { nodes { id } } }`);
    const finance = await oracleData(oracle, `{ datasets(first: 1, category: "Finance") { nodes { id } } }`);
    const completed = await oracleData(oracle, `{ modelRuns(first: 100, status: COMPLETED) { nodes { id taskType dataset { id } } } }`);
    const run = completed.modelRuns.nodes.find((node: any) => node.taskType === 'CLASSIFICATION');
    const io = await oracleData(oracle, `{ ioModel(name: "OECD_ICIO") { countries sectors { code } } }`);
    const { countries, sectors } = io.ioModel;
    const workload = new RaceWorkload(cluster, instances, {
      described: sports.datasets.nodes[0].id,
      describedCategory,
      grown: finance.datasets.nodes[0].id,
      trained: run.dataset.id,
      otherRun: run.id,
      model: 'OECD_ICIO',
      from: { country: countries[1], sector: sectors[0].code },
      to: { country: countries[0], sector: sectors[1].code },
    });
    return workload;
  }

  // Reads -------------------------------------------------------------------------------------------------------

  /** The watched reads of one kind of write (for the current run, for training). */
  watched(kind: WriteKind): ReadSpec[] {
    const t = this.targets;
    switch (kind) {
      case 'updateDataset':
        return [
          {
            name: 'dataset description',
            query: `query($id: ID!) { dataset(id: $id) { id description } }`,
            variables: { id: t.described },
            facets: [{ key: `Dataset:${t.described}.description`, get: (d) => d.dataset.description }],
          },
          {
            name: 'datasets by category with quality',
            query: `query($c: String!) { datasets(first: 5, category: $c) { nodes { id description quality { score } } } }`,
            variables: { c: t.describedCategory },
            facets: [
              {
                key: `datasets(${t.describedCategory}).description of ${t.described}`,
                get: (d) => d.datasets.nodes.find((n: any) => n.id === t.described)?.description,
              },
            ],
          },
        ];
      case 'appendDatasetRows':
        return [
          {
            name: 'dataset rows and quality',
            query: `query($id: ID!) { dataset(id: $id) { id rowCount quality { score rowCount } } }`,
            variables: { id: t.grown },
            facets: [
              { key: `Dataset:${t.grown}.rowCount`, get: (d) => d.dataset.rowCount },
              { key: `Dataset:${t.grown}.quality`, get: (d) => d.dataset.quality },
            ],
          },
        ];
      case 'training': {
        const specs: ReadSpec[] = [
          {
            name: 'model ranking',
            query: `query($d: ID!) { modelRanking(datasetId: $d, metric: F1, top: 3) { entries { value run { id } } } }`,
            variables: { d: t.trained },
            facets: [{ key: `modelRanking(${t.trained})`, get: (d) => d.modelRanking.entries }],
          },
          {
            name: 'model runs of the dataset',
            query: `query($d: ID!) { modelRuns(first: 3, datasetId: $d) { totalCount nodes { id status } } }`,
            variables: { d: t.trained },
            // Two facets: the page and the count are two statements, so a read racing a write may legitimately
            // show the page from before it and the count from after it; each on its own must still be fresh.
            facets: [
              { key: `modelRuns(${t.trained}).totalCount`, get: (d) => d.modelRuns.totalCount },
              { key: `modelRuns(${t.trained}).nodes`, get: (d) => d.modelRuns.nodes },
            ],
          },
        ];
        const run = this.currentRun;
        if (run) {
          specs.push(
            {
              name: 'model run',
              query: `query($id: ID!) { modelRun(id: $id) { id status metrics { f1 } } }`,
              variables: { id: run },
              facets: [{ key: `ModelRun:${run}`, get: (d) => d.modelRun }],
            },
            {
              name: 'model comparison',
              query: `query($ids: [ID!]!) { compareModels(ids: $ids, metrics: [F1]) { metrics { values { run { id } value } } } }`,
              variables: { ids: [t.otherRun, run] },
              facets: [{ key: `compareModels(${t.otherRun},${run})`, get: (d) => d.compareModels.metrics[0].values }],
            },
          );
        }
        return specs;
      }
      case 'updateCoefficients':
        return [
          {
            name: 'coefficient',
            query: `query($m: String!, $from: CountrySectorInput!, $to: CountrySectorInput!) { coefficient(model: $m, from: $from, to: $to) }`,
            variables: { m: t.model, from: t.from, to: t.to },
            facets: [{ key: `coefficient(${t.model})`, get: (d) => d.coefficient }],
          },
          {
            name: 'assessment',
            query: `query($m: String!, $c: String!, $s: String!) { assessment(model: $m, country: $c, sector: $s) { outputMultiplier foreignShare riskScore } }`,
            variables: { m: t.model, c: t.to.country, s: t.to.sector },
            facets: [{ key: `assessment(${t.model},${t.to.country},${t.to.sector})`, get: (d) => d.assessment }],
          },
        ];
    }
  }

  /** The tags a write of `kind` invalidates (the domains' resolvers), whose version keys an eviction could drop. */
  tagsOf(kind: WriteKind): string[] {
    const t = this.targets;
    switch (kind) {
      case 'updateDataset':
        return [`Dataset:${t.described}`, 'Dataset:list'];
      case 'appendDatasetRows':
        return [`Dataset:${t.grown}`, `DatasetRows:${t.grown}`, 'Dataset:list'];
      case 'training':
        return [...(this.currentRun ? [`ModelRun:${this.currentRun}`] : []), 'ModelRun:list', `ModelRun:list:dataset=${t.trained}`];
      case 'updateCoefficients':
        return [`IoModel:${t.model}`];
    }
  }

  /** The background mix: the README's Dashboard and Models queries and every watched read. */
  backgroundReads(): ReadSpec[] {
    return [
      { name: 'README Dashboard', query: DASHBOARD, facets: [] },
      { name: 'README Models', query: MODELS, facets: [] },
      ...WRITE_KINDS.flatMap((kind) => this.watched(kind)),
    ];
  }

  /** Reads the current state of every watched facet from the oracle as the baseline (before any write). */
  async baseline(): Promise<void> {
    const now = performance.now();
    await this.ledger.recordFromOracle(this.cluster.oracle, WRITE_KINDS.flatMap((kind) => this.watched(kind)), now, now);
  }

  // Writes ------------------------------------------------------------------------------------------------------

  /**
   * One round: the next kind of write on the next instance (alternating), recorded in the ledger from the oracle,
   * with reads of what it changed on both instances sent the moment its response arrives. Returns false when the
   * write failed (e.g. the database is down).
   */
  async runRound(): Promise<boolean> {
    const round = this.round++;
    const kind = WRITE_KINDS[round % WRITE_KINDS.length]!;
    const writer = Math.floor(round / WRITE_KINDS.length) % 2 === 0 ? round % 2 : (round + 1) % 2;
    return this.write(kind, writer, round);
  }

  /** Sends one write of `kind` (training: start on `writer`, complete on the other) and its post-write reads. */
  async write(kind: WriteKind, writer: number, round = this.round++): Promise<boolean> {
    const t = this.targets;
    const apps = this.instances.apps;
    switch (kind) {
      case 'updateDataset':
        return this.send(kind, apps[writer]!, `mutation($id: ID!, $d: String!) { updateDataset(id: $id, input: { description: $d }) { id } }`, {
          id: t.described,
          d: `chaos round ${round} ${randomBytes(3).toString('hex')}`,
        });
      case 'appendDatasetRows':
        return this.send(kind, apps[writer]!, `mutation($id: ID!, $rows: [JSON!]!) { appendDatasetRows(id: $id, rows: $rows) { rowCount } }`, {
          id: t.grown,
          rows: [{ id: 1_000_000 + round }],
        });
      case 'training': {
        let started: string | undefined;
        const ok = await this.send(
          kind,
          apps[writer]!,
          `mutation($d: ID!, $n: String!) { startTraining(input: { datasetId: $d, name: $n, algorithm: "chaos", taskType: CLASSIFICATION }) { id } }`,
          { d: t.trained, n: `chaos-${round}` },
          (data) => {
            started = data.startTraining.id;
            this.currentRun = started;
          },
        );
        if (!ok || !started) return false;
        this.completions += 1;
        // Strictly increasing and below 1: each completed run tops the ranking.
        const f1 = 0.95 + 0.0499 * (1 - 1 / (this.completions + 1));
        return this.send(
          kind,
          apps[(writer + 1) % apps.length]!,
          `mutation($id: ID!, $f1: Float!) { completeTraining(id: $id, metrics: { f1: $f1 }, featureImportance: [{ feature: "x", importance: 1 }]) { id } }`,
          { id: started, f1 },
        );
      }
      case 'updateCoefficients':
        return this.send(
          kind,
          apps[writer]!,
          `mutation($m: String!, $from: CountrySectorInput!, $to: CountrySectorInput!, $v: Float!) {
            updateCoefficients(model: $m, changes: [{ from: $from, to: $to, value: $v }]) { changed } }`,
          // Nine values in turn: consecutive writes always change the value; column sums stay well below 1.
          { m: t.model, from: t.from, to: t.to, v: Number((0.01 + (round % 9) * 0.001).toFixed(3)) },
        );
    }
  }

  private async send(
    kind: WriteKind,
    app: TestApp,
    mutation: string,
    variables: Record<string, unknown>,
    onData?: (data: any) => void,
  ): Promise<boolean> {
    const start = performance.now();
    let response;
    try {
      // A write needs a writer: the test apps' admin token (helpers/app.ts).
      response = await postGraphql<any>(app.url, mutation, variables, ADMIN_AUTH);
    } catch (error) {
      this.writeFailures.push({ kind, at: start, error: String(error) });
      return false;
    }
    const ack = performance.now();
    if (response.body.errors || !response.body.data) {
      this.writeFailures.push({ kind, at: start, error: response.body.errors?.[0]?.extensions?.code ?? `HTTP ${response.status}` });
      // A failed write may still have committed (e.g. a timeout after commit): record what the oracle reads, so
      // later reads are judged against the truth, with the failure time as the (conservative) ack.
      await this.ledger.recordFromOracle(this.cluster.oracle, this.watched(kind), start, ack);
      return false;
    }
    this.writes += 1;
    onData?.(response.body.data);
    const specs = this.watched(kind);
    // Reads of the written entity on both instances at once, alongside the oracle's read of the new state.
    const [, ...reads] = await Promise.all([
      this.ledger.recordFromOracle(this.cluster.oracle, specs, start, ack),
      ...this.instances.apps.flatMap((instance, i) => specs.map((spec) => read(instance, i, spec, 'post-write'))),
    ]);
    this.samples.push(...(reads as Sample[]));
    return true;
  }

  /** Reads what a write of `kind` changes twice on each instance, so both hold it in L1 (and L2 holds it). */
  async cacheOnBoth(kind: WriteKind): Promise<void> {
    for (let pass = 0; pass < 2; pass += 1) await this.probeBoth(kind);
  }

  /** Reads what a write of `kind` changes once on each instance; the reads are judged like the others. */
  async probeBoth(kind: WriteKind): Promise<void> {
    const specs = this.watched(kind);
    const reads = await Promise.all(this.instances.apps.flatMap((instance, i) => specs.map((spec) => read(instance, i, spec, 'probe'))));
    this.samples.push(...reads);
  }

  /** Rounds back to back until `until()` or `maxRounds`; returns the number of rounds run. */
  async runRounds(maxRounds: number, until: () => boolean = () => false): Promise<number> {
    let rounds = 0;
    while (rounds < maxRounds && !until()) {
      await this.runRound();
      rounds += 1;
    }
    return rounds;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The load generator

export interface LoadOptions {
  /** Total reads per second over every reader and instance. */
  rate: number;
  /** Concurrent readers; each keeps rate / readers. */
  readers: number;
  /** Hard bounds: the load stops by itself at whichever comes first. */
  durationMs: number;
  maxRequests: number;
}

/**
 * Background readers at a target rate: each reader sends its next read at its next slot (rate / readers per second),
 * never bursting to catch up when late; reads alternate between the instances and go round the specs.
 */
export class LoadGenerator {
  readonly samples: Sample[] = [];
  private stopped = false;
  private sent = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly apps: TestApp[],
    /** The specs to read, asked again for every read (they may change: the current training run). */
    private readonly specs: () => ReadSpec[],
    private readonly options: LoadOptions,
  ) {}

  start(): this {
    const { rate, readers, durationMs, maxRequests } = this.options;
    const interval = (1000 * readers) / rate;
    const deadline = performance.now() + durationMs;
    const reader = async (index: number) => {
      let next = performance.now() + (interval * index) / readers;
      while (!this.stopped && performance.now() < deadline && this.sent < maxRequests) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        if (this.stopped) break;
        const seq = this.sent++;
        const specs = this.specs();
        const spec = specs[Math.floor(seq / this.apps.length) % specs.length]!;
        const instance = seq % this.apps.length;
        this.samples.push(await read(this.apps[instance]!, instance, spec, 'background'));
        next = Math.max(next + interval, performance.now());
      }
    };
    this.running = Promise.all(Array.from({ length: readers }, (_, i) => reader(i))).then(() => {});
    return this;
  }

  /** Stops the readers and waits for their reads in flight. */
  async stop(): Promise<Sample[]> {
    this.stopped = true;
    await this.running;
    return this.samples;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Phases and summaries

/** Named time marks: a sample belongs to the phase in which it started. */
export class Phases {
  private readonly marks: { name: string; at: number }[] = [];

  mark(name: string, at = performance.now()): number {
    this.marks.push({ name, at });
    return at;
  }

  of(time: number): string | undefined {
    let phase: string | undefined;
    for (const mark of this.marks) if (mark.at <= time) phase = mark.name;
    return phase;
  }

  get names(): string[] {
    return [...new Set(this.marks.map((mark) => mark.name))];
  }

  at(name: string): number | undefined {
    return this.marks.find((mark) => mark.name === name)?.at;
  }
}

export interface PhaseSummary {
  phase: string;
  requests: number;
  failed: number;
  judged: number;
  stale: number;
  postWrite: number;
  postWriteStale: number;
  p50: number;
  p99: number;
  max: number;
  outcomes: Record<string, number>;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}

/** Per phase (by start time): background and post-write reads, failures, stale reads, latency. Judge first. */
export function summarize(samples: Sample[], phases?: Phases): PhaseSummary[] {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const phase = phases?.of(sample.start) ?? 'all';
    let group = groups.get(phase);
    if (!group) groups.set(phase, (group = []));
    group.push(sample);
  }
  const order = phases ? phases.names.filter((name) => groups.has(name)) : ['all'];
  return order.map((phase) => {
    const group = groups.get(phase) ?? [];
    const latencies = group.map((s) => s.end - s.start);
    const outcomes: Record<string, number> = {};
    for (const s of group) {
      const outcome = s.ok ? (s.cache ?? 'none') : 'ERROR';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    const postWrite = group.filter((s) => s.kind === 'post-write');
    return {
      phase,
      requests: group.length,
      failed: group.filter((s) => !s.ok).length,
      judged: group.filter((s) => s.judged).length,
      stale: group.filter((s) => s.kind !== 'post-write' && (s.stale?.length ?? 0) > 0).length,
      postWrite: postWrite.length,
      postWriteStale: postWrite.filter((s) => (s.stale?.length ?? 0) > 0).length,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies.length ? Math.max(...latencies) : Number.NaN,
      outcomes,
    };
  });
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');

/** A markdown table of phase summaries. */
export function formatTable(title: string, rows: PhaseSummary[]): string {
  const lines = [
    `#### ${title}`,
    '',
    '| phase | reads | failed | judged | stale (background) | post-write reads | stale post-write | p50 ms | p99 ms | max ms | outcomes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.phase} | ${r.requests} | ${r.failed} | ${r.judged} | ${r.stale} | ${r.postWrite} | ${r.postWriteStale} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ` +
        `${Object.entries(r.outcomes)
          .sort()
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} |`,
    ),
  ];
  return lines.join('\n');
}

/** A few stale reads, described for a failure message or a report. */
export function describeStale(samples: Sample[], limit = 10): string[] {
  return samples
    .filter((s) => (s.stale?.length ?? 0) > 0)
    .slice(0, limit)
    .map(
      (s) =>
        `${s.kind} ${s.name} on instance ${s.instance} (${s.cache}), started ${(s.start - (s.missedAck ?? s.start)).toFixed(1)} ms after the ack of a write it ` +
        `does not show: ${s.stale!.map((key) => `${key} = ${s.values.get(key)?.slice(0, 120)}`).join('; ')} (expected ${s.expected?.slice(0, 120)})`,
    );
}

/** Failed requests, grouped by error, for a failure message or a report. */
export function describeFailures(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) if (!s.ok) counts[`${s.name}: ${s.error}`] = (counts[`${s.name}: ${s.error}`] ?? 0) + 1;
  return counts;
}

/** How long each phase of redisKillUnderLoad lasts. */
export interface RedisKillTiming {
  beforeMs: number;
  downMs: number;
  /** After the '5 s after restart' phase and the resubscription. */
  laterMs: number;
}

/**
 * Redis SIGKILLed and restarted empty (no persistence) while writes run throughout, inside `underLoad` (background
 * reads on both instances): the scenario both the chaos test and `npm run chaos` judge. Phases: before, Redis down,
 * 5 s after restart, later.
 */
export async function redisKillUnderLoad(
  cluster: ChaosCluster,
  pair: Instances,
  workload: RaceWorkload,
  timing: RedisKillTiming,
  underLoad: (body: () => Promise<void>) => Promise<Sample[]>,
): Promise<{ samples: Sample[]; phases: Phases }> {
  const from = workload.samples.length;
  const phases = new Phases();
  const background = await underLoad(async () => {
    let stop = false;
    const writer = workload.runRounds(1_000_000, () => stop);
    try {
      phases.mark('before');
      await sleep(timing.beforeMs);
      phases.mark('Redis down');
      await cluster.killRedis();
      await sleep(timing.downMs);
      await cluster.restartRedis();
      phases.mark('5 s after restart');
      await sleep(5_000);
      phases.mark('later');
      await pair.subscribed();
      await sleep(timing.laterMs);
    } finally {
      stop = true;
      await writer;
    }
  });
  return { samples: workload.judged(from, background), phases };
}
