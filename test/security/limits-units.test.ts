// The pieces of the hardening layer on their own: document measurement, cost, token buckets, suggestion removal,
// fault classification and the admin check. The HTTP behaviour is tested in bad-input.test.ts and
// test/integration/limits*.test.ts.
import { getIntrospectionQuery, parse, print } from 'graphql';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { assertBeforeDeadline, DeadlineExceededError, runWithDeadline } from '../../src/db/deadline.js';
import { isAdminAuthorization } from '../../src/graphql/admin.js';
import { infrastructureFault } from '../../src/graphql/faults.js';
import {
  checkDocumentText,
  countTokens,
  measureDocument,
  operationCost,
  requestedSize,
  withoutSuggestions,
  type OperationLimits,
} from '../../src/graphql/limits/index.js';
import { documentHasNul, nulInVariables } from '../../src/graphql/limits/strings.js';
import { MAX_VARIABLES, variablesInJsonViolation, variablesViolation } from '../../src/graphql/limits/variables.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';
import { TokenBuckets } from '../../src/http/rate-limit.js';

const LIMITS: OperationLimits = { maxDepth: 8, maxAliases: 30, maxDirectives: 50, maxDirectivesPerField: 5, maxTokens: 2000, maxCost: 10_000 };
// The cost library is loaded by Node (graphql's CommonJS build) while this file is bundled by vitest (graphql's
// ESM build); in the server both are Apollo's copy. Build the schema and documents with the library's copy.
const graphqlCjs = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const schema = graphqlCjs.buildSchema(print(loadTypeDefs()));
const cost = (query: string, variables: Record<string, unknown> = {}) =>
  operationCost({ schema, document: graphqlCjs.parse(query), variables, operationName: undefined, maxNodes: 50_000 });

describe('measureDocument', () => {
  it('measures depth, fields, aliases and directives with fragments expanded', () => {
    const shape = measureDocument(
      parse(`
        query { ...Q a: health @include(if: true) { ok } }
        fragment Q on Query { health { database { name } } b: health { ok @skip(if: false) @include(if: true) } }
      `),
    );
    expect(shape).toEqual({ depth: 3, fields: 7, aliases: 2, directives: 3, directivesOnOneNode: 2, introspection: false });
  });

  it('multiplies a fragment by the number of times it is spread, without expanding it', () => {
    let query = 'query { ...F0 }\n';
    for (let i = 0; i < 60; i++) query += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
    query += 'fragment F60 on Query { health { ok } }';
    // 2^61 fields: a walk that expanded them would never finish (no wall-clock bound needed to tell).
    const shape = measureDocument(parse(query));
    expect(shape.fields).toBe(2 ** 60 * 2);
  });

  it('reports a fragment cycle with its path instead of looping', () => {
    expect(() => measureDocument(parse('{ ...A } fragment A on Query { ...B } fragment B on Query { health { ok } ...A }'))).toThrow(
      'Fragment cycle: A -> B -> A',
    );
  });

  it('leaves the depth of introspection aside but flags it', () => {
    const shape = measureDocument(parse(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true })));
    expect(shape.depth).toBe(0);
    expect(shape.introspection).toBe(true);
  });

  it('measures unused fragments too (validation walks them)', () => {
    expect(measureDocument(parse(`{ health { ok } } fragment U on Query { ${'health { database { name } } '.repeat(3)} }`)).fields).toBe(9);
  });
});

describe('checkDocumentText', () => {
  it('accepts a dashboard query and names the limit, value and bound of a rejection', () => {
    expect(checkDocumentText('{ datasets(first: 20) { nodes { id name } } }', LIMITS)).toBeUndefined();
    const error = checkDocumentText(`{ ${'a { '.repeat(9)}b${' }'.repeat(9)} }`, LIMITS)!;
    expect(error.message).toBe('Operation depth is 10; the limit is 8.');
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 8, actual: 10 });
  });

  it('counts tokens like the parser (comments and commas are not tokens) and stops counting far past the limit', () => {
    expect(countTokens('{ a, b # comment\n c }', 100)).toBe(5);
    expect(countTokens('a '.repeat(1000), 10)).toBe(10);
    expect(countTokens('"unterminated', 10)).toBeUndefined();
    expect(checkDocumentText(`{ ${'a '.repeat(2500)}}`, LIMITS)!.message).toBe('Operation token count is 2502; the limit is 2000.');
  });

  it('leaves syntax errors to the parser', () => {
    expect(checkDocumentText('{ health {', LIMITS)).toBeUndefined();
  });
});

