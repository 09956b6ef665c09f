// What an entry's stamp must cover, shown with a real Redis and another "instance" played by redis-cli (run with
// execFileSync, so its commands reach Redis at an exact point of this process's work):
//  - a response is stamped before Apollo reads anything: the stamp is awaited, not merely requested;
//  - a response (or field) built from a cached field value is stored under that value's stamp, not the later
//    stamp of the request: an invalidation already counted in the request's stamp may not have reached this
//    instance's mirror when the value was looked up.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RequestCacheState } from '../../src/cache/request-state.js';
import type { ExecutedResponse, RawLookup } from '../../src/cache/response-cache.js';
import type { CacheService } from '../../src/cache/service.js';
import type { Stamp } from '../../src/cache/versions.js';
import { responseMediaType } from '../../src/http/media-status.js';
import { askResponseCache, createTestCache, dropNamespace, redisCliTarget, requestFieldCache, uniqueNamespace, waitFor } from '../helpers/cache.js';
import { REDIS_ENV, REDIS_URL, redisMode, redisUp } from '../helpers/services.js';

const TAG = 'Thing:7';

function request() {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, query: {}, body: { query: '{ thing { value } }' } };
}

/** Plays Apollo: the response carries `read()` and depends on TAG. */
function fakeApollo(read: (state: RequestCacheState) => Promise<unknown> | unknown) {
  const calls = { count: 0 };
  const execute = async (state: RequestCacheState): Promise<ExecutedResponse> => {
    calls.count += 1;
    state.operationType = 'query';
    const value = await read(state);
    state.deps.add(TAG);
    state.policy = { maxAgeSeconds: 60, scope: 'PUBLIC' };
    const body = JSON.stringify({ data: { thing: { value } } });
    return { status: 200, headers: [['content-type', 'application/json; charset=utf-8']], body: { kind: 'complete', string: body } };
  };
  return { calls, execute };
}

const header = (reply: { headers: Array<[string, string]> }) => reply.headers.find(([name]) => name === 'x-beacon-cache')?.[1];

describe('response cache: Apollo runs only once the stamp is known', () => {
  let cache: CacheService | undefined;
  afterEach(async () => {
    await cache?.close();
  });

  it('waits for the stamp before executing', async () => {
    cache = createTestCache({ CACHE_NAMESPACE: uniqueNamespace('stamps') });
    const engine = cache.engine!;
    const real = engine.stamp.bind(engine);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    engine.stamp = async (): Promise<Stamp> => {
      await gate;
      return real();
    };
    const apollo = fakeApollo(() => 'v');
    const reply = askResponseCache(cache, request(), apollo.execute);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(apollo.calls.count).toBe(0);
    release();
    expect(header(await reply)).toBe('MISS');
    expect(apollo.calls.count).toBe(1);
  });
});

