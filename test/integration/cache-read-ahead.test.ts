// An L2 hit in the fast lane waits one Redis round trip, not two: the entry's read is sent with the turn's clock read
// (engine.ts readAhead) and judged once the sync is done. Counted on a Redis of the test's own, one request at a time:
// the read events it processed (INFO stats total_reads_processed), each one batch of commands from one client.
// That read after write still holds on this path, under load and on two instances, is cache-read-after-write.test.ts
// (its L2-only pass).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { PrivateRedis, uniqueNamespace } from '../helpers/cache.js';
import { postgresUp, singleNodeOnly } from '../helpers/services.js';

const PANEL = 'query Panel($id: ID!) { dataset(id: $id) { id name description rowCount columns { name type } } }';
const HITS = 20;

describe.runIf(postgresUp && singleNodeOnly('counts the read events of a redis-server of its own'))('L2 hits in the fast lane (postgres + a Redis of its own)', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await PrivateRedis.create();
    await redis.start();
    // No L1: every hit comes from Redis. A read budget a loaded machine does not outlast.
    t = await startTestApp({
      database: 'postgres',
      env: { REDIS_URL: redis.url, CACHE_NAMESPACE: uniqueNamespace('ahead'), CACHE_L1_MAX_BYTES: '0', CACHE_REDIS_TIMEOUT_MS: '1000' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const readEvents = async () => Number(/total_reads_processed:(\d+)/.exec(String(await redis.command(['INFO', 'stats'])))![1]);
  /** How many times Redis ran `command` since its statistics were reset. */
  const calls = async (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(String(await redis.command(['INFO', 'commandstats'])))?.[1] ?? 0);
  const post = (id = '2') =>
    fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: PANEL, variables: { id } }) });

  it("sends an L2 hit's read together with the clock read: one Redis read event per hit", async () => {
    // The first request computes and stores the entry; the second is the fast lane's first look at these bytes.
    expect((await post()).headers.get('x-beacon-cache')).toBe('MISS');
    await t.app.cache.settle();
    const respond = vi.spyOn(t.app.cache.responseCache!, 'respond');
    try {
      const outcomes: Array<string | null> = [];
      const before = await readEvents();
      for (let i = 0; i < HITS; i++) {
        const reply = await post();
        await reply.arrayBuffer();
        outcomes.push(reply.headers.get('x-beacon-cache'));
      }
      // The INFO of the second count is one read event of its own.
      const events = (await readEvents()) - before - 1;
      expect(outcomes).toEqual(Array(HITS).fill('HIT-L2'));
      expect(respond).not.toHaveBeenCalled();
      // A clock read and then a GET would be two events per hit (40); a stray ping or timer of the app's may add one.
      expect(events).toBeGreaterThanOrEqual(HITS);
      expect(events).toBeLessThanOrEqual(HITS + 3);
    } finally {
      respond.mockRestore();
    }
  });

  it('reads the entries of the hits that arrive together in one MGET', async () => {
    // Datasets the first test did not read (the seed has 40).
    const ids = Array.from({ length: HITS }, (_, k) => String(k + 3));
    // Sent at once, so that the client opens a connection for each (kept alive for the burst below).
    const misses = await Promise.all(ids.map((id) => post(id)));
    await Promise.all(misses.map((reply) => reply.arrayBuffer()));
    expect(misses.map((reply) => reply.headers.get('x-beacon-cache'))).toEqual(Array(HITS).fill('MISS'));
    await t.app.cache.settle();
    await redis.command(['CONFIG', 'RESETSTAT']);
    // Sent at once on open connections: their bodies are read in the same turn of the server's event loop.
    const replies = await Promise.all(ids.map((id) => post(id)));
    expect(replies.map((reply) => reply.headers.get('x-beacon-cache'))).toEqual(Array(HITS).fill('HIT-L2'));
    await Promise.all(replies.map((reply) => reply.arrayBuffer()));
    // One GET per hit would be 20 commands; a turn that held them all sends one MGET. A loaded machine may split
    // the arrivals over two or three turns.
    expect(await calls('get')).toBeLessThanOrEqual(3); // the clock reads, one per turn
    expect(await calls('mget')).toBeGreaterThanOrEqual(1);
    expect(await calls('mget')).toBeLessThanOrEqual(3);
  });
});
