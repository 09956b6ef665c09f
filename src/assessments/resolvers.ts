// Resolvers of the assessments domain. Reads go through ctx.loaders only; the one write goes through the repository
// in a transaction and invalidates the model's tag after it commits.
import { GraphQLError } from 'graphql';
import type { IoModelRow } from '../db/tables.js';
import type { CountrySectorInput, Resolvers } from '../generated/graphql.js';
import { boundedInt } from '../common/args.js';
import { badInput, notFound, showValue } from '../common/errors.js';
import { assess, MAX_SUPPLIERS } from './assessment.js';
import type { ColumnTicket } from './column-batch.js';
import { IO_MODEL, modelWriteTags } from './loaders.js';
import { NonProductiveColumnError, type IndexedChange } from './repository.js';
import type { AssessmentResult, IoTable } from './types.js';
import type { AssessmentsContext } from './context.js';

export const MAX_PAIRS = 100;
export const MAX_CHANGES = 1_000;

/** The labels of a model: a model row (validation) or a loaded table (computation) both have them. */
interface Labels {
  name: string;
  countries: readonly string[];
  sectorCodes: readonly string[];
}

const labelsOfRow = (row: IoModelRow): Labels => ({
  name: row.name,
  countries: row.countries,
  sectorCodes: row.sector_codes,
});
const labelsOfTable = (table: IoTable): Labels => ({
  name: table.model,
  countries: table.countries,
  sectorCodes: table.sectorCodes,
});

function modelNotFound(name: string): GraphQLError {
  // A name is echoed back, but never a huge one whole.
  const error = notFound(IO_MODEL, name.length > 100 ? `${name.slice(0, 100)}…` : name);
  return new GraphQLError(`${error.message}; \`{ ioModels { name } }\` lists the models`, { extensions: error.extensions });
}

/**
 * Index (countryIndex * sectorCount + sectorIndex) of a country-sector, or BAD_USER_INPUT naming the unknown value,
 * the argument it came in, and the query that lists the valid ones.
 */
function indexIn(labels: Labels, pair: CountrySectorInput, argument: string): number {
  const argumentOf = (field: string) => (argument ? `${argument}.${field}` : field);
  const countryIndex = labels.countries.indexOf(pair.country);
  if (countryIndex < 0) {
    throw badInput(
      `"${argumentOf('country')}": model ${JSON.stringify(labels.name)} has no country ${showValue(pair.country)} ` +
        `(it has ${labels.countries.length}: ${sample(labels.countries)}); ` +
        `\`{ ioModel(name: ${JSON.stringify(labels.name)}) { countries } }\` lists them`,
      argumentOf('country'),
    );
  }
  const sectorIndex = labels.sectorCodes.indexOf(pair.sector);
  if (sectorIndex < 0) {
    throw badInput(
      `"${argumentOf('sector')}": model ${JSON.stringify(labels.name)} has no sector ${showValue(pair.sector)} ` +
        `(it has ${labels.sectorCodes.length}: ${sample(labels.sectorCodes)}); ` +
        `\`{ ioModel(name: ${JSON.stringify(labels.name)}) { sectors { code name } } }\` lists them`,
      argumentOf('sector'),
    );
  }
  return countryIndex * labels.sectorCodes.length + sectorIndex;
}

function sample(values: readonly string[], max = 8): string {
  return values.length <= max ? values.join(', ') : `${values.slice(0, max).join(', ')}, …`;
}

function label(labels: Labels, index: number): string {
  const sectors = labels.sectorCodes.length;
  return `${labels.countries[Math.floor(index / sectors)]}_${labels.sectorCodes[index % sectors]}`;
}

async function requireModel(ctx: AssessmentsContext, name: string): Promise<IoModelRow> {
  const row = await ctx.loaders.assessments.modelByName.load(name);
  if (!row) throw modelNotFound(name);
  return row;
}

async function requireTable(ctx: AssessmentsContext, name: string): Promise<IoTable> {
  const table = await ctx.loaders.assessments.tableByName.load(name);
  if (!table) throw modelNotFound(name);
  return table;
}

/**
 * One assessment through the field cache. The arguments were validated against the model row; the computation
 * loads the table (recording the model's tag as the entry's dependency) and indexes it by the table's own labels,
 * read in the same statement as its coefficients.
 */
function assessment(
  ctx: AssessmentsContext,
  model: string,
  pair: CountrySectorInput,
  argument: string,
  ticket?: ColumnTicket,
): Promise<AssessmentResult> {
  const { country, sector } = pair;
  const result = ctx.fieldCache.resolve('assessment', { model, country, sector }, async () => {
    const table = await requireTable(ctx, model);
    const col = indexIn(labelsOfTable(table), pair, argument);
    const column = ctx.loaders.assessments.leontiefColumns.load(table, col);
    ticket?.settle();
    return assess(table, col, await column);
  });
  // A hit, or an error before the column was asked: this pair asks for none.
  if (ticket) void result.then(ticket.settle, ticket.settle);
  return result;
}