describe('cost', () => {
  it('multiplies children by first/limit/top/topN/size and by the length of ids and pairs', () => {
    expect(requestedSize({ first: 20 })).toBe(20);
    expect(requestedSize({ ids: ['1', '2', '3'] })).toBe(3);
    expect(requestedSize({ first: -4 })).toBe(1);
    expect(requestedSize({ after: 'x' })).toBeUndefined();
    // datasets(first: 10): 1 + 10 x (nodes 1 + id 1 + name 1) = 31
    expect(cost('{ datasets(first: 10) { nodes { id name } } }')).toBe(31);
    // defaults count: first defaults to 20
    expect(cost('{ datasets { nodes { id } } }')).toBe(1 + 20 * 2);
    expect(cost('query($n: Int) { datasets(first: $n) { nodes { id } } }', { n: 50 })).toBe(1 + 50 * 2);
    // a sized list of scalars still produces `size` values; quality is weighted
    expect(cost('{ dataset(id: "1") { sample(size: 100) quality { score } } }')).toBe(1 + 1 + 100 + 10 + 1);
    expect(cost('query($ids: [ID!]!) { compareModels(ids: $ids) { runs { id } } }', { ids: ['1', '2', '3', '4'] })).toBe(5 + 4 * 2);
  });

  it('skips fields excluded by @skip/@include and leaves bad variables to execution', () => {
    expect(cost('{ health { ok } datasets(first: 100) @skip(if: true) { nodes { id } } }')).toBe(2);
    expect(cost('query($n: Int) { datasets(first: $n) { nodes { id } } }', { n: 'ten' })).toBeUndefined();
  });
});

describe('the variable count, read from the JSON text before parsing', () => {
  const bodyWith = (count: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ query: '{ health { ok } }', ...extra, variables: Object.fromEntries(Array.from({ length: count }, (_, i) => [`v${i}`, { nested: { a: 1, b: [1, { c: 2 }] } }])) });

  it('agrees with the count of the parsed object at and past the limit', () => {
    for (const count of [0, 1, MAX_VARIABLES, MAX_VARIABLES + 1, 50_000]) {
      const text = bodyWith(count);
      const expected = variablesViolation(JSON.parse(text).variables)?.extensions.code;
      expect(variablesInJsonViolation(text)?.extensions.code, `${count} variables`).toBe(expected);
      expect(expected, `${count} variables`).toBe(count > MAX_VARIABLES ? 'QUERY_TOO_COMPLEX' : undefined);
    }
    expect(variablesInJsonViolation(bodyWith(MAX_VARIABLES + 1))?.extensions).toMatchObject({ limit: 'variable count', max: MAX_VARIABLES });
  });

  it('counts only the members of the top-level "variables" object', () => {
    const many = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i]));
    // Colons inside strings, in nested values, in other top-level keys, and quotes escaped inside strings.
    const tricky = JSON.stringify({
      query: `query { ${'a: health { ok } '.repeat(400)} }`,
      extensions: many,
      operationName: 'x\":{"a":1,"b":2}',
      variables: { rows: [many], one: many, s: ':'.repeat(5_000), 'q\"k:': '"":""' },
    });
    expect(variablesInJsonViolation(tricky)).toBeUndefined();
    expect(variablesInJsonViolation(JSON.stringify({ variables: { a: 1 }, query: '', other: many }))).toBeUndefined();
    // A key spelled with escapes is still "variables" (JSON.parse reads it so).
    const escaped = bodyWith(MAX_VARIABLES + 1).replace('"variables"', '"\\u0076ariables"');
    expect(JSON.parse(escaped).variables).toBeDefined();
    expect(variablesInJsonViolation(escaped)?.extensions.code).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('TokenBuckets', () => {
  it('allows a burst, then refills at the per-minute rate, and says when to retry', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perMinute: 60, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    const refused = buckets.take('a');
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterMs).toBe(1000);
    expect(buckets.take('b').allowed).toBe(true);
    now += 1000;
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('forgets clients whose bucket has refilled, and holds at most maxClients', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perMinute: 60, burst: 2, maxClients: 100, now: () => now });
    for (let i = 0; i < 500; i++) buckets.take(`client-${i}`);
    expect(buckets.size).toBeLessThanOrEqual(100);
    now += 60_000;
    buckets.take('late');
    expect(buckets.size).toBe(1);
  });
});

