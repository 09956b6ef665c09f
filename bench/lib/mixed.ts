// The mixed workload on two instances (issue 15): speed and truth in one table. Two Beacon processes on one
// PostgreSQL and one Redis (one CACHE_NAMESPACE: they share L2 and invalidation), then two Apollo response-cache
// processes (bench/servers/usual.ts) sharing one Keyv/Redis namespace, get the same load in turn (order rotated each
// round): a Node load generator whose workers spread their requests over both instances of the pair, 1% writes
// over many entities, reads of the README's dashboard and model queries with skewed variables. wrk cannot do this:
// each answer is checked for staleness (staleness.ts) and each write's acknowledgement time is recorded.
//
// Hit rate: from each response's own header, the same way for both (Beacon: x-beacon-cache HIT-L1/HIT-L2; Apollo's
// response cache: an `age` header, which it sets on hits only), cross-checked for Beacon against cacheStats.
import http from 'node:http';
import { ADMIN_HEADERS, BEACON_BENCH_ENV, cacheSettled, forEachLimit, postOk, postWith, type TimedReply } from './http.js';
import {
  CATEGORIES,
  completedRunsEntity,
  dashboardBody,
  datasetEntity,
  DATASETS,
  finishBody,
  modelsBody,
  PAGE_SIZES,
  renameBody,
  seededRandom,
  shownByDashboard,
  shownByModels,
  listedByDashboard,
  startBody,
  TOP_UPDATED,
  zipf,
} from './mixed-workload.js';
import { startServer, type Pinning, type Server } from './processes.js';
import { spread } from './results.js';
import { RecentWritesCheck, StalenessTracker, type Verdict } from './staleness.js';

export type MixedVariant = 'beacon' | 'usual';
type Query = 'Dashboard' | 'Models';

export const MIXED_LABELS: Record<MixedVariant, string> = {
  beacon: 'Beacon ×2 (L1 + shared Redis L2, invalidation)',
  usual: 'Apollo + response-cache ×2 (shared Keyv/Redis, TTL only)',
};

export interface MixedOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Redis prefix of every key the pairs write (the caller deletes it afterwards). */
  prefix: string;
  /** A writer's API key: sent as `Authorization: Bearer <key>` on every request, to both pairs. */
  apiKey: string;
  pinning: Pinning;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  /** Concurrent workers of the load generator (each one request at a time). */
  workers: number;
  /** Share of requests that are writes. */
  writeShare: number;
  log(message: string): void;
}

export interface MixedRun {
  variant: MixedVariant;
  round: number;
  seconds: number;
  requests: number;
  reads: number;
  writes: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Reads answered from the response cache (response headers). */
  hits: number;
  /** Reads and hits per query. */
  byQuery: Record<Query, { reads: number; hits: number }>;
  /** Reads sent after an acknowledged write to something they show. */
  followedWrite: number;
  stale: number;
  example?: Verdict['example'];
  /** Beacon only: response-cache hits and misses from cacheStats, both instances. */
  counted?: Counters;
  /** Server CPU per request, both instances together, ms. */
  cpuMsPerRequest: number;
}

export interface MixedResult {
  kind: 'mixed';
  workers: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  writeShare: number;
  runs: MixedRun[];
  notes: string[];
}

/** Workers and write share from the environment (BENCH_MIXED_WORKERS, BENCH_MIXED_WRITES), validated. */
export function mixedSettings(env: NodeJS.ProcessEnv = process.env): { workers: number; writeShare: number } {
  const workers = Number(env.BENCH_MIXED_WORKERS ?? 32);
  const writeShare = Number(env.BENCH_MIXED_WRITES ?? 0.01);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`BENCH_MIXED_WORKERS must be a whole number from 1, got ${JSON.stringify(env.BENCH_MIXED_WORKERS)}`);
  if (!(writeShare >= 0 && writeShare <= 1)) throw new Error(`BENCH_MIXED_WRITES must be a share from 0 to 1, got ${JSON.stringify(env.BENCH_MIXED_WRITES)}`);
  return { workers, writeShare };
}

