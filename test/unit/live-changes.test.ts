// The change feed's pieces that need no server: tags read back into entities, the bounded queue of a subscription
// (a client that stops reading is ended, not buffered for), and the filters.
import { describe, expect, it } from 'vitest';
import { EVERY_TEAM, PUBLIC_ONLY } from '../../src/auth/principal.js';
import { LiveSubscription, parseTag } from '../../src/live/changes.js';

describe('parseTag', () => {
  it('reads entities, lists narrowed to a dataset, and type tags', () => {
    expect(parseTag('ModelRun:42')).toEqual({ type: 'ModelRun', id: '42', dataset: undefined });
    expect(parseTag('ModelRun:list:dataset=7')).toEqual({ type: 'ModelRun', id: undefined, dataset: 7 });
    expect(parseTag('ModelRun:list')).toEqual({ type: 'ModelRun', id: undefined, dataset: undefined });
    expect(parseTag('IoModel:world%20io')).toEqual({ type: 'IoModel', id: 'world io', dataset: undefined });
    expect(parseTag('Dataset')).toEqual({ type: 'Dataset', id: undefined, dataset: undefined });
  });
});

describe('LiveSubscription', () => {
  const publicOwners = (tags: string[]) => new Map(tags.map((tag) => [tag, null]));

  it('ends, counted as an overflow, when more than queueLimit changes wait unread', async () => {
    const ended: boolean[] = [];
    const subscription = new LiveSubscription(PUBLIC_ONLY, { types: undefined, ids: undefined }, 2, (overflowed) => ended.push(overflowed));
    for (const id of ['1', '2']) subscription.offer([`Dataset:${id}`], publicOwners([`Dataset:${id}`]), 'now');
    expect(ended).toEqual([]);
    subscription.offer(['Dataset:3'], publicOwners(['Dataset:3']), 'now');
    expect(ended).toEqual([true]);
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
  });

  it('sends one change per entity that passes the filters, with the tags it may see', async () => {
    const subscription = new LiveSubscription(PUBLIC_ONLY, { types: ['ModelRun'], ids: ['5'] }, 10, () => {});
    const tags = ['ModelRun:5', 'ModelRun:6', 'ModelRun:list:dataset=3', 'Dataset:3', 'DatasetRows:9'];
    const owners = new Map<string, string | null>([...publicOwners(tags), ['DatasetRows:9', 'risk']]);
    subscription.offer(tags, owners, 'now');
    const first = await subscription.next();
    expect(first.value).toEqual({ changed: { type: 'ModelRun', id: '5', tags: tags.slice(0, 4), at: 'now' } });
    void subscription.return();
    expect((await subscription.next()).done).toBe(true);
  });

  it('gives a team’s private change to callers who see every team, not to public-only callers', async () => {
    const admin = new LiveSubscription(EVERY_TEAM, { types: undefined, ids: undefined }, 10, () => {});
    const reader = new LiveSubscription(PUBLIC_ONLY, { types: undefined, ids: undefined }, 10, () => {});
    admin.offer(['Dataset:1'], new Map([['Dataset:1', 'risk']]), 'now');
    reader.offer(['Dataset:1'], new Map([['Dataset:1', 'risk']]), 'now');
    expect((await admin.next()).value?.changed.id).toBe('1');
    void reader.return();
    expect((await reader.next()).done).toBe(true);
  });
});
