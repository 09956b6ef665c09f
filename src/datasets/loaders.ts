// Per-request DataLoaders: the one door to dataset data. Each load records the tag of what it loads; list reads also
// record the collection tag, because any dataset change may reorder or refilter a list.
import DataLoader from 'dataloader';
import { PUBLIC_ONLY, type Visibility } from '../auth/principal.js';
import { collectionTag, entityTag, trackedLoader, type DependencyRecorder } from '../cache/index.js';
import type { DatasetRow } from '../db/tables.js';
import { byKey, groupByKey } from '../common/batch.js';
import { toPage, type Page } from '../common/pagination.js';
import { encodeDatasetCursor, type DatasetOrder, type KeysetPosition } from './ordering.js';
import type { CategoryCount, DatasetFilter, DatasetRepository, PositionedDataset } from './repository.js';

export interface DatasetPageArgs extends DatasetFilter {
  order: DatasetOrder;
  after?: KeysetPosition;
  first: number;
}

export type StoredRowData = Record<string, unknown>;

/** `visibility`: the caller's; a dataset it may not see reads as missing (null by id, absent from lists and counts). */
export function createDatasetLoaders(repo: DatasetRepository, deps: DependencyRecorder, visibility: Visibility = PUBLIC_ONLY) {
  const byIdLoader = new DataLoader<number, DatasetRow | null>(async (ids) =>
    byKey(ids, await repo.findByIds(ids, visibility), (row) => row.id),
  );
  const rowsLoader = new DataLoader<number, StoredRowData[]>(async (ids) =>
    groupByKey(ids, await repo.rowsOf(ids), (row) => row.datasetId).map((group) => group.map((row) => row.data)),
  );
  // Lists cannot be batched into one statement, but memoizing them still makes a list asked twice in one request
  // (under two aliases, say) one statement.
  const pages = memoized((args: DatasetPageArgs) => repo.page({ ...args, visibility, limit: args.first + 1 }), pageKey);
  const counts = memoized((filter: DatasetFilter) => repo.count({ ...filter, visibility }), (f) => JSON.stringify([f.category, f.search]));
  const topUpdated = memoized((limit: number) => repo.topUpdated(limit, visibility), String);
  // DataLoader refuses null keys, so the one key of this argument-less list is a constant.
  const categories = memoized<'all', CategoryCount[]>(() => repo.categories(visibility), (key) => key);

  /** Records the entity tag of a row read through a list, and primes byId so that no field loads it again. */
  const remember = (row: DatasetRow) => {
    deps.add(entityTag('Dataset', row.id));
    byIdLoader.prime(row.id, row);
  };

  return {
    /** A dataset by id; null when it does not exist. Tag: Dataset:<id>. */
    byId: trackedLoader(byIdLoader, (id) => entityTag('Dataset', id), deps),

    /** Every stored row of a dataset, in row order, one statement per batch. Tag: DatasetRows:<id>. */
    rows: trackedLoader(rowsLoader, (id) => entityTag('DatasetRows', id), deps),

    /** One page of the datasets connection; totalCount is counted only if asked for. */
    async page(args: DatasetPageArgs): Promise<Page<DatasetRow>> {
      deps.add(collectionTag('Dataset'));
      const positioned: PositionedDataset[] = await pages.load(args);
      // Only the rows shown: the look-ahead row only decides hasNextPage, which the collection tag already covers.
      positioned.slice(0, args.first).forEach(({ row }) => remember(row));
      // Keyed by the row objects themselves: the page's nodes are exactly these objects.
      const cursors = new Map(positioned.map(({ row, position }) => [row, encodeDatasetCursor(args.order, position)]));
      return toPage(
        positioned.map(({ row }) => row),
        args.first,
        (row) => cursors.get(row)!,
        () => counts.load({ category: args.category, search: args.search }),
      );
    },

    /** The most recently updated datasets, newest first. */
    async topUpdated(limit: number): Promise<DatasetRow[]> {
      deps.add(collectionTag('Dataset'));
      const rows = await topUpdated.load(limit);
      rows.forEach(remember);
      return rows;
    },

    /** Every category in use with its dataset count, alphabetically. */
    categories(): Promise<CategoryCount[]> {
      deps.add(collectionTag('Dataset'));
      return categories.load('all');
    },

    /**
     * Forgets what this request read before a write and keeps the written row, so that fields resolved after a
     * mutation (sample, quality, the row itself) see the write, never this request's earlier reads.
     */
    afterWrite(row: DatasetRow): void {
      byIdLoader.clear(row.id).prime(row.id, row);
      rowsLoader.clear(row.id);
      for (const list of [pages, counts, topUpdated, categories]) list.clearAll();
    },
  };
}

export type DatasetLoaders = ReturnType<typeof createDatasetLoaders>;

/** A per-request memo of a single-key read: each distinct key is read once, concurrent calls share the read. */
function memoized<K, V>(read: (key: K) => Promise<V>, keyOf: (key: K) => string): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>((keys) => Promise.all(keys.map(read)), { batch: false, cacheKeyFn: keyOf });
}

function pageKey(args: DatasetPageArgs): string {
  return JSON.stringify([args.order, args.category, args.search, args.after?.value, args.after?.id, args.first]);
}