// ---------------------------------------------------------------------------------------------------------------
// Servers

function pairSpecs(variant: MixedVariant, options: MixedOptions) {
  const namespace = `${options.prefix}-mixed-${variant}`;
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: options.databaseUrl, REDIS_URL: options.redisUrl, CACHE_NAMESPACE: namespace };
  const env: Record<string, string> =
    variant === 'usual'
      ? common
      : {
          ...common,
          ...BEACON_BENCH_ENV,
        };
  const script = variant === 'usual' ? 'bench/servers/usual.ts' : 'src/main.ts';
  return [1, 2].map((k) => ({ name: `${variant}-${k}`, script, env, pinning: options.pinning }));
}

// ---------------------------------------------------------------------------------------------------------------
// The load generator

type Reply = TimedReply;

const send = (agent: http.Agent, target: URL, body: string, headers: Record<string, string>) => postWith(agent, target, body, headers, 30_000);

/** Runs left to complete: started by one write, completed by a later one (any run, any round: one database). */
const pending: Array<{ run: number; dataset: number }> = [];
let writeSeq = 0;

interface LoadOutcome {
  requests: number;
  reads: number;
  writes: number;
  hits: number;
  byQuery: Record<Query, { reads: number; hits: number }>;
  followedWrite: number;
  stale: number;
  example?: Verdict['example'];
  latencies: number[];
  seconds: number;
}

/**
 * `workers` loops for `seconds`, each sending one request at a time to the pair's instances in turn. Each worker has
 * its own seeded generator, so both variants get the same stream per worker in a round (as far as their speeds go).
 */
