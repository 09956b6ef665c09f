// npm run chaos: the scenarios of issue 9 with larger numbers than the short test (test/integration/chaos.test.ts),
// on the same harness (test/helpers/chaos.ts): two Beacon instances (in this process) on one fresh PostgreSQL
// database behind a TCP proxy and one private redis-server, background readers at a target rate, and
//   control     the race on instances with CACHE_ENABLED=false: what the judge finds without any cache (expect 0)
//   race        rounds of the four kinds of write on alternating instances, each read at once on both
//   redis-kill  Redis SIGKILLed under load and restarted empty (no persistence), writes going on throughout
//   db-stop     PostgreSQL cut for a while; entries expired (TTL 1 s) but inside stale-if-error, no SWR
//   flushall    FLUSHALL between a cached read and a write
//   eviction    the clock, or the versions of the written tags, deleted around a write (as an eviction would)
//   maxmemory   real evictions (allkeys-lru, maxmemory just above use) between a cached read and a write
// It prints, per scenario and phase, failed requests, stale reads (background and post-write), p50/p99, and the
// issue's targets met or not, and writes the whole report to bench/results/chaos-<date>.md.
//
// Settings (env, or --name=value flags with the same names in lower case without the prefix, e.g. --rounds=500):
//   CHAOS_ROUNDS (2000) race rounds · CHAOS_RATE (400) background reads/s over both instances · CHAOS_READERS (32)
//   CHAOS_MAX_SECONDS (600) cap of any one scenario · CHAOS_REDIS_DOWN_SECONDS (7) · CHAOS_DB_DOWN_SECONDS (10)
//   CHAOS_FAULT_ROUNDS (40) writes in flushall/eviction/maxmemory · CHAOS_CONTROL_ROUNDS (100) · CHAOS_SCENARIOS (all) comma-separated subset.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ChaosCluster,
  describeFailures,
  describeStale,
  formatTable,
  LoadGenerator,
  Phases,
  RaceWorkload,
  redisKillUnderLoad,
  summarize,
  WRITE_KINDS,
  type Instances,
  type Sample,
} from '../test/helpers/chaos.js';

const SCENARIOS = ['control', 'race', 'redis-kill', 'db-stop', 'flushall', 'eviction', 'maxmemory'] as const;
type Scenario = (typeof SCENARIOS)[number];

