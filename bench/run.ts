// npm run bench: Beacon side by side with the bound (bare node:http + stored bytes) and the peers a user would pick
// instead (Apollo's response cache over Keyv/Redis and in memory, mercurius + mercurius-cache, Yoga's response cache
// in memory and on Redis: bench/servers/), and with its own cache disabled, on one fresh seeded PostgreSQL database
// and Redis, every variant a separate process on its own port. Writes bench/results/<date>.md and latest.md.
// docs/benchmarks.md explains the variants, the scenarios and how to read the table.
//
// BENCH_QUICK=1: a one-minute smoke run (one short round, fewer keys in the memory check).
// The OECD ICIO table at full size (bench/io.ts, 3,510 sectors) runs last, once (BENCH_IO_RUNS=3 for medians of
// three, BENCH_IO=off to skip it, BENCH_IO=on to run it in the quick run; ~3-5 minutes a run on a loaded 2-CPU
// machine); its table ends the report.
// BENCH_SCENARIOS=a,d: a subset. BENCH_SECONDS, BENCH_ROUNDS, BENCH_WARMUP_SECONDS: override the durations.
// BENCH_CLUSTER=off: scenario b without its Redis Cluster variant (otherwise a local 3+3 cluster is started for it).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_HEADERS, BEACON_BENCH_ENV, cacheSettled, closeAgent, forEachLimit, postOk } from './lib/http.js';
import { ALL, readPlan, type ScenarioId } from './lib/plan.js';
import { mixedSettings, renderMixed, runMixed, type MixedResult } from './lib/mixed.js';
import { detectPinning, pauseOthers, ROOT, sleep, startServer, waitUntilIdle, type Server } from './lib/processes.js';
import { profileBeacon, type ProfileRun } from './lib/profile-run.js';
import { RESOLVER_RUNS_PATH } from './servers/peer.js';
import { machineInfo, renderReport } from './lib/report.js';
import {
  median,
  roundRatios,
  spread,
  type LatencyResult,
  type LatencyRow,
  type Measurement,
  type Observed,
  type PairedRun,
  isKeyed,
  isPeer,
  PEERS,
  type PeerId,
  type ScenarioResult,
  type ThroughputResult,
  type VariantId,
  VARIANT_LABELS,
} from './lib/results.js';
import { createBenchKey, createSeededDatabase, deleteRedisKeys, REDIS_URL, type BenchDatabase } from './lib/services.js';
import {
  assessmentBody,
  CACHE_STATS_BODY,
  dashboardBody,
  hotBodies,
  IO_MODELS_BODY,
  MISS_SPACE,
  missBody,
  mixedReads,
  mixedWrites,
  MUTATION,
  RUNS_PAGE_BODY,
  templateParts,
  TOUCHED_IDS,
} from './lib/workload.js';
import { errorCount, runWrk, type WrkResult } from './lib/wrk.js';
import { clusterToolsAvailable, TestRedisCluster } from '../test/helpers/redis-cluster.js';
import type { MemoryResult } from './memory.js';

const plan = readPlan();
const pinning = detectPinning();
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const prefix = `bench-${runId}`;
const work = mkdtempSync(path.join(os.tmpdir(), 'beacon-bench-'));
const startedAt = new Date();
const log = (message: string) => process.stdout.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);

/** Running processes by id: a variant's, or the base process of a `-key` variant. */
type Servers = Map<ProcessId | 'bound', Server>;
/** The variants that are processes of their own: a `-key` variant is its base process with an API key. */
type ProcessId = Exclude<VariantId, 'bound' | `${string}-key`> | 'beacon-l2only' | 'beacon-l2cluster';

/** The Redis Cluster of the `beacon-l2cluster` variant (scenario b), started by main when it runs. */
let cluster: TestRedisCluster | undefined;

// ---------------------------------------------------------------------------------------------------------------
// Variants

/** Each peer's server file and its PEER_CACHE (bench/servers/peer.ts). */
const PEER_SERVERS: Record<PeerId, { script: string; cache?: 'memory' | 'redis' }> = {
  usual: { script: 'bench/servers/usual.ts', cache: 'redis' },
  'apollo-memory': { script: 'bench/servers/usual.ts', cache: 'memory' },
  mercurius: { script: 'bench/servers/mercurius.ts' },
  yoga: { script: 'bench/servers/yoga.ts', cache: 'memory' },
  'yoga-redis': { script: 'bench/servers/yoga.ts', cache: 'redis' },
};

