// The engine through the FieldCache seam, as resolvers use it, as one suite run twice: with L1 alone (no Redis:
// test/unit/cache-engine.test.ts) and with L1 + a real Redis under a namespace of its own
// (test/integration/cache-engine-redis.test.ts).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RequestCacheState } from '../../src/cache/request-state.js';
import type { CacheService } from '../../src/cache/service.js';
import { entityTag, trackedLoader } from '../../src/cache/index.js';
import { createTestCache, dropNamespace, manualClock, requestFieldCache, uniqueNamespace, waitFor } from './cache.js';
import { REDIS_ENV } from './services.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeEngine(backend: 'memory' | 'redis'): void {
  describe(`cache engine (${backend})`, () => {
    const namespaces: string[] = [];
    const services: CacheService[] = [];

    /** Entries are stamped and judged by this clock: a test moves it past a TTL instead of sleeping. */
    let clock = manualClock();
    function make(env: Record<string, string> = {}, namespace = uniqueNamespace('engine')): CacheService {
      namespaces.push(namespace);
      // A generous Redis budget: timeouts are tested elsewhere, and a busy machine must not turn hits into misses here.
      const redis: Record<string, string> = backend === 'redis' ? { ...REDIS_ENV, CACHE_REDIS_TIMEOUT_MS: '1000' } : {};
      const cache = createTestCache({ CACHE_NAMESPACE: namespace, ...redis, ...env }, { clock });
      services.push(cache);
      return cache;
    }

    async function ready(cache: CacheService) {
      if (backend === 'redis') await waitFor(() => cache.snapshot().redis.subscribed, 5_000, 'the subscription');
      return cache;
    }

    afterEach(async () => {
      await Promise.all(services.splice(0).map((cache) => cache.close()));
      clock = manualClock();
    });
    afterAll(async () => {
      // One namespace at a time: on a cluster, many drops at once time out connecting.
      if (backend === 'redis') for (const namespace of namespaces) await dropNamespace(namespace);
    });

    /** A counted computation that records a tag, as a resolver reading through a loader would. */
    function counter(tag = 'Thing:1', value: () => unknown = () => ({ n: 1, at: new Date('2024-01-01T00:00:00Z') })) {
      const counts = { computes: 0 };
      const compute = (state: RequestCacheState) => async () => {
        counts.computes += 1;
        state.deps.add(tag);
        return value();
      };
      return { counts, compute };
    }

    it('computes once and then serves the same value (Dates included) from the cache', async () => {
      const cache = await ready(make());
      const { counts, compute } = counter();
      const first = requestFieldCache(cache);
      const a = await first.fieldCache.resolve('quality', { id: 1 }, compute(first.state));
      const second = requestFieldCache(cache);
      const b = await second.fieldCache.resolve('quality', { id: 1 }, compute(second.state));
      expect(counts.computes).toBe(1);
      expect(b).toEqual(a);
      expect((b as { at: Date }).at).toBeInstanceOf(Date);
      // A hit hands its tags to the request, so an enclosing response depends on them too.
      expect(second.state.deps.tags).toContain('Thing:1');
    });

    it('records as entry tags exactly what loaders loaded while the field computed', async () => {
      const cache = await ready(make());
      const state = new RequestCacheState();
      const loader = trackedLoader(
        { load: async (id: number) => ({ id }), loadMany: async (ids: readonly number[]) => ids.map((id) => ({ id })) },
        (id) => entityTag('ModelRun', id),
        state.deps,
      );
      const { fieldCache } = requestFieldCache(cache, state);
      await loader.load(99); // outside the field: the request's tag, not the entry's
      await fieldCache.resolve('compareModels', { ids: [1, 2] }, async () => (await loader.loadMany([1, 2])).length);
      let computes = 0;
      await cache.invalidate(['ModelRun:99']);
      await requestFieldCache(cache).fieldCache.resolve('compareModels', { ids: [1, 2] }, async () => ++computes);
      expect(computes).toBe(0);
      await cache.invalidate(['ModelRun:2']);
      await requestFieldCache(cache).fieldCache.resolve('compareModels', { ids: [1, 2] }, async () => ++computes);
      expect(computes).toBe(1);
    });

    it('invalidates exactly the entries carrying a tag; unrelated entries stay hits', async () => {
      const cache = await ready(make());
      const one = counter('Thing:1');
      const two = counter('Thing:2');
      const run = async () => {
        const a = requestFieldCache(cache);
        await a.fieldCache.resolve('quality', { id: 1 }, one.compute(a.state));
        const b = requestFieldCache(cache);
        await b.fieldCache.resolve('quality', { id: 2 }, two.compute(b.state));
      };
      await run();
      await cache.invalidate(['Thing:1']);
      await run();
      expect(one.counts.computes).toBe(2);
      expect(two.counts.computes).toBe(1);
    });

    it('invalidates a whole type (clearCache TYPE) and everything (clearCache ALL)', async () => {
      const cache = await ready(make());
      const thing = counter('Thing:1');
      const other = counter('Other:1');
      const run = async () => {
        const a = requestFieldCache(cache);
        await a.fieldCache.resolve('quality', { id: 1 }, thing.compute(a.state));
        const b = requestFieldCache(cache);
        await b.fieldCache.resolve('sample', { id: 1 }, other.compute(b.state));
      };
      await run();
      await cache.clear('TYPE', 'Thing');
      await run();
      expect([thing.counts.computes, other.counts.computes]).toEqual([2, 1]);
      await cache.clear('ALL', undefined);
      await run();
      expect([thing.counts.computes, other.counts.computes]).toEqual([3, 2]);
    });

    it('never serves a value computed from data read before a write, even when it finishes after the invalidation', async () => {
      const cache = await ready(make());
      const data = { version: 0 };
      let stale = 0;
      for (let round = 0; round < 60; round += 1) {
        // A slow reader: reads the data, then is held until after the write and its invalidation completed.
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const slow = requestFieldCache(cache);
        const slowRead = slow.fieldCache.resolve('assessment', { round }, async () => {
          slow.state.deps.add('Model:m');
          const seen = data.version;
          await gate;
          return seen;
        });
        await sleep(round % 3); // vary where the write lands
        data.version += 1; // the write commits...
        const committed = data.version;
        await cache.invalidate(['Model:m']); // ...then invalidates, then "responds"
        release();
        await slowRead;
        // Every read that starts after the write's response sees the write.
        for (let reader = 0; reader < 3; reader += 1) {
          const fresh = requestFieldCache(cache);
          const value = await fresh.fieldCache.resolve('assessment', { round }, async () => {
            fresh.state.deps.add('Model:m');
            return data.version;
          });
          if ((value as number) < committed) stale += 1;
        }
      }
      expect(stale).toBe(0);
      expect(cache.stats.discardedStale).toBeGreaterThan(0);
    });

    it('shares one computation among concurrent identical misses', async () => {
      const cache = await ready(make());
      const { counts, compute } = counter();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const calls = Array.from({ length: 200 }, () => {
        const request = requestFieldCache(cache);
        return request.fieldCache.resolve('modelRanking', { dataset: 7 }, async () => {
          await gate;
          return compute(request.state)();
        });
      });
      // Held until every caller has either started the computation or joined it, however slow the L2 lookups are.
      await waitFor(() => cache.snapshot().tiers[0]!.dedupes === 199, 10_000, 'all callers to join');
      release();
      const values = await Promise.all(calls);
      expect(counts.computes).toBe(1);
      expect(new Set(values.map((value) => JSON.stringify(value))).size).toBe(1);
      expect(cache.snapshot().tiers[0]!.dedupes).toBe(199);
    });

    it('does not let a caller that arrives after an invalidation join a computation started before it', async () => {
      const cache = await ready(make());
      let computes = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const computing = new Promise<void>((resolve) => (started = resolve));
      const reader = requestFieldCache(cache);
      const first = reader.fieldCache.resolve('quality', { id: 3 }, async () => {
        computes += 1;
        // What it read: the invalidation below makes its value stale. (A value depending on nothing would stay valid,
        // and the second caller could legitimately be served it from L2 once stored.)
        reader.state.deps.add('Thing:3');
        started();
        await gate;
        return 'old';
      });
      // The computation must have begun (its L2 lookup can take a while on a busy machine): one that begins after the
      // invalidation reads the new data, and joining it would be right.
      await computing;
      await cache.invalidate(['Thing:3']);
      const second = requestFieldCache(cache).fieldCache.resolve('quality', { id: 3 }, async () => {
        computes += 1;
        return 'new';
      });
      release();
      expect(await first).toBe('old');
      expect(await second).toBe('new');
      expect(computes).toBe(2);
    });

    it('expires entries after their TTL', async () => {
      const cache = await ready(
        make({ CACHE_MAX_TTL_SECONDS: '1', CACHE_STALE_WHILE_REVALIDATE_SECONDS: '0', CACHE_STALE_IF_ERROR_SECONDS: '0' }),
      );
      const { counts, compute } = counter();
      const resolve = () => {
        const request = requestFieldCache(cache);
        return request.fieldCache.resolve('quality', { id: 1 }, compute(request.state));
      };
      await resolve();
      await resolve();
      expect(counts.computes).toBe(1);
      clock.advance(1_100);
      await resolve();
      expect(counts.computes).toBe(2);
    });

    it('serves a stale entry within the grace window and refreshes it once in the background', async () => {
      const cache = await ready(make({ CACHE_MAX_TTL_SECONDS: '1', CACHE_STALE_WHILE_REVALIDATE_SECONDS: '30' }));
      let version = 1;
      let computes = 0;
      const resolve = () => {
        const request = requestFieldCache(cache);
        return {
          state: request.state,
          value: request.fieldCache.resolve('sample', { id: 1 }, async () => {
            computes += 1;
            await sleep(20);
            return version;
          }),
        };
      };
      await resolve().value;
      version = 2;
      clock.advance(1_100);
      const staleReads = Array.from({ length: 10 }, resolve);
      expect(await Promise.all(staleReads.map((read) => read.value))).toEqual(Array(10).fill(1));
      expect(staleReads.every((read) => read.state.staleServed)).toBe(true);
      await cache.settle();
      expect(computes).toBe(2);
      expect(await resolve().value).toBe(2);
      expect(computes).toBe(2);
    });

    it('serves the last good value, marked stale, when a recompute fails (stale-if-error)', async () => {
      const cache = await ready(
        make({ CACHE_MAX_TTL_SECONDS: '1', CACHE_STALE_WHILE_REVALIDATE_SECONDS: '0', CACHE_STALE_IF_ERROR_SECONDS: '60' }),
      );
      const good = requestFieldCache(cache);
      await good.fieldCache.resolve('quality', { id: 9 }, async () => {
        good.state.deps.add('Thing:9');
        return 'good';
      });
      clock.advance(1_100);
      const failing = requestFieldCache(cache);
      const value = await failing.fieldCache.resolve('quality', { id: 9 }, async () => {
        throw new Error('database down');
      });
      expect(value).toBe('good');
      expect(failing.state.staleServed).toBe(true);
    });

    it('never serves an invalidated entry as a stale-if-error fallback', async () => {
      const cache = await ready(make({ CACHE_STALE_IF_ERROR_SECONDS: '60' }));
      const good = requestFieldCache(cache);
      await good.fieldCache.resolve('quality', { id: 10 }, async () => {
        good.state.deps.add('Thing:10');
        return 'good';
      });
      await cache.invalidate(['Thing:10']);
      await expect(
        requestFieldCache(cache).fieldCache.resolve('quality', { id: 10 }, async () => {
          throw new Error('database down');
        }),
      ).rejects.toThrow('database down');
    });

    it.runIf(backend === 'redis')('shares entries through Redis and drops another instance\'s copy within 100 ms of an invalidation', async () => {
      const namespace = uniqueNamespace('pair');
      const a = await ready(make({}, namespace));
      const b = await ready(make({}, namespace));
      let computes = 0;
      const resolve = (cache: CacheService) => {
        const request = requestFieldCache(cache);
        return request.fieldCache.resolve('assessment', { model: 'm' }, async () => {
          request.state.deps.add('IoModel:m');
          return ++computes;
        });
      };
      expect(await resolve(a)).toBe(1);
      await a.settle(); // the L2 write is in the background
      expect(await resolve(b)).toBe(1); // from L2
      expect(b.stats.tiers.L2.hits).toBe(1);
      expect(await resolve(b)).toBe(1); // now from B's L1
      expect(b.stats.tiers.L1.hits).toBe(1);
      await a.invalidate(['IoModel:m']);
      // How fast the message travels is measured (npm run chaos, docs/cache.md), not asserted: a loaded machine
      // must not fail this test. What it proves is that B drops its copy on A's invalidation.
      await waitFor(async () => (await b.engine!.lookup(b.keys.field('assessment', { model: 'm' }))) === undefined, 5_000, "B's copy to drop");
      expect(await resolve(b)).toBe(2);
    });
  });
}
