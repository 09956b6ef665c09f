// The per-tick batcher (tick-batcher.ts), alone and as the engine's L2 reader: lookups of one tick go out as one batch
// and come back in the same microtask, so the computations behind the misses load through one DataLoader batch even
// when the tier answers each key at a different time.
import DataLoader from 'dataloader';
import { describe, expect, it } from 'vitest';
import { AheadRead, CacheEngine } from '../../src/cache/engine.js';
import { EngineFieldCache } from '../../src/cache/field-cache.js';
import { KeySpace } from '../../src/cache/keys.js';
import { MemoryTier } from '../../src/cache/memory-tier.js';
import { CachePolicy } from '../../src/cache/policy.js';
import { RequestCacheState } from '../../src/cache/request-state.js';
import { CacheStats } from '../../src/cache/stats.js';
import type { CacheEntry, CacheTier } from '../../src/cache/store.js';
import { endOfTurn, TickBatcher } from '../../src/cache/tick-batcher.js';
import { Versions } from '../../src/cache/versions.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/log.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TickBatcher', () => {
  it('sends the keys of one tick as one batch, each key once, in first-asked order', async () => {
    const batches: string[][] = [];
    const batcher = new TickBatcher<string, string>(async (keys) => {
      batches.push([...keys]);
      return keys.map((key) => key.toUpperCase());
    });
    const values = await Promise.all(['a', 'b', 'a', 'c'].map((key) => batcher.load(key)));
    expect(values).toEqual(['A', 'B', 'A', 'C']);
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(batcher.batches).toBe(1);
  });

  it('includes keys asked in promise jobs of the same tick, and starts a new batch in a later tick', async () => {
    const batches: string[][] = [];
    const batcher = new TickBatcher<string, number>(async (keys) => {
      batches.push([...keys]);
      return keys.map((key) => key.length);
    });
    const first = batcher.load('x');
    // A lookup that comes after an await (as one behind an L1 check does) still joins the batch.
    const late = Promise.resolve().then(() => Promise.resolve()).then(() => batcher.load('yy'));
    await Promise.all([first, late]);
    await batcher.load('zzz');
    await sleep(1);
    await batcher.load('w');
    expect(batches).toEqual([['x', 'yy'], ['zzz'], ['w']]);
  });

  it('settles every caller in the same microtask drain, however late the reply', async () => {
    const batcher = new TickBatcher<number, number>(async (keys) => {
      await sleep(5);
      return keys.map((key) => key * 2);
    });
    const settled: number[] = [];
    let tickAfterFirst: boolean | undefined;
    const calls = [1, 2, 3, 4, 5].map((key) =>
      batcher.load(key).then((value) => {
        if (settled.length === 0) {
          tickAfterFirst = false;
          process.nextTick(() => (tickAfterFirst = true));
        }
        // A nextTick scheduled by the first continuation has not run yet: all five continue in one drain.
        expect(tickAfterFirst).toBe(false);
        settled.push(value);
      }),
    );
    await Promise.all(calls);
    expect(settled).toEqual([2, 4, 6, 8, 10]);
  });

  it('rejects every caller of a batch that failed, and the next batch starts afresh', async () => {
    let fail = true;
    const batcher = new TickBatcher<string, string>(async (keys) => {
      if (fail) throw new Error('tier down');
      return [...keys];
    });
    const results = await Promise.allSettled([batcher.load('a'), batcher.load('b')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.load('c')).toBe('c');
  });

  it('rejects callers a short answer left out, instead of leaving them pending', async () => {
    const batcher = new TickBatcher<string, string>(async (keys) => keys.slice(0, 1));
    const results = await Promise.allSettled([batcher.load('a'), batcher.load('b')]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('settles the other read-aheads of a batch when one continuation throws, and reports its error', async () => {
    const errors: unknown[] = [];
    const batcher = new TickBatcher<string, undefined>(async (keys) => keys.map(() => undefined), endOfTurn);
    const broken = new AheadRead((error) => errors.push(error));
    broken.whenRead(() => {
      throw new Error('a continuation with a bug');
    });
    batcher.add('a', broken);
    const other = new AheadRead((error) => errors.push(error));
    const read = new Promise((resolve) => other.whenRead(resolve));
    batcher.add('b', other);
    expect(await read).toBeUndefined();
    expect(errors).toEqual([new Error('a continuation with a bug')]);
  });

  it('with endOfTurn, gathers the keys asked in separate I/O callbacks of one event-loop turn', async () => {
    const batches: string[][] = [];
    const batcher = new TickBatcher<string, string>(async (keys) => {
      batches.push([...keys]);
      return [...keys];
    }, endOfTurn);
    // Each timer callback is followed by its own nextTick and microtask drain, as each socket's data callback is.
    const asked = await new Promise<Promise<string>[]>((resolve) => {
      const loads: Promise<string>[] = [];
      setTimeout(() => loads.push(batcher.load('x')), 0);
      setTimeout(() => loads.push(batcher.load('y')), 0);
      setTimeout(() => resolve(loads), 0);
    });
    expect(await Promise.all(asked)).toEqual(['x', 'y']);
    expect(batches).toEqual([['x', 'y']]);
  });
});

describe('the engine reading L2 through the batcher', () => {
  /** An L2 whose replies come back one by one, at different times, as a loaded Redis link's may. */
  class StaggeredTier implements CacheTier {
    readonly name = 'L2' as const;
    readonly entries = new Map<string, CacheEntry>();
    getManyCalls = 0;
    getCalls = 0;
    constructor(batched: boolean) {
      // A tier without getMany: the engine awaits its gets together instead.
      if (!batched) (this as { getMany?: unknown }).getMany = undefined;
    }
    async get(key: string): Promise<CacheEntry | undefined> {
      this.getCalls += 1;
      await sleep(1 + (this.getCalls % 4) * 3);
      return this.entries.get(key);
    }
    async getMany(keys: readonly string[]): Promise<Array<CacheEntry | undefined>> {
      this.getManyCalls += 1;
      return Promise.all(keys.map((key) => this.get(key)));
    }
    async set(key: string, entry: CacheEntry): Promise<void> {
      this.entries.set(key, entry);
    }
    async delete(key: string): Promise<void> {
      this.entries.delete(key);
    }
  }

  function fieldCacheOver(tier: CacheTier, l1?: MemoryTier) {
    const keys = new KeySpace('t-batcher');
    const versions = new Versions(keys, undefined, { tagVersionTtlMs: 60_000 });
    const engine = new CacheEngine({
      l1,
      l2: tier,
      versions,
      stats: new CacheStats(),
      logger: createLogger('silent'),
      graceMs: 0,
      reserveMs: 0,
      maxTtlMs: 60_000,
    });
    const keyOf = (id: number) => keys.field('ModelRun.featureImportance', { id, topN: 5 });
    return { engine, keyOf, cache: new EngineFieldCache(engine, keys, new CachePolicy(loadTypeDefs())) };
  }

  /** Twenty field lookups issued in one tick, each computing through one shared DataLoader. */
  async function resolveTwenty(cache: EngineFieldCache) {
    const loaderBatches: number[][] = [];
    const loader = new DataLoader<number, number>(async (ids) => {
      loaderBatches.push([...ids]);
      return ids.map((id) => id * 10);
    });
    const fieldCache = cache.forRequest(new RequestCacheState());
    const ids = Array.from({ length: 20 }, (_, index) => index + 1);
    const values = await Promise.all(
      ids.map((id) => fieldCache.resolve('ModelRun.featureImportance', { id, topN: 5 }, () => loader.load(id))),
    );
    return { values, loaderBatches };
  }

  it('keeps one DataLoader batch behind twenty misses whose replies arrive at different times', async () => {
    for (const batched of [true, false]) {
      const tier = new StaggeredTier(batched);
      const { cache } = fieldCacheOver(tier);
      const { values, loaderBatches } = await resolveTwenty(cache);
      expect(values).toEqual(Array.from({ length: 20 }, (_, index) => (index + 1) * 10));
      // Through getMany or, for a tier without it, twenty gets awaited together: the batch is whole either way.
      expect(loaderBatches).toHaveLength(1);
      expect(loaderBatches[0]).toHaveLength(20);
      if (batched) expect(tier.getManyCalls).toBe(1);
    }
  });

  it('answers hits and misses of one tick together, and counts each', async () => {
    const tier = new StaggeredTier(true);
    const { cache, engine, keyOf } = fieldCacheOver(tier);
    await resolveTwenty(cache); // stores all twenty
    await engine.settle();
    const even = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20];
    for (const id of even) tier.entries.delete(keyOf(id));
    const { values, loaderBatches } = await resolveTwenty(cache);
    expect(values).toEqual(Array.from({ length: 20 }, (_, index) => (index + 1) * 10));
    expect(loaderBatches).toEqual([even]);
    const row = engine.stats.fields.rows.get('ModelRun.featureImportance')!;
    expect(row).toEqual({ hits: 10, misses: 30 });
  });

  it('does not compute again when an identical computation finished while the lookup waited on L2', async () => {
    // Every L2 read takes 20 ms. A misses at 20 ms and computes until 50 ms; B starts at 40 ms, misses L1 (A is not
    // done), and its L2 read (absent: A's L2 write comes later) returns at 60 ms, after A left the single-flight
    // table. B must find A's entry in L1 rather than compute again.
    const tier = new StaggeredTier(true);
    tier.get = async (key: string) => {
      await sleep(20);
      return tier.entries.get(key);
    };
    tier.set = async (key: string, entry: CacheEntry) => {
      await sleep(50);
      tier.entries.set(key, entry);
    };
    const { cache } = fieldCacheOver(tier, new MemoryTier(1_000_000));
    let computes = 0;
    const compute = async () => {
      computes += 1;
      await sleep(30);
      return 'value';
    };
    const a = cache.forRequest(new RequestCacheState()).resolve('quality', { id: 1 }, compute);
    await sleep(40);
    const b = cache.forRequest(new RequestCacheState()).resolve('quality', { id: 1 }, compute);
    expect(await Promise.all([a, b])).toEqual(['value', 'value']);
    expect(computes).toBe(1);
  });

  it('treats a failed batch read as misses for every caller (fail open)', async () => {
    const tier = new StaggeredTier(true);
    tier.getMany = async () => {
      throw new Error('redis down');
    };
    const { cache } = fieldCacheOver(tier);
    const { values, loaderBatches } = await resolveTwenty(cache);
    expect(values).toHaveLength(20);
    expect(loaderBatches).toHaveLength(1);
  });
});
