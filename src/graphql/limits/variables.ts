// Limits on the variables of a request, checked before anything walks them: the response cache's key builder, the
// cost walk, graphql-js's coercion and the NUL check all take variables from the client, and some of them recurse.
// A 6 KB body can nest an array 3,000 deep, which overflowed the stack of a recursive walk (a 500); a body can also
// carry tens of thousands of variables no operation declares, each of them copied and hashed, or a list of 10,000
// invalid items, each of which became an error. Measured here once,
// iteratively, with early exits, and refused with 400 QUERY_TOO_COMPLEX naming the limit.
import type { GraphQLError } from 'graphql';
import { tooComplex } from './errors.js';

/** Deepest nesting of arrays and objects in one variable's value (a dataset row is 1-2 deep). */
export const MAX_VARIABLE_DEPTH = 32;
/** Variables in one request: an operation declares a handful; more than this is not a real client. */
export const MAX_VARIABLES = 256;
/**
 * Items in one list anywhere in the variables: twice the largest list argument (1,000: appendDatasetRows rows,
 * updateCoefficients changes), so that a list just over an argument's limit still gets the resolver's precise error
 * naming the argument. Longer lists are refused before coercion, which makes one error per invalid item
 * (graphql-query-complexity's coercion has no cap: 10,000 invalid items cost a second of CPU).
 */
export const MAX_LIST_ITEMS = 2_000;

/** The first limit `variables` exceed, as the error to answer with; undefined when within every limit. */
export function variablesViolation(variables: unknown): GraphQLError | undefined {
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) return undefined;
  let count = 0;
  for (const _key in variables) {
    count += 1;
    if (count > MAX_VARIABLES) return tooComplex('variable count', countKeys(variables), MAX_VARIABLES);
  }
  // Depth-first with an explicit stack of (value, depth): no recursion, and it stops at the first value too deep.
  const stack: Array<[unknown, number]> = [];
  for (const value of Object.values(variables)) stack.push([value, 1]);
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_VARIABLE_DEPTH) return tooComplex('variable nesting depth', depth, MAX_VARIABLE_DEPTH, `more than ${MAX_VARIABLE_DEPTH}`);
    if (Array.isArray(value)) {
      if (value.length > MAX_LIST_ITEMS) return tooComplex('variable list length', value.length, MAX_LIST_ITEMS);
      for (const item of value) stack.push([item, depth + 1]);
    }
    else for (const item of Object.values(value)) stack.push([item, depth + 1]);
  }
  return undefined;
}

function countKeys(value: object): number {
  return Object.keys(value).length;
}