function setting(name: string, fallback: number, min: number, max: number): number {
  const flag = process.argv.find((arg) => arg.startsWith(`--${name.replace(/^CHAOS_/, '').toLowerCase().replaceAll('_', '-')}=`));
  const raw = flag ? flag.split('=')[1] : process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

const ROUNDS = setting('CHAOS_ROUNDS', 2000, 1, 100_000);
const RATE = setting('CHAOS_RATE', 400, 1, 5_000);
const READERS = setting('CHAOS_READERS', 32, 1, 500);
const MAX_MS = setting('CHAOS_MAX_SECONDS', 600, 10, 3_600) * 1000;
const REDIS_DOWN_MS = setting('CHAOS_REDIS_DOWN_SECONDS', 7, 1, 120) * 1000;
const DB_DOWN_MS = setting('CHAOS_DB_DOWN_SECONDS', 10, 1, 120) * 1000;
const FAULT_ROUNDS = setting('CHAOS_FAULT_ROUNDS', 40, 1, 10_000);
const CONTROL_ROUNDS = setting('CHAOS_CONTROL_ROUNDS', 100, 1, 100_000);
const scenarioFlag = process.argv.find((arg) => arg.startsWith('--scenarios='))?.split('=')[1] ?? process.env.CHAOS_SCENARIOS;
const chosen: Scenario[] = scenarioFlag ? (scenarioFlag.split(',').map((s) => s.trim()) as Scenario[]) : [...SCENARIOS];
for (const name of chosen) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${JSON.stringify(name)}; choose from ${SCENARIOS.join(', ')}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const report: string[] = [];
const verdicts: string[] = [];
function out(text: string): void {
  console.log(text);
  report.push(text);
}
function verdict(ok: boolean, text: string): void {
  const line = `- ${ok ? 'MET' : 'NOT MET'}: ${text}`;
  verdicts.push(line);
  console.log(line);
}
const staleCount = (samples: Sample[]) => samples.filter((s) => (s.stale?.length ?? 0) > 0).length;
const failedCount = (samples: Sample[]) => samples.filter((s) => !s.ok).length;

let cluster: ChaosCluster;
let workload: RaceWorkload;

/** A fresh pair for each scenario: one fault's aftermath must not blur the next one's figures. */
async function freshPair(env: Record<string, string> = {}): Promise<Instances> {
  if (workload) await cluster.stopInstances(workload.instances);
  const pair = await cluster.startInstances(env);
  if (workload) workload.use(pair);
  else {
    workload = await RaceWorkload.prepare(cluster, pair);
    await workload.baseline();
  }
  return pair;
}

async function underLoad(pair: Instances, durationMs: number, body: () => Promise<void>): Promise<Sample[]> {
  const load = new LoadGenerator(pair.apps, () => workload.backgroundReads(), {
    rate: RATE,
    readers: READERS,
    durationMs: Math.min(durationMs, MAX_MS),
    maxRequests: Math.ceil((RATE * Math.min(durationMs, MAX_MS)) / 1000),
  }).start();
  try {
    await body();
  } finally {
    await load.stop();
  }
  return load.samples;
}


function details(samples: Sample[]): void {
  const stale = describeStale(samples, 5);
  if (stale.length > 0) out(['', 'First stale reads:', ...stale.map((line) => `- ${line}`)].join('\n'));
  const failures = Object.entries(describeFailures(samples));
  if (failures.length > 0) out(['', 'Failed requests:', ...failures.slice(0, 10).map(([what, count]) => `- ${count} × ${what}`)].join('\n'));
}

const achieved = (samples: Sample[]) => {
  const background = samples.filter((s) => s.kind === 'background');
  if (background.length < 2) return 0;
  const span = (Math.max(...background.map((s) => s.end)) - Math.min(...background.map((s) => s.start))) / 1000;
  return background.length / span;
};

// Scenarios -------------------------------------------------------------------------------------------------------

async function race(control = false): Promise<void> {
  const pair = await freshPair(control ? { CACHE_ENABLED: 'false' } : {});
  const name = control ? 'control (no cache)' : 'race';
  const from = workload.samples.length;
  const writesBefore = workload.writes;
  const began = performance.now();
  let rounds = 0;
  const background = await underLoad(pair, MAX_MS, async () => {
    rounds = await workload.runRounds(control ? CONTROL_ROUNDS : ROUNDS, () => performance.now() - began > MAX_MS);
  });
  const samples = workload.judged(from, background);
  const seconds = (performance.now() - began) / 1000;
  const [all] = summarize(samples);
  out(formatTable(`${name}: ${rounds} rounds (${workload.writes - writesBefore} writes acked) in ${seconds.toFixed(0)} s, background ${achieved(samples).toFixed(0)} reads/s achieved (target ${RATE})`, [all!]));
  details(samples);
  verdict(all!.postWriteStale === 0 && all!.stale === 0, `${name}: 0 stale reads (${all!.postWriteStale} of ${all!.postWrite} post-write, ${all!.stale} of ${all!.requests - all!.postWrite} background)`);
  verdict(all!.failed === 0, `${name}: 0 failed requests (${all!.failed})`);
}

async function redisKill(): Promise<void> {
  const pair = await freshPair();
  const { samples, phases } = await redisKillUnderLoad(cluster, pair, workload, { beforeMs: 5_000, downMs: REDIS_DOWN_MS, laterMs: 5_000 }, (body) =>
    underLoad(pair, 30_000 + REDIS_DOWN_MS, body),
  );
  const rows = summarize(samples, phases);
  out(formatTable(`redis-kill: Redis SIGKILLed for ${REDIS_DOWN_MS / 1000} s under load, restarted empty; writes throughout`, rows));
  details(samples);
  const row = (name: string) => rows.find((r) => r.phase === name);
  const before = row('before');
  const after = row('5 s after restart');
  const honoured = samples.filter((s) => (s.stale?.length ?? 0) > 0 && phases.of(s.missedAck!) !== 'Redis down');
  verdict(failedCount(samples) === 0, `redis-kill: 0 failed requests (${failedCount(samples)})`);
  verdict(honoured.length === 0, `redis-kill: 0 stale reads of writes acked while Redis was up (${honoured.length}; plus ${staleCount(samples) - honoured.length} of writes acked while it was down)`);
  if (before && after) verdict(after.p99 <= before.p99 + 50, `redis-kill: p99 in the 5 s after the restart <= p99 before + 50 ms (${after.p99.toFixed(0)} vs ${before.p99.toFixed(0)} ms)`);
}

async function dbStop(): Promise<void> {
  // TTL 1 s, stale-if-error 1 h, no stale-while-revalidate: an expired entry is served only as a failed recompute's fallback.
  const pair = await freshPair({
    CACHE_MAX_TTL_SECONDS: '1',
    CACHE_STALE_WHILE_REVALIDATE_SECONDS: '0',
    CACHE_STALE_IF_ERROR_SECONDS: '3600',
  });
  const specs = workload.backgroundReads();
  for (const app of pair.apps) for (const spec of specs) await app.gql(spec.query, spec.variables);
  await sleep(1_100);
  const phases = new Phases();
  let restored = Number.POSITIVE_INFINITY;
  const load = new LoadGenerator(pair.apps, () => specs, { rate: RATE, readers: READERS, durationMs: DB_DOWN_MS + 20_000, maxRequests: RATE * (DB_DOWN_MS / 1000 + 20) }).start();
  try {
    phases.mark('before');
    await sleep(3_000);
    phases.mark('database down');
    await cluster.stopDatabase();
    await sleep(DB_DOWN_MS);
  } finally {
    await cluster.restoreDatabase();
    restored = phases.mark('after');
  }
  try {
    await sleep(5_000);
  } finally {
    await load.stop();
  }
  const samples = load.samples;
  const rows = summarize(samples, phases);
  out(formatTable(`db-stop: PostgreSQL cut for ${DB_DOWN_MS / 1000} s (TTL 1 s, stale-if-error 1 h, no stale-while-revalidate)`, rows));
  details(samples);
  const during = samples.filter((s) => phases.of(s.start) === 'database down');
  const staleServed = during.filter((s) => s.ok && s.cache === 'STALE').length;
  const errors = during.filter((s) => !s.ok).length;
  const recovery = [0, 1].map((instance) => {
    const fresh = samples.find((s) => s.instance === instance && s.start >= restored && s.ok && s.cache === 'MISS');
    return fresh ? fresh.end - restored : Number.POSITIVE_INFINITY;
  });
  verdict(errors === 0, `db-stop: every read with an entry answers (STALE ${staleServed}, fresh hits ${during.length - staleServed - errors}, errors ${errors} of ${during.length})`);
  verdict(recovery.every((ms) => ms < 5_000), `db-stop: fresh answers within 5 s of the database's return (${recovery.map((ms) => `${ms.toFixed(0)} ms`).join(', ')})`);
}

async function aroundWrites(name: string, title: string, fault: (kind: (typeof WRITE_KINDS)[number], i: number, pair: Instances) => Promise<void>): Promise<void> {
  const pair = await freshPair();
  const from = workload.samples.length;
  const background = await underLoad(pair, MAX_MS, async () => {
    for (let i = 0; i < FAULT_ROUNDS; i += 1) await fault(WRITE_KINDS[i % WRITE_KINDS.length]!, i, pair);
  });
  const samples = workload.judged(from, background);
  const [all] = summarize(samples);
  out(formatTable(`${name}: ${title}, ${FAULT_ROUNDS} writes`, [all!]));
  details(samples);
  verdict(staleCount(samples) === 0 && all!.failed === 0, `${name}: 0 stale reads (${all!.postWriteStale} post-write, ${staleCount(samples) - all!.postWriteStale} other) and 0 failed requests (${all!.failed})`);
}

const run: Record<Scenario, () => Promise<void>> = {
  control: () => race(true),
  race: () => race(false),
  'redis-kill': redisKill,
  'db-stop': dbStop,
  flushall: () =>
    aroundWrites('flushall', 'FLUSHALL between a cached read and a write', async (kind, i) => {
      await workload.cacheOnBoth(kind);
      await cluster.flushAll();
      await workload.write(kind, i % 2);
    }),
  eviction: () =>
    aroundWrites('eviction', 'the clock deleted before a write (even), the written tags’ versions after it (odd)', async (kind, i, pair) => {
      await workload.cacheOnBoth(kind);
      if (i % 2 === 0) {
        await cluster.deleteKeys([pair.clockKey]);
        await workload.write(kind, i % 2);
      } else {
        await workload.write(kind, i % 2);
        await cluster.deleteKeys(workload.tagsOf(kind).map((tag) => pair.tagVersionKey(tag)));
        await workload.probeBoth(kind);
      }
    }),
  maxmemory: () =>
    aroundWrites('maxmemory', 'real evictions (allkeys-lru, maxmemory just above use) between a cached read and a write', async (kind, i) => {
      await workload.cacheOnBoth(kind);
      await cluster.forceEvictions();
      await workload.write(kind, i % 2);
      await workload.probeBoth(kind);
    }),
};

// Main ------------------------------------------------------------------------------------------------------------

const startedAt = new Date();
out(
  [
    `# npm run chaos — ${startedAt.toISOString()}`,
    '',
    `Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at start. ` +
      `Two Beacon instances in this process (plus an uncached oracle), PostgreSQL behind a TCP proxy, a private redis-server.`,
    `Settings: CHAOS_ROUNDS=${ROUNDS} CHAOS_RATE=${RATE} CHAOS_READERS=${READERS} CHAOS_MAX_SECONDS=${MAX_MS / 1000} ` +
      `CHAOS_REDIS_DOWN_SECONDS=${REDIS_DOWN_MS / 1000} CHAOS_DB_DOWN_SECONDS=${DB_DOWN_MS / 1000} CHAOS_FAULT_ROUNDS=${FAULT_ROUNDS}; scenarios ${chosen.join(', ')}.`,
    'A read is stale when it started after a write’s response arrived and does not show that write (or a later one); ' +
      '"judged" reads are those that started after some recorded write of what they show. Latency is client-side, per phase by start time.',
    '',
  ].join('\n'),
);

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `chaos-${startedAt.toISOString().replace(/[:.]/g, '').slice(0, 15)}Z.md`);
/** Written after every scenario, so an interrupted run keeps what it measured. */
const save = (done: boolean) =>
  writeFileSync(file, `${report.join('\n')}\n\n## Issue 9 targets${done ? '' : ' (run interrupted)'}\n\n${verdicts.join('\n')}\n`);

cluster = await ChaosCluster.start({ label: 'chaos-bench' });
try {
  for (const name of chosen) {
    out('');
    const began = performance.now();
    await run[name]();
    out(`\n(${name}: ${((performance.now() - began) / 1000).toFixed(0)} s)`);
    save(false);
  }
} finally {
  await cluster.close();
}

console.log(['', '## Issue 9 targets', '', ...verdicts].join('\n'));
save(true);
console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
// The in-process servers' sockets and timers are closed; make sure nothing left (e.g. a keep-alive) holds the exit.
process.exit(0);