async function drive(variant: MixedVariant, urls: string[], options: MixedOptions, seconds: number, seed: number): Promise<LoadOutcome> {
  const targets = urls.map((url) => new URL(url));
  const agents = urls.map(() => new http.Agent({ keepAlive: true, maxSockets: options.workers }));
  const headers = { authorization: `Bearer ${options.apiKey}` };
  const isHit = variant === 'beacon' ? (r: Reply) => /^HIT/.test(String(r.headers['x-beacon-cache'] ?? '')) : (r: Reply) => r.headers.age !== undefined;
  const tracker = new StalenessTracker();
  // The Dashboard's topUpdatedDatasets(limit: 5): the datasets renamed last.
  const recent = new RecentWritesCheck(TOP_UPDATED);
  // An entity with a write in flight gets no second one: its writes commit in the order they were sent.
  const writing = new Set<string>();
  const datasetOf = zipf(DATASETS, 1);
  const categoryOf = zipf(CATEGORIES.length, 1);
  const outcome: LoadOutcome = {
    requests: 0,
    reads: 0,
    writes: 0,
    hits: 0,
    byQuery: { Dashboard: { reads: 0, hits: 0 }, Models: { reads: 0, hits: 0 } },
    followedWrite: 0,
    stale: 0,
    latencies: [],
    seconds,
  };
  const failures: string[] = [];

  const post = async (k: number, body: string): Promise<Reply> => {
    const reply = await send(agents[k]!, targets[k]!, body, headers);
    outcome.requests++;
    outcome.latencies.push(reply.doneAt - reply.sentAt);
    if (reply.status !== 200 || reply.body.includes('"errors":')) {
      throw new Error(`${variant} instance ${k + 1} answered ${reply.status}: ${reply.body.slice(0, 300)}\nrequest: ${body.slice(0, 200)}`);
    }
    return reply;
  };

  /** One write, or false when every entity tried was busy (the worker reads instead). */
  const write = async (k: number, random: () => number): Promise<boolean> => {
    // Renames and training in equal parts; a completion needs a started run.
    const kind = random() < 0.5 ? 'rename' : pending.length > 0 && random() < 0.5 ? 'finish' : 'start';
    if (kind === 'start') {
      const dataset = datasetOf(random);
      const reply = await post(k, startBody(dataset, ++writeSeq));
      pending.push({ run: Number(JSON.parse(reply.body).data.startTraining.id), dataset });
      return true;
    }
    if (kind === 'finish') {
      const at = pending.findIndex(({ dataset }) => !writing.has(completedRunsEntity(dataset)));
      if (at === -1) return false;
      const [{ run, dataset }] = pending.splice(at, 1);
      const entity = completedRunsEntity(dataset);
      writing.add(entity);
      try {
        const reply = await post(k, finishBody(run, 0.9 + random() * 0.09));
        tracker.acknowledge(entity, run, reply.doneAt);
      } finally {
        writing.delete(entity);
      }
      return true;
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = datasetOf(random);
      const entity = datasetEntity(id);
      if (writing.has(entity)) continue;
      writing.add(entity);
      try {
        const seq = ++writeSeq;
        const acknowledged = recent.sent(entity, performance.now());
        const reply = await post(k, renameBody(id, seq));
        tracker.acknowledge(entity, seq, reply.doneAt);
        acknowledged(reply.doneAt);
      } finally {
        writing.delete(entity);
      }
      return true;
    }
    return false;
  };

  const read = async (k: number, random: () => number): Promise<void> => {
    let reply: Reply;
    let verdict: Verdict;
    const query: Query = random() < 0.5 ? 'Dashboard' : 'Models';
    if (query === 'Dashboard') {
      reply = await post(k, dashboardBody(CATEGORIES[categoryOf(random) - 1]!, PAGE_SIZES[random() < 0.5 ? 0 : 1]));
      const data = JSON.parse(reply.body).data;
      const versions = tracker.judge(reply.sentAt, shownByDashboard(data));
      const listed = recent.judge(reply.sentAt, reply.doneAt, listedByDashboard(data));
      verdict = {
        followedWrite: versions.followedWrite || listed.followedWrite,
        stale: versions.stale || listed.stale,
        example: versions.example ?? listed.example,
      };
    } else {
      const dataset = datasetOf(random);
      reply = await post(k, modelsBody(dataset));
      verdict = tracker.judge(reply.sentAt, shownByModels(dataset, JSON.parse(reply.body).data));
    }
    outcome.reads++;
    outcome.byQuery[query].reads++;
    if (isHit(reply)) {
      outcome.hits++;
      outcome.byQuery[query].hits++;
    }
    if (verdict.followedWrite) outcome.followedWrite++;
    if (verdict.stale) {
      outcome.stale++;
      outcome.example ??= verdict.example;
    }
  };

  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.workers }, async (_, worker) => {
      const random = seededRandom(seed * 1000 + worker);
      // Workers start on alternate instances and alternate per request: the load is even over the pair.
      for (let n = worker; performance.now() < deadline && failures.length === 0; n++) {
        const k = n % targets.length;
        try {
          if (random() < options.writeShare && (await write(k, random))) outcome.writes++;
          else await read(k, random);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  outcome.seconds = (performance.now() - started) / 1000;
  for (const agent of agents) agent.destroy();
  if (failures.length > 0) throw new Error(`(m) ${variant}: ${failures[0]}`);
  return outcome;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Beacon's own counters (both instances summed): response-cache hits and misses of the two reads, and what explains
 * misses beyond invalidation: L2 errors (a Redis call past its read budget fails open to a miss), reads checked against Redis
 * because an invalidation message was late, results discarded because a write landed while they were computed.
 */
export interface Counters {
  hits: number;
  misses: number;
  invalidations: number;
  tierErrors: number;
  remoteChecks: number;
  discardedStale: number;
}

// `errors` aliased: postOk refuses any body with an `"errors":` key.
const COUNTERS_QUERY = JSON.stringify({
  query:
    '{ cacheStats { operations { name hits misses } tiers { failed: errors } invalidations { events } consistency { remoteChecks } discardedStale } }',
});

async function countersOf(url: string): Promise<Counters> {
  const stats = JSON.parse((await postOk(url, COUNTERS_QUERY, ADMIN_HEADERS)).body).data.cacheStats as {
    operations: Array<{ name: string; hits: number; misses: number }>;
    tiers: Array<{ failed: number }>;
    invalidations: { events: number };
    consistency: { remoteChecks: number };
    discardedStale: number;
  };
  const ours = stats.operations.filter((o) => o.name === 'Dashboard' || o.name === 'Models');
  return {
    hits: ours.reduce((s, o) => s + o.hits, 0),
    misses: ours.reduce((s, o) => s + o.misses, 0),
    invalidations: stats.invalidations.events,
    tierErrors: stats.tiers.reduce((s, t) => s + t.failed, 0),
    remoteChecks: stats.consistency.remoteChecks,
    discardedStale: stats.discardedStale,
  };
}

async function countsOf(servers: Server[]): Promise<Counters> {
  const each = await Promise.all(servers.map((s) => countersOf(s.url)));
  const sum = (pick: (c: Counters) => number) => each.reduce((s, c) => s + pick(c), 0);
  return {
    hits: sum((c) => c.hits),
    misses: sum((c) => c.misses),
    invalidations: sum((c) => c.invalidations),
    tierErrors: sum((c) => c.tierErrors),
    remoteChecks: sum((c) => c.remoteChecks),
    discardedStale: sum((c) => c.discardedStale),
  };
}

const minus = (after: Counters, before: Counters): Counters =>
  Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - before[key as keyof Counters]])) as unknown as Counters;

