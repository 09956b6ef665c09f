// Takes the dashboard screenshot of docs/observability.md under a benchmark-like load: Beacon on a fresh PostgreSQL database with
// the demo data and Redis, traffic shaped like scenario (d) (mostly repeat reads, some first reads, a few writes),
// and headless Chromium photographing /dashboard once a minute of traffic has filled its charts.
// Usage: npm run bench:screenshot [-- output.png]   (default docs/images/dashboard.png)
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { blockOffsite, launchChromium } from '../test/helpers/browser.js';
import { createSeededDatabase, deleteRedisKeys, REDIS_URL } from './lib/services.js';

const OUTPUT = path.resolve(process.argv[2] ?? 'docs/images/dashboard.png');
const LOAD_SECONDS = Number(process.env.SCREENSHOT_LOAD_SECONDS ?? 60);
const CLIENTS = 16;

const DASHBOARD = `query Panel($id: ID!) { dataset(id: $id) { id name rowCount quality { score } modelRuns(first: 5) { nodes { id status metrics { f1 } } } } }`;
const RANKING = `query Ranking($id: ID!) { modelRanking(datasetId: $id, metric: F1, top: 5) { entries { rank value run { id } } } }`;
const ASSESSMENT = `query Risk($country: String!) { assessment(model: "OECD_ICIO", country: $country, sector: "C29") { riskScore riskLevel } }`;
const RENAME = `mutation Touch($id: ID!, $description: String!) { updateDataset(id: $id, input: { description: $description }) { id } }`;
const COUNTRIES = ['USA', 'CHN', 'DEU', 'JPN', 'GBR', 'FRA', 'IND', 'ITA', 'BRA', 'CAN'];

async function main(): Promise<void> {
  const namespace = `beacon_shot_${process.pid}`;
  const database = await createSeededDatabase(`beacon_shot_${process.pid}`);
  const config = loadConfig(
    // No rate limit: the load and the dashboard's polling all come from 127.0.0.1, as in the benchmark.
    { NODE_ENV: 'development', LOG_LEVEL: 'error', REDIS_URL, CACHE_NAMESPACE: namespace, PERFORMANCE_BUCKET_SECONDS: '2', RATE_LIMIT_PER_MINUTE: '0' },
    { host: '127.0.0.1', port: 0, databaseUrl: database.url, seed: 'none' },
  );
  const app = createApp(config);
  const { url } = await app.start();
  const origin = new URL(url).origin;
  const browser = await launchChromium();
  try {
    const stopAt = Date.now() + LOAD_SECONDS * 1000;
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, client) => drive(url, client, stopAt)));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    // Offline, like the browser test: nothing but Beacon may be asked for anything.
    await blockOffsite(page, origin);
    await page.goto(`${origin}/dashboard`, { waitUntil: 'load' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(5, LOAD_SECONDS - 5) * 1000));
    mkdirSync(path.dirname(OUTPUT), { recursive: true });
    await page.screenshot({ path: OUTPUT, fullPage: true });
    const requests = (await load).reduce((sum, n) => sum + n, 0);
    console.log(`dashboard screenshot: ${OUTPUT} after ${requests} requests in ${LOAD_SECONDS} s`);
  } finally {
    await browser.close();
    await app.stop();
    await database.drop();
    await deleteRedisKeys(namespace);
  }
}

/** One client: 95% reads (most repeat a small working set, some are first reads), 5% writes. Returns its count. */
async function drive(url: string, client: number, stopAt: number): Promise<number> {
  let sent = 0;
  while (Date.now() < stopAt) {
    const roll = Math.random();
    const id = String(1 + Math.floor(Math.random() * (roll < 0.8 ? 50 : 500)));
    const [query, variables] =
      roll < 0.05
        ? [RENAME, { id, description: `touched by client ${client} at ${sent}` }]
        : roll < 0.6
          ? [DASHBOARD, { id }]
          : roll < 0.85
            ? [RANKING, { id }]
            : [ASSESSMENT, { country: COUNTRIES[Math.floor(Math.random() * COUNTRIES.length)] }];
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    sent += 1;
  }
  return sent;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
