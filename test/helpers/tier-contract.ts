// The contract every cache tier satisfies (src/cache/store.ts CacheTier), as one suite each tier runs, the way
// keyv's adapters share one test suite: L1 (memory, test/unit/cache-tier-memory.test.ts) and L2 (Redis, against the
// real local Redis under its own key prefix, test/integration/cache-tier-redis.test.ts). The engine relies on
// exactly this: a miss is undefined (never a throw), what was set comes back field for field (the body byte for
// byte), getMany answers in order, and a tier never holds an entry it was given no lifetime for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheEntry, CacheTier } from '../../src/cache/store.js';

export interface TierUnderTest {
  tier: CacheTier;
  /** A key of this run (a Redis tier's keys carry the run's own prefix). */
  key(name: string): string;
  close(): Promise<void>;
}

function entry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  return {
    body: '{"data":{"dataset":{"id":"7","name":"Ünïcode ✓ and \\"quotes\\"\\n"}}}',
    contentType: 'application/graphql-response+json; charset=utf-8',
    tags: ['Dataset:7', 'Dataset:list:owner=3', 'Dataset'],
    stamp: 41,
    ahead: [0, 2, 0],
    createdAt: 1_700_000_000_000,
    ttlMs: 30_000,
    graceMs: 5_000,
    reserveMs: 60_000,
    name: 'Dashboard',
    ...overrides,
  };
}

export function describeTierContract(name: string, open: () => Promise<TierUnderTest>): void {
  describe(`${name} satisfies the cache tier contract`, () => {
    let t: TierUnderTest;
    beforeAll(async () => {
      t = await open();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers a key never set with undefined, not an error', async () => {
      expect(await t.tier.get(t.key('never-set'))).toBeUndefined();
    });

    it('returns what was set, field for field, the body byte for byte', async () => {
      const stored = entry();
      await t.tier.set(t.key('round-trip'), stored, 60_000);
      expect(await t.tier.get(t.key('round-trip'))).toEqual(stored);
    });

    it('keeps a field value entry (no content type, no per-tag clocks) as it was given', async () => {
      const { contentType: _contentType, ahead: _ahead, ...field } = entry({ body: '{"$date":"2026-01-01T00:00:00.000Z"}', name: 'assessment' });
      await t.tier.set(t.key('field'), field, 60_000);
      expect(await t.tier.get(t.key('field'))).toEqual(field);
    });

    it('replaces an entry set again under the same key', async () => {
      await t.tier.set(t.key('replaced'), entry({ body: 'first', stamp: 1 }), 60_000);
      await t.tier.set(t.key('replaced'), entry({ body: 'second', stamp: 2 }), 60_000);
      expect(await t.tier.get(t.key('replaced'))).toMatchObject({ body: 'second', stamp: 2 });
    });

    it('forgets an entry once deleted, and deleting a missing key is no error', async () => {
      await t.tier.set(t.key('deleted'), entry(), 60_000);
      await t.tier.delete(t.key('deleted'));
      expect(await t.tier.get(t.key('deleted'))).toBeUndefined();
      await expect(t.tier.delete(t.key('deleted'))).resolves.toBeUndefined();
    });

    it('stores nothing for a lifetime of zero or less', async () => {
      await t.tier.set(t.key('no-life'), entry(), 0);
      await t.tier.set(t.key('negative-life'), entry(), -5);
      expect(await t.tier.get(t.key('no-life'))).toBeUndefined();
      expect(await t.tier.get(t.key('negative-life'))).toBeUndefined();
    });

    it('answers getMany in the order asked, with undefined for each miss', async () => {
      await t.tier.set(t.key('many-a'), entry({ body: 'a' }), 60_000);
      await t.tier.set(t.key('many-c'), entry({ body: 'c' }), 60_000);
      const keys = ['many-c', 'many-b', 'many-a', 'many-c'].map((k) => t.key(k));
      const found = t.tier.getMany ? await t.tier.getMany(keys) : await Promise.all(keys.map((key) => t.tier.get(key)));
      expect(found.map((e) => e?.body)).toEqual(['c', undefined, 'a', 'c']);
    });

    it('keeps keys apart: an entry is found under its own key only', async () => {
      await t.tier.set(t.key('apart-1'), entry({ body: 'one' }), 60_000);
      expect(await t.tier.get(t.key('apart-2'))).toBeUndefined();
      expect((await t.tier.get(t.key('apart-1')))?.body).toBe('one');
    });
  });
}