describe('withoutSuggestions', () => {
  it('removes every form of graphql-js hint', () => {
    expect(withoutSuggestions('Cannot query field "healht" on type "Query". Did you mean "health"?')).toBe('Cannot query field "healht" on type "Query".');
    expect(withoutSuggestions('Unknown argument "frist" on field "Query.datasets". Did you mean "first"?')).toBe('Unknown argument "frist" on field "Query.datasets".');
    expect(
      withoutSuggestions('Variable "$m" got invalid value "ACURACY"; Value "ACURACY" does not exist in "Metric" enum. Did you mean the enum value "ACCURACY"?'),
    ).toBe('Variable "$m" got invalid value "ACURACY"; Value "ACURACY" does not exist in "Metric" enum.');
    expect(withoutSuggestions('Unknown type "Datset". Did you mean "Dataset", "DatasetEdge", or "DatasetOrder"?')).toBe('Unknown type "Datset".');
  });
});

describe('NUL in strings', () => {
  it('finds NUL in variable values and keys at any depth, and in string literals', () => {
    expect(nulInVariables({ a: [{ b: 'ok' }, { c: 'x\0' }] })).toBe('$a[1].c');
    expect(nulInVariables({ a: { 'k\0': 1 } })).toBe('$a');
    expect(nulInVariables({ a: 'fine', b: [1, null, true] })).toBeUndefined();
    expect(documentHasNul(parse('{ ioModel(name: "a\\u0000") { name } }'))).toBe(true);
    expect(documentHasNul(parse('{ ioModel(name: "a") { name } }'))).toBe(false);
  });
});

describe('infrastructureFault', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
  it('tells database unavailability and statement timeouts from bugs, through causes', () => {
    expect(infrastructureFault(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))?.code).toBe('SERVICE_UNAVAILABLE');
    expect(infrastructureFault(new Error('timeout exceeded when trying to connect'))?.code).toBe('SERVICE_UNAVAILABLE');
    expect(infrastructureFault(withCode('terminating connection due to administrator command', '57P01'))?.code).toBe('SERVICE_UNAVAILABLE');
    expect(infrastructureFault(withCode('canceling statement due to statement timeout', '57014'))?.code).toBe('TIMEOUT');
    expect(infrastructureFault(new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') }))?.code).toBe('SERVICE_UNAVAILABLE');
    expect(infrastructureFault(withCode('relation "x" does not exist', '42P01'))).toBeUndefined();
    expect(infrastructureFault(new TypeError('undefined is not a function'))).toBeUndefined();
  });
});

describe('isAdminAuthorization', () => {
  const token = 'a-long-enough-admin-token';
  it('accepts only `Bearer <ADMIN_TOKEN>`, and nobody when no token is configured', () => {
    expect(isAdminAuthorization(`Bearer ${token}`, token)).toBe(true);
    expect(isAdminAuthorization(`bearer ${token}`, token)).toBe(true);
    expect(isAdminAuthorization(`Bearer ${token}x`, token)).toBe(false);
    expect(isAdminAuthorization(`Basic ${token}`, token)).toBe(false);
    expect(isAdminAuthorization(token, token)).toBe(false);
    expect(isAdminAuthorization('Bearer ', token)).toBe(false);
    expect(isAdminAuthorization(undefined, token)).toBe(false);
    expect(isAdminAuthorization(`Bearer ${token}`, undefined)).toBe(false);
  });
});

describe('operation deadline', () => {
  it('refuses statements once the deadline of the operation that starts them has passed, and only then', async () => {
    expect(() => assertBeforeDeadline()).not.toThrow();
    await runWithDeadline(Date.now() + 60_000, async () => {
      await Promise.resolve();
      expect(() => assertBeforeDeadline()).not.toThrow();
    });
    await runWithDeadline(Date.now() + 20, async () => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      // The context follows the operation through timers and promises, as DataLoader batches do.
      expect(() => assertBeforeDeadline()).toThrow(DeadlineExceededError);
    });
    expect(infrastructureFault(new DeadlineExceededError())?.code).toBe('TIMEOUT');
  });
});
