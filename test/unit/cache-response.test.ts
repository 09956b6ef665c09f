// The response cache with a stand-in for Apollo (it sets what the Apollo plugin would): PRIVATE isolation and
// stale-if-error for whole responses, which the current schema has no field to show through HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestCacheState } from '../../src/cache/request-state.js';
import type { ExecutedResponse } from '../../src/cache/response-cache.js';
import type { CacheService } from '../../src/cache/service.js';
import { askResponseCache, createTestCache, manualClock, uniqueNamespace } from '../helpers/cache.js';


function request(authorization?: string) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    query: {},
    body: { query: '{ me { name } }' },
  };
}

/** Plays Apollo: answers with the session it ran for, under the given policy. */
function fakeApollo(scope: 'PUBLIC' | 'PRIVATE', fail: () => boolean = () => false) {
  const calls = { count: 0 };
  const execute = async (state: RequestCacheState): Promise<ExecutedResponse> => {
    calls.count += 1;
    state.operationType = 'query';
    state.deps.add('User:me');
    if (fail()) {
      state.hasErrors = true;
      const body = JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }], data: null });
      return { status: 200, headers: [['content-type', 'application/json; charset=utf-8']], body: { kind: 'complete', string: body } };
    }
    state.policy = { maxAgeSeconds: 1, scope };
    const body = JSON.stringify({ data: { me: { name: `${state.authorization ?? 'nobody'} #${calls.count}` } } });
    return { status: 200, headers: [['content-type', 'application/json; charset=utf-8']], body: { kind: 'complete', string: body } };
  };
  return { calls, execute };
}

describe('response cache', () => {
  const services: CacheService[] = [];
  const clock = manualClock();
  const make = (env: Record<string, string> = {}) => {
    const cache = createTestCache({ CACHE_NAMESPACE: uniqueNamespace('response'), ...env }, { clock });
    services.push(cache);
    return cache;
  };
  afterEach(async () => {
    await Promise.all(services.splice(0).map((cache) => cache.close()));
  });

  it('never serves one session a PRIVATE response stored for another', async () => {
    const cache = make();
    const apollo = fakeApollo('PRIVATE');
    const ask = (authorization?: string) => askResponseCache(cache, request(authorization), apollo.execute);
    const alice1 = await ask('Bearer alice');
    const bob1 = await ask('Bearer bob');
    const alice2 = await ask('Bearer alice');
    const bob2 = await ask('Bearer bob');
    expect(alice1.body).toContain('Bearer alice');
    expect(bob1.body).toContain('Bearer bob');
    expect(alice2.body).toBe(alice1.body);
    expect(bob2.body).toBe(bob1.body);
    expect(alice2.headers).toContainEqual(['x-beacon-cache', 'HIT-L1']);
    // Without a session, PRIVATE data is computed every time and never stored.
    const anonymous = await ask();
    expect(anonymous.body).toContain('nobody');
    expect((await ask()).body).not.toBe(anonymous.body);
  });

  it('never shares one in-flight PRIVATE execution between sessions', async () => {
    const cache = make();
    const apollo = fakeApollo('PRIVATE');
    const replies = await Promise.all(
      ['Bearer a', 'Bearer b', 'Bearer a', 'Bearer b'].map((authorization) => askResponseCache(cache, request(authorization), apollo.execute)),
    );
    expect(replies[0]!.body).toContain('Bearer a');
    expect(replies[1]!.body).toContain('Bearer b');
    expect(replies[2]!.body).toContain('Bearer a');
    expect(replies[3]!.body).toContain('Bearer b');
  });

  it('serves the last good response, marked STALE, when a recompute fails', async () => {
    const cache = make({ CACHE_STALE_WHILE_REVALIDATE_SECONDS: '0', CACHE_STALE_IF_ERROR_SECONDS: '60' });
    let failing = false;
    const apollo = fakeApollo('PUBLIC', () => failing);
    const good = await askResponseCache(cache, request(), apollo.execute);
    clock.advance(1_100);
    failing = true;
    const fallback = await askResponseCache(cache, request(), apollo.execute);
    expect(fallback.body).toBe(good.body);
    expect(fallback.headers).toContainEqual(['x-beacon-cache', 'STALE']);
    // Once invalidated, the last good response is gone: the error goes through.
    await cache.invalidate(['User:me']);
    const error = await askResponseCache(cache, request(), apollo.execute);
    expect(error.body).toContain('INTERNAL_SERVER_ERROR');
  });
});
