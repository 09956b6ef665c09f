// The memory check, through the engine API (no HTTP):
//  1. L1 under a million distinct keys: every key stored once through CacheEngine.store into an L1 of the default
//     bound; reports the bytes L1 accounts for against its bound, the entries it kept, the heap after a full GC and
//     the process RSS (now and peak). Twice: field-sized values (~200 B, the most entries per byte) and
//     response-sized bodies (~1.2 KB).
//  2. Invalidating one entity with a million entries in Redis: the time of engine.invalidate([tag]) before and after
//     a million entries were written (it must not depend on the number of entries: version-stamped tags cost
//     O(tags)), and a check that the entries of the invalidated tag are no longer served while the others still are.
//
// Usage: npm run bench:memory [-- --keys 1000000] [--json]   (run.ts runs it with --json and quotes the result)
// The process runs with --expose-gc (npm script) so the heap figure is the live data, not garbage.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { CacheEngine } from '../src/cache/engine.js';
import { encodeEntry } from '../src/cache/codec.js';
import { KeySpace } from '../src/cache/keys.js';
import { MemoryTier } from '../src/cache/memory-tier.js';
import { RedisConnection } from '../src/cache/redis-connection.js';
import { RedisTier } from '../src/cache/redis-tier.js';
import { CacheStats } from '../src/cache/stats.js';
import type { CacheEntry } from '../src/cache/store.js';
import { Versions } from '../src/cache/versions.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { deleteRedisKeys, REDIS_URL } from './lib/services.js';

export interface L1Result {
  label: string;
  keys: number;
  bodyBytes: number;
  boundBytes: number;
  l1Bytes: number;
  l1Entries: number;
  evictions: number;
  heapUsedAfterGcBytes: number;
  /** Heap freed by clearing L1 (after a full GC each side): what L1 really holds, to set against l1Bytes. */
  l1HeapBytes: number;
  /** RSS after the fill and a full GC. */
  rssBytes: number;
  peakRssBytes: number;
  seconds: number;
}

export interface InvalidationResult {
  entries: number;
  fillSeconds: number;
  emptyMs: { median: number; p99: number; max: number };
  fullMs: { median: number; p99: number; max: number };
  invalidatedHidden: boolean;
  othersServed: boolean;
}

export interface MemoryResult {
  l1: L1Result[];
  invalidation: InvalidationResult;
}

const logger = createLogger('silent');
const cacheConfig = loadConfig({}).cache;
const MB = 1024 * 1024;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Two full collections: the second one frees what the first one's finalizers released. */
function settle(): void {
  gc();
  gc();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! };
}

function engineWith(keys: KeySpace, l1: MemoryTier | undefined, redis?: RedisConnection) {
  const stats = new CacheStats();
  const versions = new Versions(keys, redis, { tagVersionTtlMs: cacheConfig.maxTtlMs + 120_000 });
  const engine = new CacheEngine({
    l1,
    l2: redis ? new RedisTier(redis) : undefined,
    versions,
    stats,
    logger,
    graceMs: cacheConfig.staleWhileRevalidateMs,
    reserveMs: cacheConfig.staleIfErrorMs,
    maxTtlMs: cacheConfig.maxTtlMs,
  });
  return { engine, stats, versions };
}

/**
 * A distinct body of about `size` bytes for key i. JSON.stringify writes one flat string, as Apollo's serializer does:
 * concatenating or repeat()-ing would build rope strings that share memory, which real responses never do.
 */
const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(40);
function bodyOf(i: number, size: number): string {
  const description = FILLER.slice(0, Math.max(0, size - 70));
  return JSON.stringify({ data: { dataset: { id: String(i), name: `Dataset ${i}`, description } } });
}

