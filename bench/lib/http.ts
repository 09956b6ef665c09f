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
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
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
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }),
        );
        response.on('error', reject);
      },
    );
    request.setTimeout(60_000, () => request.destroy(new Error(`no answer from ${url} within 60 s`)));
    request.on('error', reject);
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
