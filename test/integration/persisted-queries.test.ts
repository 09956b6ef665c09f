// Automatic persisted queries across instances: a document registered through instance A (hash + query) is answered
// by instance B from the hash alone on the first try, because the APQ store is the cache's Redis (per namespace).
// Without Redis, each instance keeps its own store: B does not know A's hash, and says so with the stable code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apq } from '../helpers/apq.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { dropNamespace, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { postgresUp, REDIS_ENV, redisMode, redisUp } from '../helpers/services.js';

describe.runIf(postgresUp && redisUp)('persisted queries shared through Redis (postgres)', () => {
  const namespace = uniqueNamespace('apq');
  const env = { ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000' };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ database: 'postgres', env });
    b = await startTestApp({ database: 'postgres', databaseUrl: a.databaseUrl, env });
    await waitFor(() => a.app.cache.snapshot().redis.state === 'ready' && b.app.cache.snapshot().redis.state === 'ready', 10_000, 'both links');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await dropNamespace(namespace);
  });

  it('a hash registered through A is answered by B on the first try, and B caches the response', async () => {
    const unknown = await apq(b, { id: '2' }, false);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = await apq(a, { id: '2' }, true);
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data.dataset.id).toBe('2');

    const first = await apq(b, { id: '2' }, false);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data).toEqual(registered.body.data);
    // Other variables too: the document is what was shared, not a response.
    expect((await apq(b, { id: '4' }, false)).body.data.dataset.id).toBe('4');
    // B's response cache learned the document with the first request: the hash-only requests are keyed, stored and
    // then served from the cache like any other.
    await b.app.cache.settle();
    expect((await apq(b, { id: '4' }, false)).cache).toMatch(/^HIT/);
  });
});

describe.runIf(postgresUp && redisMode === 'single')('persisted queries without Redis (postgres)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ database: 'postgres' });
    b = await startTestApp({ database: 'postgres', databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('each instance keeps its own store: A answers its hash, B asks for the document', async () => {
    expect((await apq(a, { id: '2' }, true)).body.data.dataset.id).toBe('2');
    expect((await apq(a, { id: '2' }, false)).body.data.dataset.id).toBe('2');
    const onB = await apq(b, { id: '2' }, false);
    expect(onB.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