async function fillL1(label: string, count: number, bodyBytes: number): Promise<L1Result> {
  gc();
  const keys = new KeySpace(`bench-mem-${randomBytes(3).toString('hex')}`);
  let evictions = 0;
  const l1 = new MemoryTier(cacheConfig.l1MaxBytes, { onEvict: () => void (evictions += 1) });
  const { engine } = engineWith(keys, l1);
  const stamp = await engine.stamp();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const key = keys.response({ document: 'query Dashboard($id:ID!){dataset(id:$id){id name description}}', operationName: 'Dashboard', variables: { id: String(i) }, audience: 'PUBLIC|application/json; charset=utf-8' });
    const entry = await engine.store(
      key,
      { body: bodyOf(i, bodyBytes), contentType: 'application/json; charset=utf-8', tags: [`Dataset:${i}`, `ModelRun:list:dataset=${i}`], ttlMs: 900_000, name: 'Dashboard' },
      stamp,
    );
    if (!entry) throw new Error(`store ${i} was refused`);
  }
  const seconds = (performance.now() - started) / 1000;
  settle();
  const memory = process.memoryUsage();
  const rssBytes = memory.rss;
  const l1Bytes = l1.bytes;
  const l1Entries = l1.entries;
  l1.clear();
  settle();
  const result: L1Result = {
    label,
    keys: count,
    bodyBytes,
    boundBytes: cacheConfig.l1MaxBytes,
    l1Bytes,
    l1Entries,
    evictions,
    heapUsedAfterGcBytes: memory.heapUsed,
    l1HeapBytes: memory.heapUsed - process.memoryUsage().heapUsed,
    rssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    seconds,
  };
  return result;
}

async function connected(redis: RedisConnection, versions: Versions): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(redis.client.isReady && versions.subscriptionLive)) {
    if (Date.now() > deadline) throw new Error(`Redis at ${REDIS_URL} is not reachable`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The baseline (the clock read once the subscription is live) follows the subscription by one round trip.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

async function timeInvalidations(engine: CacheEngine, tags: string[]): Promise<number[]> {
  const samples: number[] = [];
  for (const tag of tags) {
    const started = performance.now();
    await engine.invalidate([tag]);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function invalidation(count: number): Promise<InvalidationResult> {
  const namespace = `bench-mem-${randomBytes(4).toString('hex')}`;
  const keys = new KeySpace(namespace);
  const redis = new RedisConnection({ url: REDIS_URL, timeoutMs: 1_000, logger });
  // No L1: every lookup below goes to Redis and is checked there, so the check covers what other instances see.
  const { engine, versions } = engineWith(keys, undefined, redis);
  redis.start();
  try {
    await connected(redis, versions);
    await timeInvalidations(engine, Array.from({ length: 50 }, (_, k) => `Warmup:${k}`));
    const empty = await timeInvalidations(engine, Array.from({ length: 200 }, (_, k) => `Empty:${k}`));

    // A million entries, as the engine writes them (codec.ts), over 10,000 datasets: ~100 entries per entity tag.
    const stamp = await engine.stamp();
    const keyOf = (i: number) => keys.response({ document: 'q', operationName: 'Q', variables: { i }, audience: 'PUBLIC' });
    const entryOf = (i: number): CacheEntry => ({
      body: bodyOf(i, 120),
      contentType: 'application/json; charset=utf-8',
      tags: [`Dataset:${i % 10_000}`, 'Dataset'],
      stamp: stamp.clock,
      createdAt: Date.now(),
      ttlMs: 900_000,
      graceMs: 60_000,
      reserveMs: 3_600_000,
      name: 'Q',
    });
    const started = performance.now();
    await pipelineSets(REDIS_URL, count, (i) => [keyOf(i), encodeEntry(entryOf(i))], 3_600_000);
    const fillSeconds = (performance.now() - started) / 1000;
    const full = await timeInvalidations(engine, Array.from({ length: 200 }, (_, k) => `Dataset:${k}`));
    // Dataset:0..199 are invalidated now; Dataset:5000 is not.
    const hidden = await engine.lookup(keyOf(10_000 * 3 + 7));
    const served = await engine.lookup(keyOf(5_000));
    return {
      entries: count,
      fillSeconds,
      emptyMs: summary(empty),
      fullMs: summary(full),
      invalidatedHidden: hidden === undefined,
      othersServed: served !== undefined && served.entry.body === bodyOf(5_000, 120),
    };
  } finally {
    versions.close();
    await redis.close();
    await deleteRedisKeys(namespace);
  }
}

/**
 * SET key value PX ttl for count entries over one raw connection, written in large chunks: RESP by hand is ten times
 * faster than a client's per-command promises, and this is setup, not what is measured.
 */
async function pipelineSets(url: string, count: number, entry: (i: number) => [string, string], ttlMs: number): Promise<void> {
  const { hostname, port, password } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port || 6379) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  const ttl = String(ttlMs);
  let expected = count;
  let replies = 0;
  let failure: string | undefined;
  let tail = '';
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      const lines = text.split('\r\n');
      tail = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('-')) failure ??= line;
        replies += 1;
      }
      if (replies >= expected) resolve();
    });
    socket.once('error', reject);
  });
  if (password) {
    expected += 1;
    socket.write(`*2\r\n${bulk('AUTH')}${bulk(decodeURIComponent(password))}`);
  }
  const CHUNK = 2_000;
  for (let from = 0; from < count; from += CHUNK) {
    let text = '';
    for (let i = from; i < Math.min(count, from + CHUNK); i++) {
      const [key, value] = entry(i);
      text += `*5\r\n${bulk('SET')}${bulk(key)}${bulk(value)}${bulk('PX')}${bulk(ttl)}`;
    }
    if (!socket.write(text)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await done;
  socket.end();
  if (failure) throw new Error(`Redis refused a SET: ${failure}`);
}

type Part = 'l1-fields' | 'l1-responses' | 'redis';
const PARTS: Part[] = ['l1-fields', 'l1-responses', 'redis'];

async function runPart(part: Part, count: number): Promise<L1Result | InvalidationResult> {
  if (part === 'l1-fields') return fillL1('field-sized values (~200 B)', count, 200);
  if (part === 'l1-responses') return fillL1('response-sized bodies (~1.2 KB)', count, 1_200);
  return invalidation(count);
}

/** Each part in a fresh process, so one part's garbage never shows in another's RSS. */
async function runAll(count: number): Promise<MemoryResult> {
  const results: Array<L1Result | InvalidationResult> = [];
  for (const part of PARTS) {
    const output = execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, '--keys', String(count), '--part', part, '--json'], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = output.split('\n').find((candidate) => candidate.startsWith('BENCH_MEMORY_PART '));
    if (!line) throw new Error(`memory check part ${part} printed no result:\n${output}`);
    results.push(JSON.parse(line.slice('BENCH_MEMORY_PART '.length)));
  }
  return { l1: [results[0] as L1Result, results[1] as L1Result], invalidation: results[2] as InvalidationResult };
}

