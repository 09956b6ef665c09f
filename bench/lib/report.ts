// The markdown report: machine, plan, the issue's targets (met / missed), one table per scenario, the memory check.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createClient } from '@keyv/redis';
import pg from 'pg';
import type { MemoryResult } from '../memory.js';
import type { ProfileRun } from './profile-run.js';
import type { Plan } from './plan.js';
import type { Pinning } from './processes.js';
import {
  bestPeerRatios,
  pairedCpuRatios,
  hitRate,
  isPeer,
  measurementsOf,
  roundRatios,
  spread,
  VARIANT_LABELS,
  type LatencyResult,
  type Measurement,
  type ScenarioResult,
  type ThroughputResult,
  type VariantId,
} from './results.js';
import { ADMIN_URL, REDIS_URL } from './services.js';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  postgres: string;
  redis: string;
  wrk: string;
  pinning: string;
  loadBefore: number[];
  loadAfter: number[];
}

export async function machineInfo(options: { pinning: Pinning; loadBefore: number[]; loadAfter: number[] }): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cores: os.cpus().length,
    cpuModel,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: await postgresVersion(),
    redis: await redisVersion(),
    wrk: wrkVersion(),
    pinning: options.pinning.description,
    loadBefore: options.loadBefore,
    loadAfter: options.loadAfter,
  };
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await client.connect();
    return (await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  } catch {
    return 'unknown';
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisVersion(): Promise<string> {
  const client = createClient({ url: REDIS_URL });
  try {
    await client.connect();
    return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  } finally {
    await client.close().catch(() => {});
  }
}

function wrkVersion(): string {
  try {
    return execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  } catch (error) {
    // wrk -v prints its version and exits 1.
    const out = (error as { stdout?: string }).stdout ?? '';
    return out.split('\n')[0]?.replace(/ Copyright.*/, '').trim() || 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------------------------

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fixed = (n: number | undefined, digits = 2) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '–');
const percent = (n: number | undefined, digits = 1) => (n === undefined ? '–' : `${(n * 100).toFixed(digits)}%`);

interface Target {
  scenario: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}

export interface ReportInput {
  plan: Plan;
  machine: Machine;
  startedAt: Date;
  finishedAt: Date;
  results: ScenarioResult[];
  memory: MemoryResult | undefined;
  profile?: ProfileRun | undefined;
  runId: string;
}

export function renderReport(input: ReportInput): string {
  const { plan, machine, startedAt, finishedAt, results, memory } = input;
  const seconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000);
  const lines: string[] = [];
  lines.push(`# Beacon benchmark, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${plan.quick ? ' (quick smoke run)' : ''}`);
  lines.push('');
  lines.push(`- **Machine**: ${machine.cores} × ${machine.cpuModel}, ${machine.memoryGb} GB, ${machine.kernel}`);
  lines.push(`- **Software**: Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}, ${machine.wrk}`);
  lines.push(`- **Pinning**: ${machine.pinning}`);
  lines.push(
    `- **Load average** (1/5/15 min) at start ${machine.loadBefore.map((n) => n.toFixed(2)).join(' / ')}, at end ` +
      `${machine.loadAfter.map((n) => n.toFixed(2)).join(' / ')}${machine.loadBefore[0]! > 0.5 * machine.cores ? ' — the machine was busy: treat the figures as noisy' : ''}`,
  );
  lines.push(
    `- **Plan**: ${plan.rounds} round(s) × ${plan.seconds} s per variant after a ${plan.warmupSeconds} s warm-up, variant order rotated ` +
      `each round (the bound always just before the row its ratio judges: the machine's speed drifts over a minute); while ` +
      `one variant runs, every other server is paused (SIGSTOP), so none collects garbage on its core; wrk -t1, ${plan.connections} connections (${plan.coldPageConnections} for f). Medians over rounds, [min–max]; ` +
      `ratios are computed per round (same round) and their median shown. Run ${input.runId}, ${Math.floor(seconds / 60)} min ${seconds % 60} s.`,
  );
  lines.push('');
  const verdict = (target: Target) => (target.met === undefined ? 'not run' : target.met ? '**met**' : '**missed**');
  lines.push('## Targets (issue 15: with an API key on every request and read-after-write on)');
  lines.push('');
  lines.push('| scenario | target | measured | |');
  lines.push('|---|---|---|---|');
  for (const target of targets(results)) lines.push(`| ${target.scenario} | ${target.target} | ${target.measured} | ${verdict(target)} |`);
  lines.push('');
  lines.push('Standing targets of issue 5 that issue 15 does not restate:');
  lines.push('');
  lines.push('| scenario | target | measured | |');
  lines.push('|---|---|---|---|');
  for (const target of standingTargets(results, memory)) lines.push(`| ${target.scenario} | ${target.target} | ${target.measured} | ${verdict(target)} |`);
  lines.push('');
  for (const result of results) {
    lines.push(`## (${result.id}) ${result.title}`);
    lines.push('');
    lines.push(result.description);
    lines.push('');
    lines.push(...(result.kind === 'throughput' ? throughputTable(result) : latencyTable(result)));
    const notes = [...(result.kind === 'throughput' ? pairedNotes(result) : []), ...result.notes, ...(result.id === 'd' ? mixedBreakdown(results) : [])];
    if (notes.length > 0) {
      lines.push('');
      for (const note of notes) lines.push(`- ${note}`);
    }
    lines.push('');
  }
  if (input.profile) lines.push(...profileSection(input.profile));
  if (memory) lines.push(...memorySection(memory));
  return lines.join('\n');
}

/**
 * Where Beacon's CPU per request goes in (d): its hits cost what they cost in (a), its misses what they cost in (c),
 * and the writes the rest. Only an estimate (the dashboards of (d) are the panels of (a), the misses those of (c)).
 */
function mixedBreakdown(results: ScenarioResult[]): string[] {
  const [a, c, d] = (['a', 'c', 'd'] as const).map((id) => find(results, id));
  if (!a || !c || !d) return [];
  // Beacon with an API key on every request, as (a), (c) and (d) all measure it.
  const perRequest = (result: ThroughputResult) => spread(measurementsOf(result, 'beacon-key').map((m) => m.cpuMsPerRequest)).median;
  const runs = measurementsOf(d, 'beacon-key');
  const requests = runs.reduce((sum, m) => sum + m.requests, 0);
  const hits = runs.reduce((sum, m) => sum + (m.observed?.hits ?? 0), 0);
  if (requests === 0) return [];
  // Every 20th request is a write (mixed.lua); the reads that were not hits were misses (joined flights included).
  const writes = requests / 20;
  const misses = Math.max(0, requests - writes - hits);
  const total = perRequest(d);
  const hitShare = ((hits / requests) * perRequest(a)) / total;
  const missShare = ((misses / requests) * perRequest(c)) / total;
  const writeMs = writes > 0 ? ((1 - hitShare - missShare) * total * requests) / writes : NaN;
  const bound = spread(measurementsOf(d, 'bound').map((m) => m.cpuMsPerRequest)).median;
  return [
    `Beacon's ${fixed(total, 3)} ms of CPU per request here: hits (${percent(hits / requests)} of requests, at (a)'s cost) ` +
      `${percent(hitShare, 0)}, misses (${percent(misses / requests)}, at (c)'s cost) ${percent(missShare, 0)}, writes ` +
      `(${percent(writes / requests)}) the remaining ${percent(Math.max(0, 1 - hitShare - missShare), 0)}, about ${fixed(writeMs, 1)} ms each. ` +
      `0.30 × the bound allows about ${fixed(bound / 0.3, 3)} ms per request on average; the misses and writes alone take ` +
      `${fixed((1 - hitShare) * total, 3)} ms.`,
  ];
}

function profileSection(run: ProfileRun): string[] {
  const { summary, load } = run;
  const share = (value: number) => `${(value * 100).toFixed(1)}%`;
  const lines = [
    '## Where a hit\'s CPU goes (scenario a, a separate Beacon under `node --cpu-prof`)',
    '',
    `${int(load.rps)} req/s while profiled (100 µs sampling slows it), ${Math.round(summary.busyMs)} ms busy in a ${Math.round(summary.windowMs)} ms ` +
      `window of load; shares of the busy time. Profile: \`${run.file.replace(/^.*\/bench\//, 'bench/')}\` (open it in Chrome DevTools).`,
    '',
    '| area | share | | function (self time) | share |',
    '|---|---|---|---|---|',
  ];
  const areas = summary.areas.slice(0, 12);
  const functions = summary.self.slice(0, 12);
  for (let k = 0; k < Math.max(areas.length, functions.length); k++) {
    const area = areas[k];
    const fn = functions[k];
    lines.push(`| ${area ? area.name : ''} | ${area ? share(area.share) : ''} | | ${fn ? `\`${fn.name}\`` : ''} | ${fn ? share(fn.share) : ''} |`);
  }
  lines.push('');
  return lines;
}

function throughputTable(result: ThroughputResult): string[] {
  const rows = [
    '| variant | req/s median [min–max] | p50 ms | p99 ms | × bound | × best peer | CPU ms/req | cache (server counters) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const variant of result.variants) {
    const runs = measurementsOf(result, variant);
    if (runs.length === 0) continue;
    const rps = spread(runs.map((m) => m.rps));
    const vsBound = result.variants.includes('bound') ? spread(roundRatios(result, variant, 'bound')).median : NaN;
    rows.push(
      `| ${VARIANT_LABELS[variant]} | ${int(rps.median)} [${int(rps.min)}–${int(rps.max)}] | ${fixed(spread(runs.map((m) => m.p50Ms)).median)} | ` +
        `${fixed(spread(runs.map((m) => m.p99Ms)).median)} | ${fixed(vsBound)} | ${fixed(spread(bestPeerRatios(result, variant)).median)} | ` +
        `${fixed(spread(runs.map((m) => m.cpuMsPerRequest)).median, 3)} | ${isPeer(variant) ? peerCacheColumn(runs) : cacheColumn(runs)} |`,
    );
  }
  const best = bestPeers(result);
  if (best) rows.push('', `Best peer per round (the "× best peer" reference): ${best}.`);
  return rows;
}

/** Which peer was fastest in each round, e.g. "round 1 Yoga + response cache (in memory), round 2 …". */
function bestPeers(result: ThroughputResult): string | undefined {
  const rounds = [...new Set(result.measurements.map((m) => m.round))].sort((a, b) => a - b);
  const names = rounds.flatMap((round) => {
    const peers = result.measurements.filter((m) => m.round === round && isPeer(m.variant));
    if (peers.length === 0) return [];
    const best = peers.reduce((a, b) => (b.rps > a.rps ? b : a));
    return [`round ${round + 1} ${VARIANT_LABELS[best.variant]}`];
  });
  return names.length > 0 ? names.join(', ') : undefined;
}

/** A peer has no cache counters we trust alike; what it shows is how often its database-reaching resolvers ran. */
function peerCacheColumn(runs: Measurement[]): string {
  const counted = runs.filter((m) => m.resolverRuns !== undefined);
  if (counted.length === 0) return '';
  const resolved = counted.reduce((total, m) => total + m.resolverRuns!, 0);
  const requests = counted.reduce((total, m) => total + m.requests, 0);
  if (requests === 0) return '';
  if (resolved === 0) return 'dataset / modelRuns resolvers ran 0 times: every read from its cache';
  return `dataset / modelRuns resolvers ran ${fixed(resolved / Math.max(1, requests), 2)} times per request`;
}

/** What the server's own counters say about the measured requests (Beacon variants only). */
function cacheColumn(runs: Measurement[]): string {
  const observed = runs.map((m) => m.observed).filter((o) => o !== undefined);
  if (observed.length === 0) return '';
  const sum = (pick: (o: (typeof observed)[number]) => number) => observed.reduce((total, o) => total + pick(o), 0);
  const requests = runs.reduce((total, m) => total + m.requests, 0);
  const touched = observed.some((o) => o.byOperation.DashboardTouched);
  if (touched) {
    const untouched = spread(observed.map((o) => hitRate(o.byOperation.Dashboard) ?? NaN));
    const rate = hitRate({ hits: sum((o) => o.byOperation.DashboardTouched?.hits ?? 0), misses: sum((o) => o.byOperation.DashboardTouched?.misses ?? 0) });
    return `untouched entries ${percent(untouched.min, 2)} hits (lowest round); written datasets ${percent(rate)}`;
  }
  const bypasses = sum((o) => o.bypasses);
  // In-flight requests at the end of a run count on the server but not in wrk: the share can pass 100%.
  if (bypasses > 0) return bypasses >= 0.99 * requests ? 'every request recomputed (no-cache)' : `recomputed ${percent(bypasses / requests)} (no-cache)`;
  const hits = sum((o) => o.hits);
  const rate = hitRate({ hits, misses: sum((o) => o.misses) });
  const l1 = sum((o) => o.l1Hits);
  const l2 = sum((o) => o.l2Hits);
  return `hits ${percent(rate)}${hits > 0 ? ` (L1 ${percent(l1 / (l1 + l2), 0)}, L2 ${percent(l2 / (l1 + l2), 0)})` : ''}`;
}

function latencyTable(result: LatencyResult): string[] {
  const rows = [
    '| variant | cold ms median [min–max] | repeated p50 ms | repeated p99 ms | cold ÷ repeated p50 | repeated req/s (1 conn) | CPU ms/repeated req |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of result.rows) {
    const cold = spread(row.coldMs);
    const ratios = row.coldMs.map((ms, k) => ms / row.cachedP50Ms[k]!);
    rows.push(
      `| ${VARIANT_LABELS[row.variant]} | ${fixed(cold.median, 1)} [${fixed(cold.min, 1)}–${fixed(cold.max, 1)}] | ${fixed(spread(row.cachedP50Ms).median, 3)} | ` +
        `${fixed(spread(row.cachedP99Ms).median, 3)} | ${int(spread(ratios).median)}× | ${int(spread(row.cachedRps).median)} | ${fixed(spread(row.cpuMsPerCachedRequest).median, 3)} |`,
    );
  }
  return rows;
}

const MB = 1024 * 1024;

function memorySection(memory: MemoryResult): string[] {
  const lines = ['## Memory and invalidation (bench/memory.ts, through the engine API)', ''];
  lines.push('| check | L1 accounted / bound | entries kept | L1 real heap | RSS after GC (peak) |');
  lines.push('|---|---|---|---|---|');
  for (const row of memory.l1) {
    lines.push(
      `| ${row.keys.toLocaleString('en-US')} distinct keys, ${row.label} | ${(row.l1Bytes / MB).toFixed(1)} / ${(row.boundBytes / MB).toFixed(0)} MB | ` +
        `${row.l1Entries.toLocaleString('en-US')} | ${(row.l1HeapBytes / MB).toFixed(1)} MB | ${(row.rssBytes / MB).toFixed(0)} MB (${(row.peakRssBytes / MB).toFixed(0)} MB) |`,
    );
  }
  const inv = memory.invalidation;
  lines.push('');
  lines.push(
    `Invalidating one entity tag (\`engine.invalidate([tag])\`: INCR the clock, SET the tag's version, PUBLISH) with ` +
      `${inv.entries.toLocaleString('en-US')} entries in Redis (written in ${inv.fillSeconds.toFixed(1)} s): median ${inv.fullMs.median.toFixed(3)} ms, ` +
      `p99 ${inv.fullMs.p99.toFixed(3)} ms, max ${inv.fullMs.max.toFixed(3)} ms over 200 invalidations; with Redis empty: median ` +
      `${inv.emptyMs.median.toFixed(3)} ms, p99 ${inv.emptyMs.p99.toFixed(3)} ms. Afterwards the invalidated entries are ` +
      `${inv.invalidatedHidden ? 'no longer served' : '**still served**'} and the others ${inv.othersServed ? 'still are' : '**are not**'}.`,
  );
  lines.push('');
  lines.push(
    '"L1 accounted" is lru-cache\'s size sum (memory-tier.ts sizeCalculation), the figure the bound applies to; "L1 real heap" is the heap ' +
      'freed by clearing L1 (full GC before and after). RSS includes Node and the TypeScript loader (~85 MB before any entry).',
  );
  lines.push('');
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------

function find(results: ScenarioResult[], id: string): ThroughputResult | undefined {
  const found = results.find((r) => r.id === id);
  return found?.kind === 'throughput' ? found : undefined;
}

function ratioTarget(result: ThroughputResult | undefined, variant: VariantId, reference: VariantId, min: number, scenario: string, label: string): Target {
  if (!result) return { scenario, target: label, measured: '–', met: undefined };
  const ratios = spread(roundRatios(result, variant, reference));
  return { scenario, target: label, measured: `${ratios.median.toFixed(2)} [${ratios.min.toFixed(2)}–${ratios.max.toFixed(2)}]`, met: ratios.median >= min };
}

function spreadTarget(ratios: number[] | undefined, min: number, scenario: string, label: string): Target {
  if (!ratios || ratios.length === 0) return { scenario, target: label, measured: '–', met: undefined };
  const s = spread(ratios);
  return { scenario, target: label, measured: `${s.median.toFixed(2)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`, met: s.median >= min };
}

/**
 * Issue 15's targets, judged on Beacon with an API key on every request and read-after-write on (its default): the
 * `-key` rows. Medians of the per-round ratios.
 */
export function targets(results: ScenarioResult[]): Target[] {
  const a = find(results, 'a');
  const b = find(results, 'b');
  const c = find(results, 'c');
  const list: Target[] = [
    ratioTarget(a, 'beacon-key', 'bound', 0.8, '(a) hot, L1', 'Beacon ≥ 0.80 × bound'),
    spreadTarget(a && bestPeerRatios(a, 'beacon-key'), 3, '(a) hot, L1', 'Beacon ≥ 3 × the best peer (fastest peer of each round)'),
  ];
  if (a) {
    const p99 = spread(measurementsOf(a, 'beacon-key').map((m) => m.p99Ms));
    list.push({ scenario: '(a) hot, L1', target: `Beacon p99 ≤ 3 ms at ${a.connections} connections`, measured: `${p99.median.toFixed(2)} ms [${p99.min.toFixed(2)}–${p99.max.toFixed(2)}]`, met: p99.median <= 3 });
  } else {
    list.push({ scenario: '(a) hot, L1', target: 'Beacon p99 ≤ 3 ms at 50 connections', measured: '–', met: undefined });
  }
  list.push(ratioTarget(b, 'beacon-l2only-key', 'bound', 0.55, '(b) hot, L2 only', 'Beacon ≥ 0.55 × bound'));
  // Judged on the paired rounds (both loaded at once): back-to-back runs drift apart by more than the 5% it judges.
  list.push(
    spreadTarget(
      c && pairedCpuRatios(c, 'beacon-key', 'beacon-nocache-key'),
      0.95,
      '(c) all misses',
      'server CPU per request within 5% of Beacon with its cache disabled (cache-off ÷ Beacon CPU ms/req ≥ 0.95, both loaded at once)',
    ),
  );
  return list;
}

/** The targets of issue 5 that issue 15 leaves as they were (mixed workload, assessments, memory). */
export function standingTargets(results: ScenarioResult[], memory: MemoryResult | undefined): Target[] {
  const d = find(results, 'd');
  const e = results.find((r) => r.id === 'e') as LatencyResult | undefined;
  const list: Target[] = [];
  if (d) {
    const rates = measurementsOf(d, 'beacon-key').map((m) => hitRate(m.observed?.byOperation.Dashboard) ?? NaN);
    const worst = Math.min(...rates);
    list.push({ scenario: '(d) mixed 95/5', target: 'entries no write touched keep ≥ 99% hits', measured: `${percent(worst, 2)} (lowest round)`, met: worst >= 0.99 });
  } else {
    list.push({ scenario: '(d) mixed 95/5', target: 'entries no write touched keep ≥ 99% hits', measured: '–', met: undefined });
  }
  list.push(ratioTarget(d, 'beacon-key', 'bound', 0.3, '(d) mixed 95/5', 'Beacon ≥ 0.30 × bound'));
  const beaconE = e?.rows.find((row) => row.variant === 'beacon');
  if (beaconE) {
    const ratios = spread(beaconE.coldMs.map((ms, k) => ms / beaconE.cachedP50Ms[k]!));
    list.push({ scenario: '(e) assessment', target: 'cached ≥ 1,000× faster than cold', measured: `${int(ratios.median)}× [${int(ratios.min)}–${int(ratios.max)}]`, met: ratios.median >= 1000 });
  } else {
    list.push({ scenario: '(e) assessment', target: 'cached ≥ 1,000× faster than cold', measured: '–', met: undefined });
  }
  if (memory) {
    const withinBound = memory.l1.every((row) => row.l1Bytes <= row.boundBytes);
    const realWithin = memory.l1.every((row) => row.l1HeapBytes <= row.boundBytes);
    const rss = Math.max(...memory.l1.map((row) => row.rssBytes));
    const keys = memory.l1[0]!.keys.toLocaleString('en-US');
    list.push({
      scenario: 'memory',
      target: `${keys} keys: L1 within its byte bound`,
      measured: memory.l1.map((row) => `${(row.l1Bytes / MB).toFixed(1)} MB accounted, ${(row.l1HeapBytes / MB).toFixed(1)} MB real`).join('; ') + ` of ${(memory.l1[0]!.boundBytes / MB).toFixed(0)} MB`,
      met: withinBound && realWithin,
    });
    list.push({ scenario: 'memory', target: `${keys} keys: RSS < 300 MB`, measured: `${(rss / MB).toFixed(0)} MB after GC (peak ${(Math.max(...memory.l1.map((row) => row.peakRssBytes)) / MB).toFixed(0)} MB)`, met: rss < 300 * MB });
    const inv = memory.invalidation;
    list.push({
      scenario: 'memory',
      target: `invalidate one entity with ${inv.entries.toLocaleString('en-US')} entries in Redis < 5 ms`,
      measured: `median ${inv.fullMs.median.toFixed(3)} ms, p99 ${inv.fullMs.p99.toFixed(3)} ms`,
      met: inv.fullMs.median < 5 && inv.invalidatedHidden && inv.othersServed,
    });
  }
  return list;
}

/** The paired rounds of a scenario (two variants loaded at once, sharing the server core), one line. */
function pairedNotes(result: ThroughputResult): string[] {
  if (!result.paired?.length) return [];
  const [first, second] = result.paired[0]!.rows.map((row) => row.variant);
  if (!first || !second) return [];
  const ratios = spread(pairedCpuRatios(result, second, first));
  const rounds = result.paired.map((run) => run.rows.map((row) => row.cpuMsPerRequest.toFixed(3)).join(' / ')).join('; ');
  return [
    `Paired rounds (what the target judges): "${VARIANT_LABELS[first]}" and "${VARIANT_LABELS[second]}" ` +
      `loaded at the same time, each by its own wrk, sharing the server core, every other server paused. CPU ms per request, ` +
      `${first} / ${second}, per round: ${rounds}; ${first} CPU ÷ ${second} CPU: ${ratios.median.toFixed(2)} ` +
      `[${ratios.min.toFixed(2)}–${ratios.max.toFixed(2)}].`,
  ];
}
