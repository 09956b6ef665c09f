// CDN: public cacheable responses name their tags, hashed, in Surrogate-Key and Cache-Tag; a write makes the instance
// that wrote POST exactly those hashes to the purge URL, batched, once each even though the receiver refuses the first
// attempt (retried), and never from the other instance, which hears the same invalidation over Redis.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdnTags } from '../../src/http/cdn-tags.js';
import { type TestApp } from '../helpers/app.js';
import { dropNamespace, startPair, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { postgresUp, REDIS_ENV, redisUp } from '../helpers/services.js';

const SECRET = 'cdn-test-secret-0123456789';

/** A purge endpoint: refuses the first `failures` requests with 503, records every request's tags. */
async function purgeReceiver(failures: number) {
  const requests: { status: number; tags: string[]; authorization: string | undefined }[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const status = requests.length < failures ? 503 : 200;
      requests.push({ status, tags: JSON.parse(body).tags, authorization: request.headers.authorization });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ success: status === 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/zones/z1/purge_cache`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.runIf(postgresUp && redisUp)('CDN tag headers and the purge hook (postgres, redis)', () => {
  const namespace = uniqueNamespace('cdn');
  const cdn = new CdnTags({ header: 'both', namespace, secret: SECRET });
  let receiver: Awaited<ReturnType<typeof purgeReceiver>>;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    receiver = await purgeReceiver(1);
    const env = {
      ...REDIS_ENV,
      CACHE_NAMESPACE: namespace,
      // As the other suites that assert hits: a clock read past the 50 ms default budget is a miss by design (the
      // entry cannot be vouched for), and the loaded full suite outlasted it once here (MISS where HIT-L1 was due).
      CACHE_REDIS_TIMEOUT_MS: '1000',
      CDN_TAG_HEADER: 'both',
      CDN_TAG_SECRET: SECRET,
      CDN_PURGE_URL: receiver.url,
      CDN_PURGE_TOKEN: 'purge-token-123',
      CDN_PURGE_BATCH: '2',
      CDN_PURGE_BACKOFF_MS: '5',
    };
    ({ a, b } = await startPair(env, 10_000));
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await receiver?.close();
    await dropNamespace(namespace);
  });

  const get = (t: TestApp, query: string) => fetch(`${t.url}?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/json' } });

  it('names the hashed tags of a public response, on a miss and on a hit alike, and nothing readable', async () => {
    const query = '{ dataset(id: "5") { id name } }';
    const miss = await get(a, query);
    expect(miss.headers.get('x-beacon-cache')).toBe('MISS');
    const hit = await get(a, query);
    expect(hit.headers.get('x-beacon-cache')).toBe('HIT-L1');
    const keys = miss.headers.get('surrogate-key')!.split(' ');
    expect(hit.headers.get('surrogate-key')).toBe(miss.headers.get('surrogate-key'));
    expect(miss.headers.get('cache-tag')!.split(',')).toEqual(keys);
    expect(keys).toEqual(expect.arrayContaining([cdn.hash('Dataset:5'), cdn.hash('Dataset'), cdn.hash('*')]));
    expect(miss.headers.get('surrogate-key')).not.toMatch(/Dataset|:5/);
    // A POST (never cached by a CDN) and a mutation carry none.
    expect((await a.gql(query)).headers.get('surrogate-key')).toBeNull();
  });

  it('purges each tag of a write exactly once, batched, after a refused first attempt, from the writing instance only', async () => {
    const started = await a.gql(`mutation { startTraining(input: { datasetId: "3", name: "cdn", algorithm: "mlp", taskType: REGRESSION }) { id } }`);
    expect(started.body.errors, JSON.stringify(started.body.errors)).toBeUndefined();
    const id = started.body.data.startTraining.id as string;
    await a.app.purge!.settle();
    const before = receiver.requests.length;
    const cached = await get(b, `{ modelRun(id: "${id}") { id status } }`);
    expect(cached.headers.get('surrogate-key')!.split(' ')).toContain(cdn.hash(`ModelRun:${id}`));

    let heardOnB = 0;
    b.app.cache.onInvalidation((tags) => void (tags.includes(`ModelRun:${id}`) && (heardOnB += 1)));
    const failed = await a.gql(`mutation { failTraining(id: "${id}", error: "oom") { id } }`);
    expect(failed.body.errors).toBeUndefined();
    await a.app.purge!.settle();
    await waitFor(() => heardOnB === 1, 5_000, 'B to hear the invalidation');
    await b.app.purge!.settle();

    const purged = receiver.requests.slice(before).filter((request) => request.status === 200).flatMap((request) => request.tags);
    const expected = [`ModelRun:${id}`, 'ModelRun:list:dataset=3', 'ModelRun:list'].map((tag) => cdn.hash(tag));
    expect(purged.sort()).toEqual(expected.sort());
    // Two batches (of 2 and 1 tags) for this write; every request of the run was authenticated.
    expect(receiver.requests.slice(before).filter((request) => request.status === 200)).toHaveLength(2);
    expect(receiver.requests.every((request) => request.authorization === 'Bearer purge-token-123')).toBe(true);
    // The first request of the run (startTraining's) was refused and retried: delivered once all the same.
    expect(receiver.requests[0]!.status).toBe(503);
    expect(a.app.purge!.counts).toMatchObject({ failedAttempts: 1, dropped: 0 });
    expect(b.app.purge!.counts).toEqual({ delivered: 0, failedAttempts: 0, dropped: 0 });
    const startTags = receiver.requests.slice(0, before).filter((request) => request.status === 200).flatMap((request) => request.tags);
    expect(startTags.sort()).toEqual(expected.sort());
  });
});
