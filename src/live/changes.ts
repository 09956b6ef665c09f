// The change feed behind `subscription { changed }`: every invalidation this instance hears (its own writes, and every
// other instance's over Redis: CacheService.onInvalidation) becomes one Change per entity it names, offered to each
// open subscription that may see it and asked for it. Who may see a tag is looked up once per invalidation (one SQL
// statement, whatever the number of subscribers): a dataset's team, a run's dataset's team; IoModels are public.
import { GraphQLError } from 'graphql';
import type { Kysely } from 'kysely';
import { canSee, visibilityOf, type Principal, type Visibility } from '../auth/principal.js';
import type { Tables } from '../db/tables.js';
import type { Logger } from '../log.js';

export type ChangeType = 'Dataset' | 'ModelRun' | 'IoModel';

export interface Change {
  type: ChangeType;
  id: string;
  tags: string[];
  at: string;
}

/** The entity types a tag's type names (DatasetRows change what a Dataset answers). */
const ENTITY_TYPES: Record<string, ChangeType> = { Dataset: 'Dataset', DatasetRows: 'Dataset', ModelRun: 'ModelRun', IoModel: 'IoModel' };

/** A tag whose owner is unknown (a row deleted before we looked): only callers who see every team get it. */
const NOBODY = Symbol('nobody');
type Owner = string | null | typeof NOBODY;

export interface ChangeFilter {
  types: readonly ChangeType[] | undefined;
  ids: readonly string[] | undefined;
}

export interface LiveOptions {
  maxSubscriptionsPerPrincipal: number;
  /** Changes waiting for a slow subscriber before its subscription is ended. */
  queueLimit: number;
}

export const LiveCode = { TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS' } as const;

export class ChangeFeed {
  private readonly open = new Set<LiveSubscription>();
  private readonly perPrincipal = new Map<string, number>();
  /** Counters for tests and metrics. */
  readonly counts = { invalidations: 0, ownerLookups: 0, offered: 0, overflows: 0 };

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly options: LiveOptions,
    private readonly logger: Logger,
  ) {}

  get subscriptions(): number {
    return this.open.size;
  }

  /** Called with each invalidation heard (wired in app.ts). */
  heard(tags: readonly string[]): void {
    this.counts.invalidations += 1;
    if (this.open.size === 0) return;
    const at = new Date().toISOString();
    void this.owners(tags).then(
      (owners) => {
        for (const subscription of this.open) subscription.offer(tags, owners, at);
      },
      (error: unknown) => this.logger.warn('live: owners of changed tags not found; subscriptions ended', { error: String(error) }),
    );
  }

  /** The cache's clock was lost, and invalidations with it: subscribers end, reconnect and refetch. */
  lost(): void {
    for (const subscription of [...this.open]) subscription.end();
  }

  /** `key` identifies the principal for the limit (anonymous callers: per address). */
  subscribe(principal: Principal, key: string, filter: ChangeFilter): LiveSubscription {
    const count = this.perPrincipal.get(key) ?? 0;
    if (count >= this.options.maxSubscriptionsPerPrincipal) {
      throw new GraphQLError(`At most ${this.options.maxSubscriptionsPerPrincipal} open subscriptions per credential: close one first.`, {
        extensions: { code: LiveCode.TOO_MANY_SUBSCRIPTIONS },
      });
    }
    this.perPrincipal.set(key, count + 1);
    const subscription = new LiveSubscription(visibilityOf(principal), filter, this.options.queueLimit, (overflowed) => {
      this.open.delete(subscription);
      const left = (this.perPrincipal.get(key) ?? 1) - 1;
      if (left <= 0) this.perPrincipal.delete(key);
      else this.perPrincipal.set(key, left);
      if (overflowed) this.counts.overflows += 1;
    });
    this.open.add(subscription);
    return subscription;
  }

  /** Each tag's owning team (null: public), in one statement for the datasets and runs named. */
  private async owners(tags: readonly string[]): Promise<Map<string, Owner>> {
    const datasetIds = new Set<number>();
    const runIds = new Set<number>();
    for (const tag of tags) {
      const { type, id, dataset } = parseTag(tag);
      if (dataset !== undefined) datasetIds.add(dataset);
      if (id === undefined) continue;
      const number = Number(id);
      if (!Number.isSafeInteger(number)) continue;
      if (type === 'Dataset' || type === 'DatasetRows') datasetIds.add(number);
      else if (type === 'ModelRun') runIds.add(number);
    }
    const datasetTeam = new Map<number, string | null>();
    const runTeam = new Map<number, string | null>();
    if (datasetIds.size + runIds.size > 0) {
      this.counts.ownerLookups += 1;
      const rows = await this.db
        .selectFrom('datasets')
        .select(['datasets.id as dataset', 'datasets.team'])
        .select((eb) => eb.val<number | null>(null).as('run'))
        .where('datasets.id', 'in', [...datasetIds, -1])
        .unionAll(
          this.db
            .selectFrom('model_runs')
            .innerJoin('datasets', 'datasets.id', 'model_runs.dataset_id')
            .select(['datasets.id as dataset', 'datasets.team', 'model_runs.id as run'])
            .where('model_runs.id', 'in', [...runIds, -1]),
        )
        .execute();
      for (const row of rows) {
        if (row.run === null) datasetTeam.set(row.dataset, row.team);
        else runTeam.set(row.run, row.team);
      }
    }
    // A run deleted by this write is gone: its dataset is the one whose run list the same write invalidated.
    const listedDatasets = tags.map((tag) => parseTag(tag)).filter((tag) => tag.type === 'ModelRun' && tag.dataset !== undefined);
    const deletedRunOwner: Owner = listedDatasets.length === 1 ? (datasetTeam.get(listedDatasets[0]!.dataset!) ?? NOBODY) : NOBODY;
    const owners = new Map<string, Owner>();
    for (const tag of tags) {
      const { type, id, dataset } = parseTag(tag);
      let owner: Owner = null;
      if (dataset !== undefined) owner = datasetTeam.has(dataset) ? datasetTeam.get(dataset)! : NOBODY;
      else if (id !== undefined && (type === 'Dataset' || type === 'DatasetRows')) owner = datasetTeam.has(Number(id)) ? datasetTeam.get(Number(id))! : NOBODY;
      else if (id !== undefined && type === 'ModelRun') owner = runTeam.has(Number(id)) ? runTeam.get(Number(id))! : deletedRunOwner;
      owners.set(tag, owner);
    }
    return owners;
  }
}

