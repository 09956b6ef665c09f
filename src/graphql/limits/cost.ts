// The cost of an operation: roughly how many values it can make the server produce. Every field costs 1 (a few
// expensive fields more); a field whose size is set by an argument (`first`, `limit`, `top`, `topN`, `size`, or the
// number of `ids`/`pairs` asked for) multiplies the cost of what it selects by that size. The walk is
// graphql-query-complexity's; this module only says what a field costs.
import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { createRequire } from 'node:module';

// The copy of graphql the cost library (and Apollo) load: under vitest this module's own `graphql` import may be
// another copy, whose type checks (instanceof) would not recognise the schema's types.
const { getVariableValues } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** Arguments whose value is the number of items a field returns. */
const SIZE_ARGUMENTS = ['first', 'limit', 'top', 'topN', 'size'] as const;
/** Arguments whose length is the number of items a field returns. */
const LIST_ARGUMENTS = ['ids', 'pairs'] as const;

/**
 * Fields that do much more work than reading a row, by schema coordinate. They are computed from many rows
 * (quality reads every row of a dataset; an assessment solves a Leontief system; comparisons and rankings scan
 * runs). Their results are cached, but the first computation is what an attacker would aim at.
 */
export const EXPENSIVE_FIELDS: Readonly<Record<string, number>> = {
  'Dataset.quality': 10,
  'Query.assessment': 10,
  'Query.assessments': 10,
  'Query.compareModels': 5,
  'Query.modelRanking': 5,
};

/** How many items `args` ask a field for, or undefined when the field is not sized by its arguments. */
export function requestedSize(args: Record<string, unknown>): number | undefined {
  let size: number | undefined;
  for (const name of SIZE_ARGUMENTS) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, value);
  }
  for (const name of LIST_ARGUMENTS) {
    const value = args[name];
    if (Array.isArray(value)) size = Math.max(size ?? 0, value.length);
  }
  // A size below 1 is rejected by the resolver; for cost it still asks for at least one item.
  return size === undefined ? undefined : Math.max(1, size);
}

export const beaconEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const own = EXPENSIVE_FIELDS[`${type.name}.${field.name}`] ?? 1;
  const size = requestedSize(args);
  // A sized list of scalars (a sample's rows) still produces `size` values.
  return size === undefined ? own + childComplexity : own + size * Math.max(childComplexity, 1);
};

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
  /** Bound on the selections the walk may visit (the shape check has already bounded the expansion). */
  maxNodes: number;
}

/**
 * The cost of the operation, or undefined when it cannot be computed because the variables do not fit the
 * operation: execution rejects those with a precise message before any resolver runs.
 */
export function operationCost(input: CostInput): number | undefined {
  // graphql-query-complexity coerces the variables with no cap on errors: each invalid list item (up to the 2,000 that
  // limits/variables.ts lets through) becomes an error (2,000 invalid items took about 45 ms of CPU even without stack
  // traces). So the variables are coerced here first, stopping at the first error: variables that do not fit are left
  // to execution, which reports them with graphql-js's cap of 50 errors. Errors built here are discarded, so they are
  // built without stacks. The calls are synchronous: nothing else runs while the limit is lowered.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const operation = operationOf(input.document, input.operationName);
    if (!operation) return undefined;
    const coerced = getVariableValues(input.schema, operation.variableDefinitions ?? [], input.variables ?? {}, { maxErrors: 1 });
    if (coerced.errors) return undefined;
    return getComplexity({
      schema: input.schema,
      query: input.document,
      variables: input.variables ?? {},
      operationName: input.operationName,
      estimators: [beaconEstimator],
      maxQueryNodes: input.maxNodes,
    });
  } catch (error) {
    // By name, not instanceof: under a bundler (vitest) the library and this module may load different copies of
    // graphql (its CommonJS and ESM builds), and a GraphQLError of one is not an instance of the other's class.
    if (!(error instanceof Error) || error.name !== 'GraphQLError') throw error;
    if (/maximum allowed number of nodes/.test(error.message)) return Number.POSITIVE_INFINITY;
    return undefined;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** The operation `operationName` names (or the only one); undefined when there is none such, which validation reports. */
function operationOf(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  let found: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName === undefined ? found !== undefined : definition.name?.value !== operationName) {
      if (operationName === undefined) return undefined;
      continue;
    }
    found = definition;
  }
  return found;
}