export const assessmentResolvers: Resolvers<AssessmentsContext> = {
  Query: {
    ioModels: (_parent, _args, ctx) => ctx.loaders.assessments.allModels(),

    ioModel: (_parent, { name }, ctx) => ctx.loaders.assessments.modelByName.load(name),

    async assessment(_parent, { model, country, sector }, ctx) {
      const row = await requireModel(ctx, model);
      indexIn(labelsOfRow(row), { country, sector }, '');
      return assessment(ctx, model, { country, sector }, '');
    },

    async assessments(_parent, { model, pairs }, ctx) {
      if (pairs.length < 1 || pairs.length > MAX_PAIRS) {
        throw badInput(`"pairs" takes 1 to ${MAX_PAIRS} country-sectors, got ${pairs.length}`, 'pairs');
      }
      const row = await requireModel(ctx, model);
      const labels = labelsOfRow(row);
      // Every pair is checked before any is computed: one bad pair fails the call without wasted work.
      pairs.forEach((pair, k) => indexIn(labels, pair, `pairs[${k}]`));
      // A pair asked twice is computed once; the table (and its LU factorization) is loaded once for all of them.
      // The columns of the cache misses are solved together, once every pair has looked in the cache.
      const distinct = new Set(pairs.map((pair) => JSON.stringify([pair.country, pair.sector])));
      const tickets = ctx.loaders.assessments.leontiefColumns.group(distinct.size);
      const byPair = new Map<string, Promise<AssessmentResult>>();
      return Promise.all(
        pairs.map((pair, k) => {
          const key = JSON.stringify([pair.country, pair.sector]);
          let result = byPair.get(key);
          if (!result) {
            result = assessment(ctx, model, pair, `pairs[${k}]`, tickets[byPair.size]);
            byPair.set(key, result);
          }
          return result;
        }),
      );
    },

    async coefficient(_parent, { model, from, to }, ctx) {
      const table = await requireTable(ctx, model);
      const labels = labelsOfTable(table);
      return table.matrix.get(indexIn(labels, from, 'from'), indexIn(labels, to, 'to'));
    },
  },

  Mutation: {
    async updateCoefficients(_parent, { model, changes }, ctx) {
      if (changes.length < 1 || changes.length > MAX_CHANGES) {
        throw badInput(`"changes" takes 1 to ${MAX_CHANGES} coefficients, got ${changes.length}`, 'changes');
      }
      changes.forEach((change, k) => {
        if (!(Number.isFinite(change.value) && change.value >= 0 && change.value < 1)) {
          const argument = `changes[${k}].value`;
          throw badInput(`"${argument}" must be a number with 0 <= value < 1, got ${showValue(change.value)}`, argument);
        }
      });
      let labels: Labels | undefined;
      let result;
      try {
        result = await ctx.repos.assessments.updateCoefficients(model, (lockedRow) => {
          // Labels are checked against the row locked inside the transaction, so they cannot change underneath.
          const locked = labelsOfRow(lockedRow);
          labels = locked;
          const size = locked.countries.length * locked.sectorCodes.length;
          const seen = new Map<number, number>();
          return changes.map((change, k): IndexedChange => {
            const row = indexIn(locked, change.from, `changes[${k}].from`);
            const col = indexIn(locked, change.to, `changes[${k}].to`);
            const earlier = seen.get(row * size + col);
            if (earlier !== undefined) {
              const argument = `changes[${k}]`;
              throw badInput(`"${argument}" sets the same coefficient as changes[${earlier}]; give each coefficient once`, argument);
            }
            seen.set(row * size + col, k);
            return { row, col, value: change.value };
          });
        });
      } catch (error) {
        if (error instanceof NonProductiveColumnError && labels) {
          throw badInput(
            `the changes would make column ${label(labels, error.col)} sum to ${Number(error.sum.toPrecision(10))}: the inputs per unit of ` +
              `output of a country-sector must sum below 1 (a productive table), so nothing was changed`,
            'changes',
          );
        }
        throw error;
      }
      if (!result) throw modelNotFound(model);
      // After commit, and before the response: no reader can be served an assessment of the old coefficients.
      await ctx.invalidate(modelWriteTags(model, { created: false }));
      return result;
    },
  },

  IoModel: {
    sectors: (row) => row.sector_codes.map((code, k) => ({ code, name: row.sector_names[k] ?? code })),
    updatedAt: (row) => row.updated_at,
  },

  Assessment: {
    topSuppliers: (result, { limit }) => result.suppliers.slice(0, boundedInt(limit, 'limit', 1, MAX_SUPPLIERS, 10)),
  },
};