function describe(result: MemoryResult): string {
  const lines: string[] = [];
  for (const row of result.l1) {
    lines.push(
      `L1, ${row.label}: ${row.keys.toLocaleString()} keys in ${row.seconds.toFixed(1)} s; L1 accounts ${(row.l1Bytes / MB).toFixed(1)} MB ` +
        `of its ${(row.boundBytes / MB).toFixed(0)} MB bound (${row.l1Entries.toLocaleString()} entries kept, ` +
        `${row.evictions.toLocaleString()} evicted) and really holds ${(row.l1HeapBytes / MB).toFixed(1)} MB of heap; ` +
        `RSS after GC ${(row.rssBytes / MB).toFixed(0)} MB, peak ${(row.peakRssBytes / MB).toFixed(0)} MB`,
    );
  }
  const inv = result.invalidation;
  lines.push(
    `Redis: ${inv.entries.toLocaleString()} entries written in ${inv.fillSeconds.toFixed(1)} s; invalidating one tag: median ` +
      `${inv.fullMs.median.toFixed(3)} ms, p99 ${inv.fullMs.p99.toFixed(3)} ms, max ${inv.fullMs.max.toFixed(3)} ms (empty Redis: median ` +
      `${inv.emptyMs.median.toFixed(3)} ms); invalidated entries hidden: ${inv.invalidatedHidden}; others still served: ${inv.othersServed}`,
  );
  return lines.join('\n');
}

const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const count = Number(argument('--keys') ?? 1_000_000);
if (!Number.isInteger(count) || count < 1) throw new Error(`--keys takes a positive integer, got ${argument('--keys')}`);
const part = argument('--part') as Part | undefined;
if (part !== undefined && !PARTS.includes(part)) throw new Error(`--part takes one of ${PARTS.join(', ')}, got ${part}`);
if (part) {
  process.stdout.write(`BENCH_MEMORY_PART ${JSON.stringify(await runPart(part, count))}\n`);
} else {
  const result = await runAll(count);
  process.stdout.write(process.argv.includes('--json') ? `BENCH_MEMORY ${JSON.stringify(result)}\n` : `${describe(result)}\n`);
}
process.exit(0);