/**
 * One open `changed` subscription: an async iterator over the changes it may see and asked for. Bounded: past
 * `queueLimit` undelivered changes (a client not reading), it ends instead of buffering without limit.
 */
export class LiveSubscription implements AsyncIterableIterator<{ changed: Change }> {
  private readonly queue: Change[] = [];
  private waiting: ((result: IteratorResult<{ changed: Change }>) => void) | undefined;
  private done = false;

  constructor(
    private readonly visibility: Visibility,
    private readonly filter: ChangeFilter,
    private readonly queueLimit: number,
    private readonly onEnd: (overflowed: boolean) => void,
  ) {}

  offer(tags: readonly string[], owners: Map<string, Owner>, at: string): void {
    if (this.done) return;
    const visible = tags.filter((tag) => {
      const owner = owners.get(tag);
      return owner === NOBODY ? this.visibility.all : canSee(this.visibility, owner ?? null);
    });
    const seen = new Set<string>();
    for (const tag of visible) {
      const { type, id } = parseTag(tag);
      const changeType = ENTITY_TYPES[type];
      if (!changeType || id === undefined || seen.has(`${changeType}:${id}`)) continue;
      seen.add(`${changeType}:${id}`);
      if (this.filter.types && !this.filter.types.includes(changeType)) continue;
      if (this.filter.ids && !this.filter.ids.includes(id)) continue;
      this.push({ type: changeType, id, tags: visible, at });
    }
  }

  end(overflowed = false): void {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    this.onEnd(overflowed);
    this.waiting?.({ done: true, value: undefined });
    this.waiting = undefined;
  }

  next(): Promise<IteratorResult<{ changed: Change }>> {
    const change = this.queue.shift();
    if (change) return Promise.resolve({ done: false, value: { changed: change } });
    if (this.done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<{ changed: Change }>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private push(change: Change): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ done: false, value: { changed: change } });
      return;
    }
    if (this.queue.length >= this.queueLimit) return this.end(true);
    this.queue.push(change);
  }
}

/**
 * A tag's type, its entity id (decoded; undefined for a list or a type tag) and the dataset a list is narrowed to
 * (`ModelRun:list:dataset=7`). The inverse of cache/tags.ts entityTag / collectionTag.
 */
export function parseTag(tag: string): { type: string; id: string | undefined; dataset: number | undefined } {
  const colon = tag.indexOf(':');
  if (colon === -1) return { type: tag, id: undefined, dataset: undefined };
  const type = tag.slice(0, colon);
  const rest = tag.slice(colon + 1);
  if (rest === 'list' || rest.startsWith('list:')) {
    const match = /(?:^|[:,])dataset=(\d+)(?:,|$)/.exec(rest.slice(4));
    return { type, id: undefined, dataset: match ? Number(match[1]) : undefined };
  }
  return { type, id: safeDecode(rest), dataset: undefined };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
