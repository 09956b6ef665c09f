// npm run bench:profile [-- --scenario a|b|c] [--seconds 10] [--connections 50] [--key] [--env NAME=value ...]: profiles
// Beacon under one load scenario with node --cpu-prof (100 µs sampling) and prints where the server's time goes
// during the load phase only. The .cpuprofile is kept under bench/profiles/ (open it in Chrome DevTools).
//   a: the hot dashboard query, L1 hits (the hit path)      b: the same with L1 disabled (hits from Redis)
//   c: 100% misses (the miss path)                          --env CACHE_ENABLED=false: the same without the cache
//   --key: every request carries a writer's API key (Authorization: Bearer <key>)
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { closeAgent } from './lib/http.js';
import { formatSummary } from './lib/profile-analysis.js';
import { profileBeacon, type ProfiledScenario } from './lib/profile-run.js';
import { detectPinning, ROOT } from './lib/processes.js';
import { createBenchKey, createSeededDatabase, deleteRedisKeys, REDIS_URL } from './lib/services.js';

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1]!;
};
const scenario = argument('--scenario', 'a') as ProfiledScenario;
if (!['a', 'b', 'c'].includes(scenario)) throw new Error(`--scenario takes a, b or c, got ${scenario}`);
const seconds = Number(argument('--seconds', '10'));
const connections = Number(argument('--connections', '50'));
const env: Record<string, string> = {};
process.argv.forEach((value, k) => {
  if (value !== '--env') return;
  const [name, ...rest] = (process.argv[k + 1] ?? '').split('=');
  if (!name || rest.length === 0) throw new Error(`--env takes NAME=value, got ${process.argv[k + 1]}`);
  env[name] = rest.join('=');
});

const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const namespace = `bench-prof-${id}`;
const database = await createSeededDatabase(`beacon_prof_${id}`);
try {
  const { load, summary, file } = await profileBeacon({
    scenario,
    databaseUrl: database.url,
    redisUrl: REDIS_URL,
    namespace,
    seconds,
    connections,
    pinning: detectPinning(),
    env,
    ...(process.argv.includes('--key') ? { apiKey: await createBenchKey(database.url) } : {}),
  });
  console.log(`scenario ${scenario}: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms over ${seconds} s\n`);
  console.log(formatSummary(summary));
  console.log(`\nprofile: ${path.relative(ROOT, file)}`);
} finally {
  closeAgent();
  await database.drop();
  await deleteRedisKeys(namespace);
}
process.exit(0);