function variantSpec(variant: ProcessId, group: string, database: BenchDatabase) {
  const namespace = `${prefix}-${group}-${variant}`;
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: database.url, REDIS_URL, CACHE_NAMESPACE: namespace };
  if (isPeer(variant)) {
    const { script, cache } = PEER_SERVERS[variant];
    return { name: variant, script, env: cache ? { ...common, PEER_CACHE: cache } : common, pinning };
  }
  const beacon: Record<string, string> = { ...common, ...BEACON_BENCH_ENV };
  if (variant === 'beacon-nocache') beacon.CACHE_ENABLED = 'false';
  if (variant === 'beacon-l2only') beacon.CACHE_L1_MAX_BYTES = '0';
  // The same as beacon-l2only on a Redis Cluster: what a hit costs when L2 is a cluster (slot routing, node-redis's
  // cluster client) beside one Redis, on the same machine in the same run.
  if (variant === 'beacon-l2cluster') {
    beacon.CACHE_L1_MAX_BYTES = '0';
    delete beacon.REDIS_URL;
    beacon.REDIS_CLUSTER_NODES = cluster!.seeds;
  }
  // The hit path without its per-turn clock sync: what read after write costs (scenario a).
  if (variant === 'beacon-eventual') beacon.CACHE_READ_AFTER_WRITE = 'off';
  return { name: variant, script: 'src/main.ts', env: beacon, pinning };
}