describe.runIf(redisUp)('stamps against another instance’s invalidation (Redis)', () => {
  const namespaces: string[] = [];
  const services: CacheService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.close()));
  });
  afterAll(async () => {
    await Promise.all(namespaces.map((namespace) => dropNamespace(namespace)));
  });

  async function make(namespace = uniqueNamespace('stamps'), env: Record<string, string> = {}): Promise<CacheService> {
    if (!namespaces.includes(namespace)) namespaces.push(namespace);
    const cache = createTestCache({ ...REDIS_ENV, CACHE_NAMESPACE: namespace, CACHE_REDIS_TIMEOUT_MS: '1000', ...env });
    services.push(cache);
    await waitFor(() => cache.snapshot().redis.subscribed, 5_000, 'the subscription');
    return cache;
  }

  /** Another instance's invalidation of TAG, step by step, reaching Redis at once (the event loop is blocked). */
  function otherInstance(cache: CacheService) {
    const cli = (...args: string[]) => execFileSync('redis-cli', [...redisCliTarget(), ...args], { encoding: 'utf8' }).trim();
    let version = 0;
    return {
      incr() {
        version = Number(cli('INCR', cache.keys.clock));
      },
      /** TAG's version in Redis, as a check that asks Redis reads it; no message yet. */
      record() {
        cli('SET', cache.keys.tagVersion(TAG), String(version), 'PX', '600000');
      },
      publish() {
        this.record();
        // On a cluster the channel is sharded (SPUBLISH on its slot's master), as Beacon publishes it there.
        cli(redisMode === 'cluster' ? 'SPUBLISH' : 'PUBLISH', cache.keys.invalidationChannel, JSON.stringify({ v: version, tags: [TAG] }));
      },
      invalidate() {
        this.incr();
        this.publish();
      },
    };
  }

  const mirrored = (cache: CacheService) => waitFor(() => cache.snapshot().invalidations.mirroredTags > 0, 2_000, 'the invalidation message');

  it('lets concurrent stamps share one read of the clock, and reads it again afterwards', async () => {
    const cache = await make();
    const versions = cache.engine!.versions as unknown as { readClock(): Promise<unknown> };
    const read = versions.readClock.bind(versions);
    let reads = 0;
    versions.readClock = () => {
      reads += 1;
      return read();
    };
    const stamps = await Promise.all(Array.from({ length: 50 }, () => cache.engine!.stamp()));
    expect(reads).toBe(1);
    expect(new Set(stamps.map((stamp) => stamp.clock)).size).toBe(1);
    otherInstance(cache).incr();
    const later = await cache.engine!.stamp();
    expect(reads).toBe(2);
    expect(later.clock).toBeGreaterThan(stamps[0]!.clock);
  });

  it('never stores a response stamped after the data it read', async () => {
    const cache = await make();
    const other = otherInstance(cache);
    let data = 'old';
    // Apollo reads the data, then (before this process's next Redis command goes out) the other instance commits
    // a change and invalidates. A stamp read after this point would count that invalidation as already seen.
    const apollo = fakeApollo(() => {
      const seen = data;
      if (seen === 'old') {
        data = 'new';
        other.invalidate();
      }
      return seen;
    });
    const first = await askResponseCache(cache, request(), apollo.execute);
    expect(first.body).toContain('"old"');
    await mirrored(cache);
    const after = await askResponseCache(cache, request(), apollo.execute);
    expect(header(after)).toBe('MISS');
    expect(after.body).toContain('"new"');
  });

  it('stores a response built from a cached field value under that value’s stamp', async () => {
    const cache = await make();
    const other = otherInstance(cache);
    let data = 'old';
    const computeField = (state: RequestCacheState) => async () => {
      state.deps.add(TAG);
      return data;
    };
    // The field is cached under TAG.
    const warm = requestFieldCache(cache);
    expect(await warm.fieldCache.resolve('quality', { id: 7 }, computeField(warm.state))).toBe('old');
    await cache.settle();
    // The other instance commits and counts its invalidation on the clock; its message is not out yet.
    data = 'new';
    other.incr();
    // A response computed now takes a stamp that already counts the invalidation, and finds the field still valid
    // in this instance's mirror: it is built from the old value.
    const apollo = fakeApollo((state) => cache.fieldCache.forRequest!(state).resolve('quality', { id: 7 }, computeField(state)));
    const during = await askResponseCache(cache, request(), apollo.execute);
    expect(during.body).toContain('"old"');
    other.publish();
    await mirrored(cache);
    // Once the invalidation is known, neither the field nor the response built from it may be served.
    const after = await askResponseCache(cache, request(), apollo.execute);
    expect(header(after)).toBe('MISS');
    expect(after.body).toContain('"new"');
  });

  it('stores a field computed from a nested cached field under the nested value’s stamp', async () => {
    const cache = await make();
    const other = otherInstance(cache);
    let data = 'old';
    const inner = (state: RequestCacheState) => () =>
      cache.fieldCache.forRequest!(state).resolve('Dataset.sample', { id: 7 }, async () => {
        state.deps.add(TAG);
        return data;
      });
    const outer = (state: RequestCacheState) =>
      cache.fieldCache.forRequest!(state).resolve('Dataset.quality', { id: 7 }, async () => `outer(${await inner(state)()})`);
    const warm = requestFieldCache(cache);
    expect(await inner(warm.state)()).toBe('old');
    await cache.settle();
    data = 'new';
    other.incr();
    const during = requestFieldCache(cache);
    expect(await outer(during.state)).toBe('outer(old)');
    other.publish();
    await mirrored(cache);
    const after = requestFieldCache(cache);
    expect(await outer(after.state)).toBe('outer(new)');
  });

  it('judges an entry the fast lane read ahead from L2 only once synced: a write it has not heard of is a miss', async () => {
    // No L1: the fast lane's lookup reads the entry from Redis, sent with the clock read (engine.ts readAhead).
    const cache = await make(uniqueNamespace('stamps'), { CACHE_L1_MAX_BYTES: '0' });
    const other = otherInstance(cache);
    const apollo = fakeApollo(() => 'old');
    const raw = JSON.stringify(request().body);
    // The full path keys these bytes (as after the fast lane handed them on) and stores the entry in Redis.
    expect(header(await askResponseCache(cache, request(), apollo.execute, { handedOn: { raw } }))).toBe('MISS');
    await cache.settle();
    const lookupRaw = () =>
      new Promise<RawLookup>((resolve) => cache.responseCache!.lookupRaw({ raw, mediaType: responseMediaType(undefined)!, visibility: 'vis:public' }, resolve));
    const before = await lookupRaw();
    expect(before.kind === 'hit' && before.found.tier).toBe('L2');
    // The other instance commits and records its invalidation in Redis; its message is not out yet. The entry read
    // ahead of the clock is still valid by this instance's mirror, but the clock read says there is a write to hear of.
    other.incr();
    other.record();
    expect((await lookupRaw()).kind).toBe('miss');
    expect(apollo.calls.count).toBe(1);
  });

  it('checks an entry older than its baseline against Redis once, then against the mirror alone', async () => {
    const namespace = uniqueNamespace('stamps');
    const a = await make(namespace);
    let computes = 0;
    const compute = (state: RequestCacheState) => async () => {
      computes += 1;
      state.deps.add(TAG);
      return `value ${computes}`;
    };
    const resolve = (cache: CacheService, state: RequestCacheState) =>
      cache.fieldCache.forRequest!(state).resolve('quality', { id: 70 }, compute(state));
    const fromA = requestFieldCache(a);
    expect(await resolve(a, fromA.state)).toBe('value 1');
    await a.settle();
    await a.invalidate(['Unrelated:1']); // the clock moves on
    // B subscribes later: A's entry is older than B's baseline, so B asks Redis for its tags' versions.
    const b = await make(namespace);
    const versions = b.engine!.versions as unknown as { checkRemote(...args: unknown[]): Promise<boolean> };
    const checkRemote = versions.checkRemote.bind(versions);
    let remoteChecks = 0;
    versions.checkRemote = (...args: unknown[]) => {
      remoteChecks += 1;
      return checkRemote(...args);
    };
    expect(await resolve(b, requestFieldCache(b).state)).toBe('value 1'); // L2, checked against Redis
    expect(remoteChecks).toBe(1);
    expect(await resolve(b, requestFieldCache(b).state)).toBe('value 1'); // L1 copy: the mirror suffices
    // A response built from it is stored confirmed as far as its parts were: its L1 hits ask Redis nothing either.
    const apollo = fakeApollo((state) => resolve(b, state));
    expect(header(await askResponseCache(b, request(), apollo.execute))).toBe('MISS');
    expect(header(await askResponseCache(b, request(), apollo.execute))).toBe('HIT-L1');
    expect(remoteChecks).toBe(1);
    expect(computes).toBe(1);
    // And the mirror still sees what comes later.
    await a.invalidate([TAG]);
    await waitFor(() => b.snapshot().invalidations.mirroredTags > 0, 2_000, 'the invalidation message');
    expect(header(await askResponseCache(b, request(), apollo.execute))).toBe('MISS');
    expect(computes).toBe(2);
  });
});
