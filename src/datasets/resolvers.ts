// The datasets domain's part of the graph. Reads go through ctx.loaders; writes through ctx.repos, then invalidate.
// Dataset.modelRuns belongs to the models domain.
import { collectionTag, entityTag } from '../cache/index.js';
import type { ColumnSpec, DatasetRow } from '../db/tables.js';
import type { Resolvers } from '../generated/graphql.js';
import { boundedInt, pageSize, parseId } from '../common/args.js';
import { badInput, notFound, showValue } from '../common/errors.js';
import { connectionResolvers } from '../common/pagination.js';
import { decodeDatasetCursor, ORDERS, type DatasetOrder } from './ordering.js';
import { assessQuality } from './quality.js';
import { LIMITS, optionalFilter, parseAppendedRows, parseDatasetUpdate } from './validation.js';
import type { DatasetsContext } from './context.js';

const MAX_SAMPLE = 100;
const MAX_TOP = 100;

export const datasetResolvers: Resolvers<DatasetsContext> = {
  Query: {
    dataset: (_root, { id }, ctx) => ctx.loaders.datasets.byId.load(parseId(id, 'id')),

    datasets: (_root, args, ctx) => {
      const order = parseOrder(args.orderBy);
      return ctx.loaders.datasets.page({
        order,
        first: pageSize(args.first),
        after: args.after == null ? undefined : decodeDatasetCursor(args.after, order),
        category: optionalFilter(args.category, 'category', LIMITS.category),
        search: optionalFilter(args.search, 'search', LIMITS.search),
      });
    },

    topUpdatedDatasets: (_root, { limit }, ctx) =>
      ctx.loaders.datasets.topUpdated(boundedInt(limit, 'limit', 1, MAX_TOP, 10)),

    categories: (_root, _args, ctx) => ctx.loaders.datasets.categories(),
  },

  Mutation: {
    updateDataset: async (_root, { id, input }, ctx) => {
      const datasetId = parseId(id, 'id');
      const changes = parseDatasetUpdate(input);
      await requireVisible(ctx, datasetId, id);
      const row = await ctx.repos.datasets.update(datasetId, changes);
      if (!row) throw notFound('Dataset', id);
      // A rename or recategorization can move the dataset in or out of any list, so every list goes too.
      await afterWrite(ctx, row, [entityTag('Dataset', datasetId), collectionTag('Dataset')]);
      return row;
    },

    appendDatasetRows: async (_root, { id, rows }, ctx) => {
      const datasetId = parseId(id, 'id');
      const parsed = parseAppendedRows(rows);
      await requireVisible(ctx, datasetId, id);
      const row = await ctx.repos.datasets.appendRows(datasetId, parsed);
      if (!row) throw notFound('Dataset', id);
      // rowCount and updatedAt changed too, which reorders UPDATED_AT_DESC and ROW_COUNT_DESC lists.
      await afterWrite(ctx, row, [
        entityTag('Dataset', datasetId),
        entityTag('DatasetRows', datasetId),
        collectionTag('Dataset'),
      ]);
      return row;
    },
  },

  Dataset: {
    columns: (row) => columnsOf(row),
    rowCount: (row) => row.row_count,
    createdAt: (row) => row.created_at,
    updatedAt: (row) => row.updated_at,

    sample: (row, { size }, ctx) => {
      const count = boundedInt(size, 'size', 1, MAX_SAMPLE, 10);
      return ctx.fieldCache.resolve('Dataset.sample', { id: row.id, size: count }, async () => {
        const stored = await ctx.loaders.datasets.rows.load(row.id);
        return stored.slice(0, count).map((data) => inColumnOrder(data, columnsOf(row)));
      });
    },

    // Columns never change after a dataset is created, so the rows (tag DatasetRows:<id>) decide the value.
    quality: (row, _args, ctx) =>
      ctx.fieldCache.resolve('Dataset.quality', { id: row.id }, async () =>
        assessQuality(columnsOf(row), await ctx.loaders.datasets.rows.load(row.id)),
      ),
  },

  DatasetConnection: connectionResolvers<DatasetRow>(),
};

function parseOrder(value: DatasetOrder | null | undefined): DatasetOrder {
  const order = value ?? 'NAME';
  // GraphQL already rejects unknown enum values; this guards the map lookup should the enum and ORDERS drift apart.
  if (!(order in ORDERS)) throw badInput(`"orderBy" must be one of ${Object.keys(ORDERS).join(', ')}, got ${showValue(order)}`, 'orderBy');
  return order;
}

function columnsOf(row: DatasetRow): ColumnSpec[] {
  return row.columns as ColumnSpec[];
}

/** jsonb stores keys in its own order; a sample reads better in the dataset's column order. */
function inColumnOrder(data: Record<string, unknown>, columns: readonly ColumnSpec[]): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const column of columns) if (Object.hasOwn(data, column.name)) ordered[column.name] = data[column.name];
  return ordered;
}

/** A dataset the caller may not see is one that does not exist: the same NOT_FOUND, before anything is written. */
async function requireVisible(ctx: DatasetsContext, datasetId: number, id: string): Promise<void> {
  if (ctx.visibility.all) return;
  if (!(await ctx.loaders.datasets.byId.load(datasetId))) throw notFound('Dataset', id);
}

/** After commit: invalidate what the write changed, then make this request's loaders see the written row. */
async function afterWrite(ctx: DatasetsContext, row: DatasetRow, tags: string[]): Promise<void> {
  await ctx.invalidate(tags);
  ctx.loaders.datasets.afterWrite(row);
}
