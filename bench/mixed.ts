// npm run bench:mixed: the mixed workload on two instances alone (bench/lib/mixed.ts; `npm run bench` runs it as
// scenario m), on a fresh seeded PostgreSQL database and Redis namespace, both removed at the end. Writes
// bench/results/<date>-mixed.md and .json, and prints the table.
//
// BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS as for npm run bench (BENCH_QUICK=1: one short round);
// BENCH_MIXED_WORKERS (default 32) and BENCH_MIXED_WRITES (share of writes, default 0.01).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mixedSettings, renderMixed, runMixed } from './lib/mixed.js';
import { readPlan } from './lib/plan.js';
import { detectPinning, ROOT } from './lib/processes.js';
import { createBenchKey, createSeededDatabase, deleteRedisKeys, REDIS_URL } from './lib/services.js';

const plan = readPlan();
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const prefix = `bench-${runId}`;
const startedAt = new Date();
const log = (message: string) => process.stdout.write(`[bench:mixed ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);

async function main(): Promise<void> {
  const pinning = detectPinning();
  const settings = mixedSettings();
  log(`run ${runId}: ${plan.rounds} round(s) x ${plan.seconds} s, ${settings.workers} workers, ${settings.writeShare * 100}% writes; pinning: ${pinning.description}`);
  const loadBefore = os.loadavg();
  const database = await createSeededDatabase(`beacon_mixed_${runId}`);
  log(`seeded in ${(database.seedMs / 1000).toFixed(1)} s`);
  let markdown: string;
  let result;
  try {
    const apiKey = await createBenchKey(database.url);
    result = await runMixed({
      databaseUrl: database.url,
      redisUrl: REDIS_URL,
      prefix,
      apiKey,
      pinning,
      rounds: plan.rounds,
      seconds: plan.seconds,
      warmupSeconds: plan.warmupSeconds,
      ...settings,
      log,
    });
    const load = (l: number[]) => l.map((n) => n.toFixed(2)).join(' / ');
    markdown =
      `# Beacon mixed workload, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n` +
      `- **Machine**: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}, Node ${process.version}; pinning: ${pinning.description}\n` +
      `- **Load average** at start ${load(loadBefore)}, at end ${load(os.loadavg())}; run ${runId}\n\n` +
      renderMixed(result);
  } finally {
    await database.drop();
    log(`dropped the database and ${await deleteRedisKeys(prefix)} Redis keys`);
  }
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/:/g, '').replace(/\..*/, 'Z');
  writeFileSync(path.join(dir, `${stamp}-mixed.md`), markdown);
  writeFileSync(path.join(dir, `${stamp}-mixed.json`), JSON.stringify({ runId, plan: { ...plan, scenarios: undefined }, result }, null, 1));
  process.stdout.write(`\n${markdown}\n`);
  log(`wrote bench/results/${stamp}-mixed.md`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:mixed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
