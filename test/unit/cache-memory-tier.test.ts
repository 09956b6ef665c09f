// L1's tag index: an invalidation drops exactly the entries it makes invalid, and the index never holds more than
// the LRU does (entries leave it however they leave the tier).
import { describe, expect, it } from 'vitest';
import { MemoryTier } from '../../src/cache/memory-tier.js';
import type { CacheEntry } from '../../src/cache/store.js';

function entry(tags: string[], stamp: number, body = 'x'): CacheEntry {
  return { body, tags, stamp, createdAt: Date.now(), ttlMs: 60_000, graceMs: 0, reserveMs: 0, name: 'test' };
}

describe('MemoryTier tag index', () => {
  it('drops the entries carrying an invalidated tag that were stamped before its version, and nothing else', async () => {
    const tier = new MemoryTier(1_000_000);
    await tier.set('old-42', entry(['ModelRun:42', 'ModelRun'], 10), 60_000);
    await tier.set('new-42', entry(['ModelRun:42', 'ModelRun'], 25), 60_000);
    await tier.set('list', entry(['ModelRun:list:dataset=7', 'ModelRun:42', 'ModelRun'], 12), 60_000);
    await tier.set('other', entry(['ModelRun:43', 'ModelRun'], 10), 60_000);
    expect(tier.dropTagged(['ModelRun:42'], 20)).toBe(2);
    expect(tier.peek('old-42')).toBeUndefined();
    expect(tier.peek('list')).toBeUndefined();
    expect(tier.peek('new-42')).toBeDefined(); // computed after the change
    expect(tier.peek('other')).toBeDefined();
    // A version only this instance knows of (Redis unreachable): every entry with the tag goes.
    expect(tier.dropTagged(['ModelRun:42'], undefined)).toBe(1);
    expect(tier.peek('new-42')).toBeUndefined();
    expect(tier.peek('other')).toBeDefined();
    // A type tag reaches every entry of the type.
    expect(tier.dropTagged(['ModelRun'], 30)).toBe(1);
    expect(tier.entries).toBe(0);
    expect(tier.indexedTags).toBe(0);
  });

  it('keeps the index no larger than the tier: replaced, deleted, evicted and cleared entries leave it', async () => {
    const tier = new MemoryTier(8_000);
    await tier.set('a', entry(['T:1', 'T'], 1), 60_000);
    await tier.set('a', entry(['T:2', 'T'], 2), 60_000); // replaced: T:1 is gone with the old entry
    expect(tier.dropTagged(['T:1'], 5)).toBe(0);
    expect(tier.peek('a')).toBeDefined();
    await tier.delete('a');
    expect(tier.indexedTags).toBe(0);
    // Far more entries than fit: the LRU evicts, and the index follows it.
    for (let i = 0; i < 200; i += 1) await tier.set(`k${i}`, entry([`T:${i}`, 'T'], i, 'y'.repeat(100)), 60_000);
    expect(tier.entries).toBeLessThan(200);
    expect(tier.indexedTags).toBe(tier.entries + 1); // one entity tag per entry, plus the shared type tag
    // An entry too big for the tier is refused, and not indexed.
    await tier.set('huge', entry(['Huge:1'], 1, 'z'.repeat(10_000)), 60_000);
    expect(tier.peek('huge')).toBeUndefined();
    expect(tier.dropTagged(['Huge:1'], 5)).toBe(0);
    tier.clear();
    expect(tier.indexedTags).toBe(0);
  });
});
