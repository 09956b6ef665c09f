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
  // for...in stops at the limit, though V8 lists every key first; the HTTP layer refuses such bodies before they are
  // parsed (variablesInJson below), so this only meets the other paths' smaller objects.
  let count = 0;
  for (const _key in variables) {
    count += 1;
    if (count > MAX_VARIABLES) return tooManyVariables();
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

function tooManyVariables(): GraphQLError {
  return tooComplex('variable count', MAX_VARIABLES + 1, MAX_VARIABLES, `more than ${MAX_VARIABLES}`);
}

/**
 * The variable-count limit checked on the JSON text of a request body, before it is parsed: the refusal, or
 * undefined. Parsing is the expensive part of such a body (JSON.parse of 50,000 variables, a 700 KB body, takes about
 * 30 ms of CPU and a walk of the keys as much again), and JSON.parse cannot stop early, so one pass over the
 * characters counts the members of the top-level `"variables"` object (a member is the one `:` outside strings at
 * that object's depth) and stops at the first past the limit. Malformed JSON gets an arbitrary count here and its
 * own refusal from the parser.
 */
export function variablesInJsonViolation(text: string): GraphQLError | undefined {
  let depth = 0;
  /** Where the last string that started at depth 1 began and ended (a key of the top-level object, once a `:` follows). */
  let keyStart = -1;
  let keyEnd = -1;
  let topKey = '';
  /** Counting the members of the `variables` object (depth 2). */
  let counting = false;
  let members = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      if (depth === 1) {
        keyStart = start;
        keyEnd = i;
      }
    } else if (c === 0x3a /* : */) {
      if (depth === 1 && keyStart >= 0) topKey = keyText(text, keyStart, keyEnd);
      else if (counting && depth === 2 && ++members > MAX_VARIABLES) return tooManyVariables();
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth += 1;
      if (depth === 2 && c === 0x7b && topKey === 'variables') counting = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth -= 1;
      if (depth < 2) counting = false;
    }
  }
  return undefined;
}

/** A key's text without its quotes; one with escapes (`"\u0076ariables"` is `variables` too) is decoded. */
function keyText(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return raw;
  }
}
