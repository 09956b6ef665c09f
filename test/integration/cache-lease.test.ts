// Single-flight across instances (src/cache/lease.ts): two cache services on one Redis namespace, as two Beacon
// instances are. One computes; the other waits for its entry. A dead lease holder delays a computation by at most
// the lease, and a waiter is never handed an entry computed from data older than a write it must see.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CacheService } from '../../src/cache/service.js';
import { connectTestRedis, createTestCache, dropNamespace, requestFieldCache, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { REDIS_ENV, redisUp } from '../helpers/services.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(redisUp)('leases across instances (redis)', () => {
  const namespace = uniqueNamespace('lease');
  const services: CacheService[] = [];

  async function instance(env: Record<string, string> = {}): Promise<CacheService> {
    const cache = createTestCache({ ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000', ...env });
    services.push(cache);
    await waitFor(() => cache.snapshot().redis.subscribed, 5_000, 'the subscription');
    return cache;
  }

  const waited = (...caches: CacheService[]) => caches.reduce((sum, cache) => sum + cache.snapshot().tiers.find((tier) => tier.tier === 'L2')!.dedupes, 0);

  afterEach(async () => {
    await Promise.all(services.splice(0).map((cache) => cache.close()));
  });
  afterAll(() => dropNamespace(namespace));

  it('computes a value once across two instances: the other waits for the entry and depends on its tags', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    let computes = 0;
    const resolve = (cache: CacheService) => {
      const request = requestFieldCache(cache);
      const value = request.fieldCache.resolve('assessment', { id: 1 }, async () => {
        computes += 1;
        request.state.deps.add('Model:m1');
        await sleep(100);
        return { multiplier: 1.5 };
      });
      return { request, value };
    };
    const [first, second] = [resolve(a), resolve(b)];
    expect(await Promise.all([first.value, second.value])).toEqual([{ multiplier: 1.5 }, { multiplier: 1.5 }]);
    expect(computes).toBe(1);
    expect(waited(a, b)).toBe(1);
    // Both responses depend on what the computation read, the waiter's as much as the computer's.
    expect(first.request.state.deps.tags).toContain('Model:m1');
    expect(second.request.state.deps.tags).toContain('Model:m1');
  });

  it('computes anyway once the lease runs out when its holder never stores an entry', async () => {
    const cache = await instance({ CACHE_LEASE_MS: '300' });
    const leaseKey = cache.keys.lease(cache.keys.field('assessment', { id: 2 }));
    // A holder that died mid-computation: its lease is in Redis, and no entry will come.
    const client = await connectTestRedis();
    try {
      await client.set(leaseKey, 'dead-holder', { PX: 300 });
      // Judged by what Redis holds when the computation starts, not by a clock: the dead holder's lease is gone.
      let holderAtCompute: string | null = 'not computed';
      const value = await requestFieldCache(cache).fieldCache.resolve('assessment', { id: 2 }, async () => {
        holderAtCompute = await client.get(leaseKey);
        return 'computed here';
      });
      expect(value).toBe('computed here');
      expect(holderAtCompute).not.toBe('dead-holder');
      expect(holderAtCompute).not.toBe('not computed');
    } finally {
      await client.close();
    }
  });

  it('never hands a waiter an entry computed from data read before a write it must see', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const data = { version: 1 };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const reading = new Promise<void>((resolve) => (started = resolve));
    const early = requestFieldCache(a);
    const first = early.fieldCache.resolve('assessment', { id: 3 }, async () => {
      early.state.deps.add('Model:m3');
      const seen = data.version;
      started();
      await gate;
      return seen;
    });
    await reading; // a holds the lease and has read version 1
    data.version = 2; // the write commits,
    await b.invalidate(['Model:m3']); // invalidates, and its response is sent
    const late = requestFieldCache(b);
    const second = late.fieldCache.resolve('assessment', { id: 3 }, async () => {
      late.state.deps.add('Model:m3');
      return data.version;
    });
    await sleep(50); // b is waiting on a's lease
    release();
    expect(await first).toBe(1); // its own caller started before the write
    expect(await second).toBe(2);
  });
});