const percentile = (sorted: Float64Array, p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);

export async function runMixed(options: MixedOptions): Promise<MixedResult> {
  const { log } = options;
  const variants: MixedVariant[] = ['beacon', 'usual'];
  log(`(m) mixed workload: starting 2 Beacon + 2 Apollo processes`);
  const started = await Promise.allSettled(variants.flatMap((variant) => pairSpecs(variant, options).map((spec) => startServer(spec))));
  const all = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const result: MixedResult = {
    kind: 'mixed',
    workers: options.workers,
    seconds: options.seconds,
    warmupSeconds: options.warmupSeconds,
    rounds: options.rounds,
    writeShare: options.writeShare,
    runs: [],
    notes: [],
  };
  try {
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const pairs: Record<MixedVariant, Server[]> = { beacon: all.slice(0, 2), usual: all.slice(2, 4) };
    for (const server of pairs.beacon) await cacheSettled(server.url, server.name);
    const urls = (variant: MixedVariant) => pairs[variant].map((s) => s.url);
    // Both pairs start warm, so a short run measures the steady state rather than the cold tail: every read's
    // variable set asked once on the first instance (into the shared Redis), the hottest ones on the second as well
    // (Beacon's L1), before the warm-up under load.
    const dashboards = CATEGORIES.flatMap((category) => PAGE_SIZES.map((first) => dashboardBody(category, first)));
    const models = Array.from({ length: DATASETS }, (_, k) => modelsBody(k + 1));
    const headers = { authorization: `Bearer ${options.apiKey}` };
    const prime = (server: Server, bodies: string[]) => forEachLimit(bodies, 4, async (body) => void (await postOk(server.url, body, headers)));
    await Promise.all(variants.map((variant) => prime(pairs[variant][0]!, [...dashboards, ...models])));
    await Promise.all(variants.map((variant) => prime(pairs[variant][1]!, [...dashboards, ...models.slice(0, 100)])));
    log(`(m) primed ${dashboards.length + models.length} reads`);
    if (options.warmupSeconds > 0) {
      for (const variant of variants) {
        const warm = await drive(variant, urls(variant), options, options.warmupSeconds, 999);
        log(`(m) warm-up ${variant}: ${warm.requests} requests, ${warm.stale} stale`);
      }
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        const servers = pairs[variant];
        const before = variant === 'beacon' ? await countsOf(servers) : undefined;
        const cpuBefore = servers.reduce((s, server) => s + server.cpuMs(), 0);
        const load = await drive(variant, urls(variant), options, options.seconds, round + 1);
        const cpuMs = servers.reduce((s, server) => s + server.cpuMs(), 0) - cpuBefore;
        const after = before && (await countsOf(servers));
        const sorted = Float64Array.from(load.latencies).sort();
        const run: MixedRun = {
          variant,
          round,
          seconds: load.seconds,
          requests: load.requests,
          reads: load.reads,
          writes: load.writes,
          rps: load.requests / load.seconds,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          hits: load.hits,
          byQuery: load.byQuery,
          followedWrite: load.followedWrite,
          stale: load.stale,
          example: load.example,
          cpuMsPerRequest: cpuMs / Math.max(1, load.requests),
        };
        if (before && after) run.counted = minus(after, before);
        result.runs.push(run);
        log(
          `(m) round ${round + 1}/${options.rounds} ${variant.padEnd(7)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50Ms.toFixed(2)} ms  ` +
            `p99 ${run.p99Ms.toFixed(2)} ms  hits ${((100 * run.hits) / Math.max(1, run.reads)).toFixed(1)}%  writes ${run.writes}  ` +
            `stale ${run.stale}/${run.followedWrite}` +
            (run.counted ? `  (cacheStats: ${run.counted.tierErrors} L2 errors, ${run.counted.remoteChecks} remote checks, ${run.counted.discardedStale} discarded)` : ''),
        );
      }
    }
  } finally {
    await Promise.all(all.map((server) => server.stop()));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// The report section

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const pct = (part: number, whole: number, digits = 1) => (whole > 0 ? `${((100 * part) / whole).toFixed(digits)}%` : '–');

export function renderMixed(result: MixedResult): string {
  const lines = [
    '## (m) Mixed workload on two instances: speed and truth',
    '',
    `Two instances of each variant on one PostgreSQL and one Redis (Beacon: one CACHE_NAMESPACE, so a shared L2 and ` +
      `invalidation; Apollo: one Keyv namespace), the same load against each pair in turn, order rotated each round. ` +
      `A Node load generator, ${result.workers} workers with keep-alive, each request to the pair's instances in turn, ` +
      `\`Authorization: Bearer <writer key>\` on every request; ${(result.writeShare * 100).toFixed(0)}% writes (rename a dataset, ` +
      'start a training run, complete one), the datasets written drawn Zipf(1) over 500; reads half the README\'s Dashboard ' +
      '(category Zipf(1) over 14, page size 10 or 20), half docs/examples.md\'s Models (dataset Zipf(1) over 500). ' +
      `${result.rounds} round(s) × ${result.seconds} s per pair after a ${result.warmupSeconds} s warm-up; medians [min–max] over rounds.`,
    '',
    '| variant | req/s | p50 ms | p99 ms | CPU ms/req (2 processes) | response-cache hits | writes | stale reads (of reads after a write to what they show) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const variant of ['beacon', 'usual'] as const) {
    const runs = result.runs.filter((r) => r.variant === variant);
    if (runs.length === 0) continue;
    const med = (pick: (r: MixedRun) => number) => spread(runs.map(pick));
    const rps = med((r) => r.rps);
    const hit = med((r) => r.hits / Math.max(1, r.reads));
    const stale = runs.reduce((s, r) => s + r.stale, 0);
    const followed = runs.reduce((s, r) => s + r.followedWrite, 0);
    lines.push(
      `| ${MIXED_LABELS[variant]} | ${int(rps.median)} [${int(rps.min)}–${int(rps.max)}] | ${med((r) => r.p50Ms).median.toFixed(2)} | ` +
        `${med((r) => r.p99Ms).median.toFixed(2)} | ${med((r) => r.cpuMsPerRequest).median.toFixed(3)} | ${(hit.median * 100).toFixed(1)}% ` +
        `[${(hit.min * 100).toFixed(1)}–${(hit.max * 100).toFixed(1)}] | ${int(med((r) => r.writes).median)} per run | ` +
        `**${int(stale)}** of ${int(followed)} (${pct(stale, followed)}); per run median ${int(med((r) => r.stale).median)} |`,
    );
  }
  lines.push('');
  const beaconRuns = result.runs.filter((r) => r.variant === 'beacon');
  if (beaconRuns.length > 0) {
    const stale = beaconRuns.reduce((s, r) => s + r.stale, 0);
    const followed = beaconRuns.reduce((s, r) => s + r.followedWrite, 0);
    lines.push(
      `Target (issue 15): Beacon's stale count 0, with an API key on every request and read-after-write on: ` +
        `${stale > 0 ? '**missed**' : followed > 0 ? '**met**' : 'not shown (no read followed a write)'} (${int(stale)} stale of ${int(followed)} reads that followed a write to what they show).`,
    );
    lines.push('');
  }
  const notes = [...result.notes, ...staleNotes(result)];
  for (const note of notes) lines.push(`- ${note}`);
  lines.push('');
  return lines.join('\n');
}

function staleNotes(result: MixedResult): string[] {
  const notes = [
    'A read is **stale** when it was sent after a write to an entity it shows had been acknowledged (its response received), ' +
      'yet shows the entity as before that write: a dataset whose name lacks the write\'s marker (each rename writes a unique ' +
      '`w<seq>`), a dataset\'s completed runs without the run a completion made (the newest run id shown is lower), or a ' +
      '`topUpdatedDatasets(limit: 5)` that leaves out the dataset renamed last although fewer than 5 other datasets were ' +
      'renamed since (counting every rename that may have started after it). Writes to one entity are never in flight ' +
      'together. Judged by causality, never by a time threshold.',
    'Hits: each response says whether it came from the response cache (Beacon: `x-beacon-cache: HIT-L1|HIT-L2`; Apollo: ' +
      'the `age` header its response cache sets on hits only).',
  ];
  const split = (['beacon', 'usual'] as const).flatMap((variant) => {
    const runs = result.runs.filter((r) => r.variant === variant);
    if (runs.length === 0) return [];
    const rate = (query: Query) =>
      pct(runs.reduce((s, r) => s + r.byQuery[query].hits, 0), runs.reduce((s, r) => s + r.byQuery[query].reads, 0));
    return [`${variant === 'beacon' ? 'Beacon' : 'Apollo'} Dashboard ${rate('Dashboard')}, Models ${rate('Models')}`];
  });
  if (split.length > 0) {
    notes.push(
      `Hits per query, all rounds: ${split.join('; ')}. Every rename moves a dataset to the top of \`topUpdatedDatasets\`, ` +
        'which every Dashboard shows: each one changes every Dashboard answer, so an exact cache recomputes them all.',
    );
  }
  const beacon = result.runs.filter((r) => r.variant === 'beacon' && r.counted);
  if (beacon.length > 0) {
    const hits = beacon.reduce((s, r) => s + r.counted!.hits, 0);
    const misses = beacon.reduce((s, r) => s + r.counted!.misses, 0);
    const headers = beacon.reduce((s, r) => s + r.hits, 0);
    const reads = beacon.reduce((s, r) => s + r.reads, 0);
    const total = (pick: (c: Counters) => number) => int(beacon.reduce((s, r) => s + pick(r.counted!), 0));
    notes.push(
      `Beacon's cacheStats over the measured runs (both instances, Dashboard and Models): ${pct(hits, hits + misses)} hits ` +
        `(${int(hits)} of ${int(hits + misses)}), against ${pct(headers, reads)} by response headers; ${total((c) => c.invalidations)} ` +
        `invalidations, ${total((c) => c.tierErrors)} L2 errors (Redis calls past their read budget, or refused while the breaker a ` +
        `timeout opens is open: each fails open to a miss), ${total((c) => c.remoteChecks)} ` +
        `reads checked against Redis (an invalidation message late), ${total((c) => c.discardedStale)} results discarded (a write ` +
        'landed while they were computed).',
    );
  }
  for (const variant of ['beacon', 'usual'] as const) {
    const example = result.runs.find((r) => r.variant === variant && r.example)?.example;
    if (!example) continue;
    const who = variant === 'beacon' ? 'Beacon' : 'Apollo';
    const ago = `${example.ackedMsBeforeSend.toFixed(0)} ms before the read was sent`;
    notes.push(
      example.leftOut
        ? `A stale read of ${who}: its topUpdatedDatasets left out ${example.entity}, renamed last, acknowledged ${ago}.`
        : `A stale read of ${who}: ${example.entity} shown at version ${example.shown}, though version ${example.required} had been acknowledged ${ago}.`,
    );
  }
  return notes;
}