async function withServers<T>(
  group: string,
  variants: ProcessId[],
  database: BenchDatabase,
  body: (servers: Servers) => Promise<T>,
): Promise<T> {
  log(`starting ${variants.join(', ')}`);
  const started = await Promise.allSettled(variants.map((variant) => startServer(variantSpec(variant, group, database))));
  const servers: Servers = new Map();
  started.forEach((outcome, k) => {
    if (outcome.status === 'fulfilled') servers.set(variants[k]!, outcome.value);
  });
  try {
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    for (const [variant, target] of servers) if (isBeacon(variant)) await cacheSettled(target.url, variant);
    return await body(servers);
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
}

async function startBound(scenario: ScenarioId, responses: Record<string, string>, fallback: string): Promise<Server> {
  const file = path.join(work, `bound-${scenario}.json`);
  writeFileSync(file, JSON.stringify({ responses, fallback }));
  return startServer({ name: 'bound', script: 'bench/servers/bound.ts', env: { BOUND_RESPONSES: file, NODE_ENV: 'production' }, pinning });
}

function server(servers: Servers, variant: VariantId): Server {
  // A `-key` variant is the process without the suffix: only the requests differ (they carry an API key).
  const found = servers.get(processOf(variant));
  if (!found) throw new Error(`variant ${variant} is not running`);
  return found;
}

const processOf = (variant: VariantId) => variant.replace(/-key$/, '') as ProcessId | 'bound';

/** Beacon with its cache on: it has cacheStats to read (and an invalidation channel to wait for at start). */
const isBeacon = (variant: VariantId | ProcessId) => variant.startsWith('beacon') && !variant.startsWith('beacon-nocache');

/** The headers every request of `variant` carries (on top of the scenario's): the API key for a `-key` variant. */
function variantHeaders(variant: VariantId): Record<string, string> {
  return isKeyed(variant) ? { authorization: `Bearer ${benchKey}` } : {};
}

/** The same as wrk script arguments ("Name: value"). */
const headerArgs = (variant: VariantId) => Object.entries(variantHeaders(variant)).map(([name, value]) => `${name}: ${value}`);

/** How many times a peer's database-reaching resolvers have run (bench/servers/peer.ts RESOLVER_RUNS_PATH). */
async function resolverRuns(target: Server): Promise<number> {
  const response = await fetch(new URL(RESOLVER_RUNS_PATH, target.url));
  if (!response.ok) throw new Error(`${target.name} answered ${response.status} on ${RESOLVER_RUNS_PATH}`);
  return Number(await response.text());
}

// ---------------------------------------------------------------------------------------------------------------
// Checks and observations

/**
 * Every variant must answer `body` with the same bytes as the reference (Beacon): a benchmark of different answers
 * would compare nothing. Fails the run, showing where the bodies part.
 */
async function checkSameBytes(servers: Servers, variants: VariantId[], body: string, headers: Record<string, string> = {}): Promise<void> {
  const replies = new Map<VariantId, string>();
  for (const variant of variants) replies.set(variant, (await postOk(server(servers, variant).url, body, { ...headers, ...variantHeaders(variant) })).body);
  const reference = replies.get('beacon') ?? replies.get('beacon-key') ?? replies.values().next().value!;
  for (const [variant, text] of replies) {
    if (text === reference) continue;
    let at = 0;
    while (at < text.length && text[at] === reference[at]) at++;
    throw new Error(
      `${variant} answers different bytes than Beacon (${text.length} vs ${reference.length} bytes, first difference at ${at}):\n` +
        `  Beacon: …${reference.slice(Math.max(0, at - 60), at + 60)}…\n  ${variant}: …${text.slice(Math.max(0, at - 60), at + 60)}…\n` +
        `request: ${body.slice(0, 200)}`,
    );
  }
}

interface StatsSnapshot {
  tiers: Record<string, { hits: number; misses: number }>;
  operations: Record<string, { hits: number; misses: number }>;
  bypasses: number;
}

async function cacheStats(url: string): Promise<StatsSnapshot> {
  const reply = await postOk(url, CACHE_STATS_BODY, ADMIN_HEADERS);
  const stats = JSON.parse(reply.body).data.cacheStats as {
    bypasses: number;
    tiers: Array<{ tier: string; hits: number; misses: number }>;
    operations: Array<{ name: string; hits: number; misses: number }>;
  };
  return {
    bypasses: stats.bypasses,
    tiers: Object.fromEntries(stats.tiers.map((t) => [t.tier, { hits: t.hits, misses: t.misses }])),
    operations: Object.fromEntries(stats.operations.map((o) => [o.name, { hits: o.hits, misses: o.misses }])),
  };
}

function difference(before: StatsSnapshot, after: StatsSnapshot): Observed {
  const byOperation: Observed['byOperation'] = {};
  let hits = 0;
  let misses = 0;
  for (const [name, counts] of Object.entries(after.operations)) {
    const earlier = before.operations[name] ?? { hits: 0, misses: 0 };
    const delta = { hits: counts.hits - earlier.hits, misses: counts.misses - earlier.misses };
    if (delta.hits + delta.misses === 0) continue;
    byOperation[name] = delta;
    hits += delta.hits;
    misses += delta.misses;
  }
  const tierHits = (tier: string) => (after.tiers[tier]?.hits ?? 0) - (before.tiers[tier]?.hits ?? 0);
  return { hits, misses, l1Hits: tierHits('L1'), l2Hits: tierHits('L2'), bypasses: after.bypasses - before.bypasses, byOperation };
}

// ---------------------------------------------------------------------------------------------------------------
// Throughput scenarios (wrk, one thread, many connections)

interface ThroughputSpec {
  id: ScenarioId;
  title: string;
  description: string;
  variants: VariantId[];
  script: 'hot.lua' | 'miss.lua' | 'mixed.lua';
  /** wrk script arguments for the `invocation`-th run of this variant (0: the warm-up). */
  args(variant: VariantId, invocation: number): string[];
  connections: number;
  /** What the bound answers: request body -> captured response; anything else gets the fallback. */
  bound: { responses: Record<string, string>; fallback: string };
  checks: Array<{ body: string; headers?: Record<string, string> }>;
  /** Two variants also measured loaded at once, after the rounds (pairedRuns): the target's measure of their ratio. */
  paired?: [VariantId, VariantId];
  /** Called after each measured run (e.g. to note repeated keys). */
  after?(variant: VariantId, result: WrkResult, invocation: number): void;
}

/** The warm-up just before each measured run of a hit scenario (see runThroughput). */
const RUN_WARMUP_SECONDS = 2;

// In the variant lists below the peers lead and the bound stands just before the Beacon row its ratio judges: the
// rotation (one step a round) keeps the two neighbours in time for up to five rounds, and this machine's speed drifts
// by a quarter over a minute (the bound alone: 29,500 to 46,900 req/s in four rounds), which a ratio of runs a
// minute apart would carry.

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

async function runThroughput(spec: ThroughputSpec, servers: Servers): Promise<ThroughputResult> {
  log(`(${spec.id}) ${spec.title}`);
  const bound = spec.variants.includes('bound') ? await startBound(spec.id, spec.bound.responses, spec.bound.fallback) : undefined;
  const all: Servers = new Map(servers);
  if (bound) all.set('bound', bound);
  const result: ThroughputResult = {
    kind: 'throughput',
    id: spec.id,
    title: spec.title,
    description: spec.description,
    connections: spec.connections,
    variants: spec.variants,
    measurements: [],
    notes: [],
  };
  try {
    for (const check of spec.checks) await checkSameBytes(all, spec.variants, check.body, check.headers);
    const invocations = new Map<VariantId, number>();
    const wrk = async (variant: VariantId, seconds: number) => {
      const invocation = invocations.get(variant) ?? 0;
      invocations.set(variant, invocation + 1);
      const target = server(all, variant);
      const outcome = await runWrk({ url: target.url, script: spec.script, args: spec.args(variant, invocation), connections: spec.connections, seconds, pinning });
      if (outcome.errors.status > 0) {
        throw new Error(`(${spec.id}) ${variant} answered ${outcome.errors.status} requests with an error status (>= 400)`);
      }
      return { outcome, invocation };
    };
    // The quick run warms up only where hits are measured (the fast lane's code is cold after priming through Fastify).
    const warmup = plan.quick && !['a', 'b', 'd'].includes(spec.id) ? 0 : plan.warmupSeconds;
    if (warmup > 0) for (const variant of spec.variants) await wrk(variant, warmup);
    for (let round = 0; round < plan.rounds; round++) {
      for (const variant of rotate(spec.variants, round)) {
        const target = server(all, variant);
        await waitUntilIdle(all.values());
        await pauseOthers(all.values(), target, async () => {
          // A server idle while the others ran has shrunk its heap and cooled its code: two seconds of the same load
          // first (its first major collections come in the first two, seen with a GC observer after 40 s idle), so
          // that its p99 is the steady state's, not its wake-up's. Not in (c), whose every request must be new to its
          // variant (each run has its own block of variable sets).
          if (!plan.quick && spec.script !== 'miss.lua') await wrk(variant, RUN_WARMUP_SECONDS);
          const statsBefore = isBeacon(variant) ? await cacheStats(target.url) : undefined;
          const runsBefore = isPeer(variant) ? await resolverRuns(target) : undefined;
          const cpuBefore = target.cpuMs();
          const { outcome, invocation } = await wrk(variant, plan.seconds);
          const cpuMs = target.cpuMs() - cpuBefore;
          const measurement: Measurement = {
            variant,
            round,
            requests: outcome.requests,
            rps: outcome.rps,
            p50Ms: outcome.p50Ms,
            p99Ms: outcome.p99Ms,
            cpuMsPerRequest: outcome.requests > 0 ? cpuMs / outcome.requests : NaN,
            errors: errorCount(outcome),
          };
          if (statsBefore) measurement.observed = difference(statsBefore, await cacheStats(target.url));
          if (runsBefore !== undefined) measurement.resolverRuns = (await resolverRuns(target)) - runsBefore;
          result.measurements.push(measurement);
          spec.after?.(variant, outcome, invocation);
          log(
            `(${spec.id}) round ${round + 1}/${plan.rounds} ${variant.padEnd(14)} ${outcome.rps.toFixed(0).padStart(6)} req/s  ` +
              `p50 ${outcome.p50Ms.toFixed(2)} ms  p99 ${outcome.p99Ms.toFixed(2)} ms  cpu ${measurement.cpuMsPerRequest.toFixed(3)} ms/req`,
          );
        });
      }
    }
    if (spec.paired) {
      const args = (variant: VariantId) => {
        const invocation = invocations.get(variant) ?? 0;
        invocations.set(variant, invocation + 1);
        return spec.args(variant, invocation);
      };
      result.paired = await pairedRuns(spec.id, all, spec.paired, spec.script, args);
    }
    const socketErrors = result.measurements.reduce((sum, m) => sum + m.errors, 0);
    if (socketErrors > 0) result.notes.push(`wrk reported ${socketErrors} socket errors or timeouts across the runs.`);
  } finally {
    await bound?.stop();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// The scenarios

function writeLines(name: string, lines: readonly string[]): string {
  const file = path.join(work, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function capture(url: string, bodies: readonly string[], headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const responses: Record<string, string> = {};
  for (const body of bodies) responses[body] = (await postOk(url, body, headers)).body;
  return responses;
}

/** Sends every body to each variant that runs (with its headers), so what is measured next is cached. */
async function prime(servers: Servers, variants: VariantId[], bodies: readonly string[]): Promise<void> {
  for (const variant of variants) {
    const target = servers.get(processOf(variant));
    const headers = variantHeaders(variant);
    if (target) await forEachLimit(bodies, 8, async (body) => void (await postOk(target.url, body, headers)));
  }
}

/**
 * A writer's API key, for the `beacon-key` variant: every request of it carries `Authorization: Bearer <key>`, so
 * each hit also pays the key check (a cached verification) and is keyed by the key's team. Created in the bench's
 * database before the servers start.
 */
let benchKey = '';

/** Scenarios a and b: the same 100 cached dashboard bodies, from L1 (a) and from Redis only (b). */
async function hot(servers: Servers): Promise<ScenarioResult[]> {
  const bodies = hotBodies();
  const file = writeLines('hot.txt', bodies);
  const responses = await capture(server(servers, 'beacon').url, bodies);
  // The key's team keys its own entries (auth/principal.ts visibilityScope): primed like the others.
  await prime(servers, [...PEERS, 'beacon-key', 'beacon-l2only-key', 'beacon-l2cluster-key', 'beacon-eventual'], bodies);
  // Let the L2 writes of the priming land before the first lookups.
  await sleep(200);
  const common = {
    script: 'hot.lua' as const,
    args: (variant: VariantId) => [file, ...headerArgs(variant)],
    connections: plan.connections,
    bound: { responses, fallback: responses[bodies[0]!]! },
    checks: [{ body: bodies[0]! }, { body: bodies[57]! }],
  };
  const results: ScenarioResult[] = [];
  if (plan.scenarios.has('a')) {
    results.push(
      await runThroughput(
        {
          ...common,
          id: 'a',
          title: 'Dashboard query, hot: 100 variable sets, L1 hits',
          description:
            'The dashboard panel of one dataset (dataset, columns, its 10 latest runs with metrics; ~2 KB), rotating over datasets ' +
            '1-100, every entry cached before measuring. Beacon answers from L1; "an API key on every request" is the same ' +
            'process as "anonymous" with `Authorization: Bearer <writer key>` on each request (the key check and its team\'s ' +
            'entries): the row the targets judge. "read-after-write off" shows what the per-turn clock sync costs. Every peer ' +
            'answers from its own cache (the cache column counts the resolvers that reach the database: 0 means every ' +
            'request was a hit).',
          variants: [...PEERS, 'bound', 'beacon-key', 'beacon', 'beacon-eventual', 'beacon-nocache'],
        },
        servers,
      ),
    );
  }
  if (plan.scenarios.has('b')) {
    const onCluster = servers.has('beacon-l2cluster');
    const cluster = onCluster ? (['beacon-l2cluster-key'] as const) : [];
    const result = await runThroughput(
      {
        ...common,
        id: 'b',
        title: 'Dashboard query, hot, L1 disabled: every hit from Redis',
        description:
          'As (a), with Beacon started with CACHE_L1_MAX_BYTES=0, so each hit is read from Redis (with the other hits of its ' +
          'event-loop turn: one MGET on one Redis, a GET each on a cluster) and checked against the versions, and an API ' +
          'key on every Beacon request' +
          (onCluster ? '; once on the single Redis, once on a local Redis Cluster (3 masters + 3 replicas, REDIS_CLUSTER_NODES).' : '.') +
          ' The peers are those of (a), unchanged (the ones on Redis answer from Redis there too).',
        variants: [...PEERS, 'bound', 'beacon-l2only-key', ...cluster],
      },
      servers,
    );
    if (onCluster) result.notes.push(clusterRatio(result));
    results.push(result);
  }
  return results;
}

/** The cluster beside the single Redis, from the same run: the ratio of each round's req/s and p50. */
function clusterRatio(result: ThroughputResult): string {
  const rps = spread(roundRatios(result, 'beacon-l2cluster-key', 'beacon-l2only-key'));
  const p50 = (variant: VariantId) => result.measurements.filter((m) => m.variant === variant).map((m) => m.p50Ms);
  const single = p50('beacon-l2only-key');
  const p50Ratios = spread(p50('beacon-l2cluster-key').map((ms, k) => ms / single[k]!));
  return (
    `Redis Cluster vs single Redis, L2-only hits (same run, per round): req/s ratio ${rps.median.toFixed(2)} ` +
    `[${rps.min.toFixed(2)}–${rps.max.toFixed(2)}], p50 ratio ${p50Ratios.median.toFixed(2)} [${p50Ratios.min.toFixed(2)}–${p50Ratios.max.toFixed(2)}].`
  );
}

async function misses(servers: Servers): Promise<ThroughputResult> {
  const templateFile = writeLines('miss-template.txt', templateParts());
  // Each run of a variant enumerates its own block of variable sets (the warm-up, the rounds, then the paired rounds);
  // the check body is past every block.
  const block = Math.floor((MISS_SPACE - 1) / (2 * plan.rounds + 1));
  const check = missBody(MISS_SPACE - 1);
  const reference = (await postOk(server(servers, 'beacon').url, check)).body;
  let repeated = false;
  const result = await runThroughput(
    {
      id: 'c',
      title: '100% misses: a variable set never seen before on every request',
      description:
        'The dashboard query with a new (dataset, runs, status) combination per request: every variant executes it against ' +
        'PostgreSQL. Beacon also computes the key, looks in L1 and Redis, and stores the result in both; both Beacon rows send ' +
        'an API key on every request, so "cache disabled" pays the same key check. The peers look up and store too.',
      variants: [...PEERS, 'bound', 'beacon-key', 'beacon-nocache-key'],
      paired: ['beacon-nocache-key', 'beacon-key'],
      script: 'miss.lua',
      args: (variant, invocation) => [templateFile, String(invocation * block), ...headerArgs(variant)],
      connections: plan.connections,
      bound: { responses: { [check]: reference }, fallback: reference },
      checks: [{ body: check }],
      after(variant, outcome) {
        if (outcome.requests > block && variant !== 'bound') repeated = true;
      },
    },
    servers,
  );
  for (const run of result.paired ?? []) {
    for (const row of run.rows) if (row.requests > block) repeated = true;
  }
  if (repeated) result.notes.push('A run sent more requests than its block of variable sets: some keys repeated (hits show in the cache column).');
  result.notes.push('The bound answers every request with the response to one of them (same size class): it cannot know the rest.');
  result.notes.push(
    'mercurius-cache caches fields, not responses: `dataset(id)` repeats every 500 requests (the id turns fastest), so from then ' +
      'on its Query.dataset comes from its cache and only `modelRuns` with its new arguments runs (the cache column counts both).',
  );
  return result;
}

/**
 * Two variants under the same load at the same time, on the one server core, each from its own wrk, every other
 * server paused: their CPU per request is measured over the same seconds, so the machine's drift (a quarter of its
 * speed over a minute) hits both alike, which back-to-back runs cannot promise. Only CPU per request means anything
 * here (the two share the core), and only between two processes of one size: switching the core between them costs
 * the one with more code and data more (in a one-second trial, Beacon beside the bound measured 0.70 of it in CPU per
 * hit, against 0.80-0.90 back to back), so it pairs Beacon with itself, cache on and off (scenario c), not the bound.
 */
async function pairedRuns(
  id: ScenarioId,
  servers: Servers,
  variants: [VariantId, VariantId],
  script: ThroughputSpec['script'],
  args: (variant: VariantId) => string[],
): Promise<PairedRun[]> {
  const targets = variants.map((variant) => server(servers, variant));
  const load = (seconds: number) =>
    Promise.all(variants.map((variant, k) => runWrk({ url: targets[k]!.url, script, args: args(variant), connections: plan.connections, seconds, pinning })));
  const runs: PairedRun[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    await waitUntilIdle(servers.values());
    const run = await pauseOthers(servers.values(), targets, async () => {
      const cpuBefore = targets.map((target) => target.cpuMs());
      const outcomes = await load(plan.seconds);
      const rows = variants.map((variant, k) => ({
        variant,
        requests: outcomes[k]!.requests,
        cpuMsPerRequest: (targets[k]!.cpuMs() - cpuBefore[k]!) / Math.max(1, outcomes[k]!.requests),
      }));
      return { round, rows };
    });
    runs.push(run);
    log(`(${id}) paired round ${round + 1}/${plan.rounds} ${run.rows.map((row) => `${row.variant} ${row.requests} req, cpu ${row.cpuMsPerRequest.toFixed(3)} ms/req`).join('; ')}`);
  }
  return runs;
}

async function runsPage(servers: Servers): Promise<ThroughputResult> {
  const noCache = { 'cache-control': 'no-cache' };
  const file = writeLines('runs-page.txt', [RUNS_PAGE_BODY]);
  const reference = (await postOk(server(servers, 'beacon').url, RUNS_PAGE_BODY, noCache)).body;
  const result = await runThroughput(
    {
      id: 'f',
      title: 'modelRuns(first: 100) page with nested fields, cold (Cache-Control: no-cache)',
      description:
        `A page of 100 runs with their dataset, all metrics and top-5 feature importances (~${Math.round(reference.length / 1024)} KB), ` +
        `every request sent with Cache-Control: no-cache, so no variant answers from its response cache; ${plan.coldPageConnections} connections.`,
      variants: ['bound', 'usual', 'beacon', 'beacon-nocache'],
      script: 'hot.lua',
      args: () => [file, 'Cache-Control: no-cache'],
      connections: plan.coldPageConnections,
      bound: { responses: { [RUNS_PAGE_BODY]: reference }, fallback: reference },
      checks: [{ body: RUNS_PAGE_BODY, headers: noCache }],
    },
    servers,
  );
  result.notes.push(
    "no-cache skips Beacon's response cache only: the page is recomputed (and stored again), while the featureImportance " +
      'field results still come from its field cache, as designed. "Beacon, cache disabled" is the fully cold figure.',
  );
  return result;
}

async function assessments(servers: Servers): Promise<LatencyResult> {
  log('(e) assessment query, cold vs cached');
  const models = JSON.parse((await postOk(server(servers, 'beacon').url, IO_MODELS_BODY)).body).data.ioModels as Array<{
    name: string;
    countries: string[];
    sectors: Array<{ code: string }>;
  }>;
  const model = models[0]!;
  const pairs = model.countries.flatMap((country) => model.sectors.map(({ code }) => [country, code] as const));
  const bodies = pairs.map(([country, sector]) => assessmentBody(model.name, country, sector));
  const cached = bodies.slice(0, plan.cachedAssessments);
  const coldPool = bodies.slice(plan.cachedAssessments);
  const needed = plan.coldAssessments * plan.rounds;
  if (coldPool.length < needed) throw new Error(`model ${model.name} has ${coldPool.length} country-sectors, the plan needs ${needed}`);
  const variants: VariantId[] = ['usual', 'beacon', 'beacon-nocache'];
  await prime(servers, ['usual', 'beacon'], cached);
  await checkSameBytes(servers, variants, cached[0]!);
  const cachedFile = writeLines('assessments-cached.txt', cached);
  const rows = new Map<VariantId, LatencyRow>(
    variants.map((variant) => [variant, { variant, coldMs: [], cachedP50Ms: [], cachedP99Ms: [], cachedRps: [], cpuMsPerCachedRequest: [] }]),
  );
  for (let round = 0; round < plan.rounds; round++) {
    // The same never-asked pairs for every variant in a round: the same work.
    const cold = coldPool.slice(round * plan.coldAssessments, (round + 1) * plan.coldAssessments);
    for (const variant of rotate(variants, round)) {
      const target = server(servers, variant);
      const row = rows.get(variant)!;
      const times: number[] = [];
      for (const body of cold) times.push((await postOk(target.url, body)).ms);
      row.coldMs.push(median(times));
      const cpuBefore = target.cpuMs();
      const outcome = await runWrk({ url: target.url, script: 'hot.lua', args: [cachedFile], connections: 1, seconds: Math.min(plan.seconds, 3), pinning });
      row.cpuMsPerCachedRequest.push((target.cpuMs() - cpuBefore) / Math.max(1, outcome.requests));
      row.cachedP50Ms.push(outcome.p50Ms);
      row.cachedP99Ms.push(outcome.p99Ms);
      row.cachedRps.push(outcome.rps);
      log(
        `(e) round ${round + 1}/${plan.rounds} ${variant.padEnd(14)} cold median ${median(times).toFixed(1)} ms, ` +
          `repeat p50 ${outcome.p50Ms.toFixed(3)} ms (${(median(times) / outcome.p50Ms).toFixed(0)}x)`,
      );
    }
  }
  return {
    kind: 'latency',
    id: 'e',
    title: 'Assessment query: cold vs cached',
    description:
      `One supply-chain assessment (${model.name}, ${pairs.length} country-sectors: load the coefficients, LU-factorize, solve; ~2.3 KB). ` +
      `Cold: ${plan.coldAssessments} country-sectors never asked before per round, one request at a time (harness client). ` +
      `Cached: wrk on one connection rotating over ${plan.cachedAssessments} cached ones for ${Math.min(plan.seconds, 3)} s.`,
    rows: [...rows.values()],
    notes: ['For "Beacon, cache disabled" the repeated requests are computed again: its ratio shows what the cache saves.'],
  };
}

async function mixed(servers: Servers): Promise<ThroughputResult> {
  const reads = mixedReads();
  const writes = mixedWrites();
  const readsFile = writeLines('mixed-reads.txt', reads);
  const writesFile = writeLines('mixed-writes.txt', writes);
  // Writes need a writer: Beacon's requests carry the API key (reads too, as issue 15 judges); the peer trusts everyone.
  const beaconUrl = server(servers, 'beacon-key').url;
  const keyHeaders = variantHeaders('beacon-key');
  const responses = await capture(beaconUrl, reads, keyHeaders);
  Object.assign(responses, await capture(beaconUrl, writes, keyHeaders));
  await prime(servers, ['usual'], reads);
  await sleep(200);
  const untouched = reads[49]!;
  const result = await runThroughput(
    {
      id: 'd',
      title: 'Mixed: 95% reads, 5% writes',
      description:
        `The reads of (a) over datasets 1-100; every 20th request is updateDataset setting the description of one of datasets ` +
        `${TOUCHED_IDS.join(', ')} (rotating over ${writes.length} id/text pairs), which invalidates that dataset's entries. The hit rate ` +
        'of the entries no write touched (datasets 6-100) is read from cacheStats (their operation has its own name).',
      variants: ['bound', 'usual', 'beacon-key', 'beacon-nocache-key'],
      script: 'mixed.lua',
      args: (variant) => [readsFile, writesFile, '20', ...headerArgs(variant)],
      connections: plan.connections,
      bound: { responses, fallback: responses[untouched]! },
      // Reads only: a mutation's reply carries Beacon's invalidation report (extensions.invalidation, with counts of
      // what was cached at that moment), which no peer has and no two replies need share.
      checks: [{ body: untouched }],
    },
    servers,
  );
  // After a write, does a read see it? The usual choice has no invalidation: it keeps serving what it cached.
  for (const variant of ['usual', 'beacon-key', 'beacon-nocache-key'] as const) {
    const target = server(servers, variant);
    const headers = variantHeaders(variant);
    const note = `${runId}-${variant}`;
    const text = `Benchmark final ${note}.`;
    await postOk(target.url, JSON.stringify({ operationName: 'Touch', query: MUTATION, variables: { id: '1', description: text } }), headers);
    const read = (await postOk(target.url, dashboardBody(1, 10, 'null', 'DashboardTouched'), headers)).body;
    result.notes.push(`${VARIANT_LABELS[variant]}: a read right after a write ${read.includes(text) ? 'sees the write' : 'is STALE (serves the cached answer from before the write)'}.`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Memory check (a separate process: its RSS is its own)

function memoryCheck(): MemoryResult {
  log(`memory check: ${plan.memoryKeys.toLocaleString()} keys`);
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory.ts', '--keys', String(plan.memoryKeys), '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, BENCH_REDIS_URL: REDIS_URL },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = output.split('\n').find((candidate) => candidate.startsWith('BENCH_MEMORY '));
  if (!line) throw new Error(`bench/memory.ts printed no result:\n${output}`);
  return JSON.parse(line.slice('BENCH_MEMORY '.length)) as MemoryResult;
}

// ---------------------------------------------------------------------------------------------------------------
// Assessments at full size (a separate process: it imports a 70 MB table and starts servers of its own)

interface IoBenchResult {
  report: string;
  figures: Array<{ what: string; budget: string; median: number; runs: number[] }>;
}

function ioBench(): IoBenchResult {
  const runs = process.env.BENCH_IO_RUNS ?? '1';
  log(`assessments at full size (bench/io.ts): ${runs} run(s)`);
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'bench/io.ts', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, IO_RUNS: runs },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = output.split('\n').find((candidate) => candidate.startsWith('BENCH_IO '));
  if (!line) throw new Error(`bench/io.ts printed no result:\n${output}`);
  return JSON.parse(line.slice('BENCH_IO '.length)) as IoBenchResult;
}

// ---------------------------------------------------------------------------------------------------------------

/** The profile without its long tail, for the JSON next to the report. */
function trimmed(run: ProfileRun): ProfileRun {
  return { ...run, summary: { ...run.summary, self: run.summary.self.slice(0, 40), inclusive: run.summary.inclusive.slice(0, 40) } };
}

function ensureWrk(): void {
  try {
    execFileSync('wrk', ['-v'], { stdio: 'ignore' });
    return;
  } catch (error) {
    // wrk -v exits 1 after printing its version; only a missing binary (ENOENT) needs the install.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return;
  }
  log('wrk is missing: running bench/setup.sh');
  execFileSync('bash', [path.join(ROOT, 'bench', 'setup.sh')], { stdio: 'inherit' });
}

async function main(): Promise<void> {
  ensureWrk();
  log(`${plan.quick ? 'quick' : 'full'} run ${runId}: ${plan.rounds} round(s) x ${plan.seconds} s, scenarios ${[...plan.scenarios].join(',')}; pinning: ${pinning.description}`);
  const loadBefore = os.loadavg();
  log('creating and seeding the database');
  const database = await createSeededDatabase(`beacon_bench_${runId}`);
  log(`seeded in ${(database.seedMs / 1000).toFixed(1)} s`);
  benchKey = await createBenchKey(database.url);
  const results: ScenarioResult[] = [];
  let memory: MemoryResult | undefined;
  let profile: ProfileRun | undefined;
  let mixedResult: MixedResult | undefined;
  try {
    // One process per variant for the whole run (starting them costs more than most measurements); each scenario
    // warms up what it measures. The bound is restarted per scenario with that scenario's captured responses.
    const has = (id: ScenarioId) => plan.scenarios.has(id);
    // The peers other than Apollo's over Redis (the usual choice) run in the scenarios that compare every peer.
    const variants: ProcessId[] = has('a') || has('b') || has('c') ? [...PEERS, 'beacon'] : ['usual', 'beacon'];
    if (has('a') || has('c') || has('d') || has('e') || has('f')) variants.push('beacon-nocache');
    if (has('a')) variants.push('beacon-eventual');
    if (has('b')) variants.push('beacon-l2only');
    if (has('b') && process.env.BENCH_CLUSTER !== 'off') {
      if (await clusterToolsAvailable()) {
        log('starting a Redis Cluster (3 masters + 3 replicas) for scenario b');
        cluster = await TestRedisCluster.start();
        variants.push('beacon-l2cluster');
      } else {
        log('redis-server or redis-cli is missing: scenario b runs without its Redis Cluster variant');
      }
    }
    // Scenario m alone needs none of these (it starts its own).
    if ([...plan.scenarios].some((id) => id !== 'm')) await withServers('all', variants, database, async (servers) => {
      if (has('a') || has('b')) results.push(...(await hot(servers)));
      if (has('c')) results.push(await misses(servers));
      if (has('f')) results.push(await runsPage(servers));
      if (has('e')) results.push(await assessments(servers));
      // Last: its writes change the data the other scenarios read.
      if (has('d')) results.push(await mixed(servers));
    });
    // Its own two Beacon and two Apollo processes; after (d), as its writes change the data.
    if (has('m')) {
      const { rounds, seconds, warmupSeconds } = plan;
      mixedResult = await runMixed({ databaseUrl: database.url, redisUrl: REDIS_URL, prefix, apiKey: benchKey, pinning, rounds, seconds, warmupSeconds, ...mixedSettings(), log });
    }
    if (plan.profileSeconds > 0) {
      log(`profiling Beacon under scenario a for ${plan.profileSeconds} s`);
      profile = await profileBeacon({
        scenario: 'a',
        databaseUrl: database.url,
        redisUrl: REDIS_URL,
        namespace: `${prefix}-profile`,
        seconds: plan.profileSeconds,
        connections: plan.connections,
        pinning,
      });
    }
    if (process.env.BENCH_MEMORY !== 'off') memory = memoryCheck();
  } finally {
    closeAgent();
    await cluster?.stop();
    await database.drop();
    const deleted = await deleteRedisKeys(prefix);
    log(`dropped the database and ${deleted} Redis keys`);
    rmSync(work, { recursive: true, force: true });
  }
  // After the database of the other scenarios is gone: bench/io.ts makes its own.
  const io = process.env.BENCH_IO === 'off' || (plan.quick && process.env.BENCH_IO !== 'on') ? undefined : ioBench();
  const finishedAt = new Date();
  const machine = await machineInfo({ pinning, loadBefore, loadAfter: os.loadavg() });
  const ioSection = io ? `\n## Assessments at full size: the OECD ICIO table (bench/io.ts)\n\n${io.report.split('\n').slice(2).join('\n')}` : '';
  const mixedSection = mixedResult ? `\n${renderMixed(mixedResult)}` : '';
  const markdown = renderReport({ plan, machine, startedAt, finishedAt, results, memory, profile, runId }) + mixedSection + ioSection;
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/:/g, '').replace(/\..*/, 'Z');
  // Only a complete run is the latest: a subset (BENCH_SCENARIOS, BENCH_MEMORY=off) is kept apart.
  const complete = plan.scenarios.size === ALL.length && memory !== undefined;
  const suffix = plan.quick ? '-quick' : complete ? '' : '-partial';
  writeFileSync(path.join(dir, `${stamp}${suffix}.md`), markdown);
  writeFileSync(path.join(dir, `latest${suffix}.md`), markdown);
  writeFileSync(path.join(dir, `${stamp}${suffix}.json`), JSON.stringify({ runId, plan: { ...plan, scenarios: [...plan.scenarios] }, machine, results, mixed: mixedResult, memory, profile: profile && trimmed(profile), io: io?.figures }, null, 1));
  process.stdout.write(`\n${markdown}\n`);
  log(`wrote bench/results/${stamp}${suffix}.md and latest${suffix}.md in ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
