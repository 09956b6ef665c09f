// One request at a time from the harness (captures, byte checks, priming, cold latencies, cacheStats), over a
// keep-alive agent so a measured cold request pays for the work, not for a TCP handshake.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Wall time from sending to the last byte, in ms. */
  ms: number;
}

export function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  return postWith(agent, new URL(url), body, headers, 60_000).then(({ sentAt, doneAt, ...reply }) => ({ ...reply, ms: doneAt - sentAt }));
}

export interface TimedReply extends Omit<Reply, 'ms'> {
  /** performance.now() just before the request was written, and when its last byte arrived. */
  sentAt: number;
  doneAt: number;
}

/** One JSON POST over `agent`: the harness's requests (post) and the mixed workload's load generator (mixed.ts). */
export function postWith(agent: http.Agent, target: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<TimedReply> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString(), sentAt, doneAt: performance.now() }),
        );
        response.on('error', reject);
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer from ${target} within ${timeoutMs / 1000} s`)));
    request.on('error', reject);
    const sentAt = performance.now();
    request.end(body);
  });
}

/** POSTs and insists on 200 with a body free of GraphQL errors: the benchmark measures answers, not failures. */
export async function postOk(url: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const reply = await post(url, body, headers);
  if (reply.status !== 200 || reply.body.includes('"errors":')) {
    throw new Error(`POST ${url} answered ${reply.status}: ${reply.body.slice(0, 400)}\nrequest: ${body.slice(0, 300)}`);
  }
  return reply;
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function forEachLimit<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}

export function closeAgent(): void {
  agent.destroy();
}

/**
 * Waits until Beacon's invalidation channel is subscribed, and a moment more for its baseline (versions.ts): an entry
 * stored before that is checked against Redis on reads until something confirms it, which is right for a cache that
 * has just started but is not the steady state a benchmark measures.
 */
/**
 * The ADMIN_TOKEN every Beacon the bench starts gets: in production (the bench's mode) cacheStats is for admins
 * (docs/security.md), and the bench reads it to wait for the cache and to observe hits.
 */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
/**
 * What every Beacon the harness starts runs with beyond its variant's settings: no seeding or warm-up file (the
 * database is seeded once), and the rate limiter in the path (its cost is measured) with a limit the load cannot reach.
 */
export const BEACON_BENCH_ENV: Readonly<Record<string, string>> = {
  SEED: 'none',
  CACHE_WARMUP_FILE: 'off',
  RATE_LIMIT_PER_MINUTE: '10000000',
  RATE_LIMIT_BURST: '10000000',
  ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
};

export const ADMIN_HEADERS = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };

export async function cacheSettled(url: string, name = url): Promise<void> {
  const deadline = Date.now() + 30_000;
  const query = JSON.stringify({ query: '{ cacheStats { redis { subscribed } } }' });
  while (!JSON.parse((await postOk(url, query, ADMIN_HEADERS)).body).data.cacheStats.redis.subscribed) {
    if (Date.now() > deadline) throw new Error(`${name} did not subscribe to its invalidation channel within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
