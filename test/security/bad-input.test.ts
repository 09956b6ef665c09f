// The bad-input suite: hostile, malformed and merely odd requests through HTTP against a real Beacon on a real
// PostgreSQL. Every case asserts the status, the error code (or that there is no error), that the response leaks
// nothing (no stack, path, SQL, driver or Redis text, suggestion), and that the server still answers afterwards.
// Hostile strings must change nothing in the database: the last test compares its fingerprint before and after.
//
// Statuses follow the GraphQL-over-HTTP spec per response media type (src/http/media-status.ts). `status` in the
// table is the one for a client that accepts application/graphql-response+json, which the first run of the cases
// sends; the second run sends no Accept (so gets application/json, as Apollo Client's and urql's `*/*` do) and
// expects 200 instead of 400 for a request error in a well-formed request, with the same `extensions.code`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';
import {
  databaseFingerprint,
  errorCode,
  expectLive,
  expectNoLeaks,
  JSON_HEADERS,
  originOf,
  post,
  send,
  type RawRequest,
  type RawResponse,
} from './helpers.js';
import { deepArray, HOSTILE } from './hostile.js';

const ADMIN_TOKEN = 'security-suite-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const PREFLIGHT = { 'apollo-require-preflight': 'true' };

interface Case {
  name: string;
  /** Which server: the development-mode one (default) or the production-mode one. */
  app?: 'dev' | 'prod';
  request: RawRequest;
  status: number;
  /** The first error's `extensions.code`, or 'none' for a response with data and no errors. */
  code: string;
  /** Extra checks on the response. */
  check?: (response: RawResponse) => void;
}

const get = (query: string, headers: Record<string, string> = PREFLIGHT, extra = ''): RawRequest => ({
  method: 'GET',
  path: `/graphql?query=${encodeURIComponent(query)}${extra}`,
  headers,
});
const body = (text: string | Buffer, headers: Record<string, string> = JSON_HEADERS): RawRequest => ({ method: 'POST', headers, body: text });
const health = '{ health { ok } }';
const healthBody = JSON.stringify({ query: health });
const nested = (depth: number) => `{ ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }`;
// A real nesting of the schema: datasets -> nodes -> modelRuns -> nodes -> dataset -> modelRuns -> ...
const deepValid = (levels: number) => {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `modelRuns(first: 1) { nodes { dataset { ${inner} } } }`;
  return `{ dataset(id: "1") { ${inner} } }`;
};
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: health { ok }`).join(' ')} }`;
/** Each fragment spreads the next twice at the same level: no depth, only width. */
const wideBomb = (n: number) => {
  let q = 'query { dataset(id: "1") { ...F0 } }\n';
  for (let i = 0; i < n; i++) q += `fragment F${i} on Dataset { ...F${i + 1} ...F${i + 1} name }\n`;
  return `${q}fragment F${n} on Dataset { id }`;
};
const noSuggestion = (response: RawResponse) => expect(response.text).not.toMatch(/Did you mean/);
const search = (value: string) => post('query($s: String) { datasets(first: 5, search: $s) { totalCount nodes { id } } }', { s: value });
const category = (value: string) => post('query($c: String) { datasets(first: 5, category: $c) { totalCount } }', { c: value });
const ioModel = (name: string) => post('query($n: String!) { ioModel(name: $n) { name } }', { n: name });
const datasetById = (id: unknown) => post('query($id: ID!) { dataset(id: $id) { id } }', { id });
const clearCache = (headers: Record<string, string>, value = 'Dataset:1') =>
  post('mutation($v: String) { clearCache(scope: TAG, value: $v) { invalidated } }', { v: value }, headers);

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
/** The spec's request errors of a well-formed request: 200 with `errors` when the response is application/json. */
const REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'OPERATION_RESOLUTION_FAILURE', 'BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']);
const legacyStatus = (c: Case) => (c.status === 400 && REQUEST_ERRORS.has(c.code) && c.request.headers?.accept === undefined ? 200 : c.status);
const CASES: Case[] = [
  // --- Malformed and truncated JSON -------------------------------------------------------------------------------
  { name: 'truncated JSON object', request: body('{"query": "{ health { ok } }"'), status: 400, code: 'BAD_REQUEST' },
  { name: 'JSON cut after a key', request: body('{"query":'), status: 400, code: 'BAD_REQUEST' },
  { name: 'a lone brace', request: body('{'), status: 400, code: 'BAD_REQUEST' },
  { name: 'not JSON at all', request: body('query { health { ok } }'), status: 400, code: 'BAD_REQUEST' },
  { name: 'trailing comma', request: body('{"query": "{ health { ok } }",}'), status: 400, code: 'BAD_REQUEST' },
  { name: 'single-quoted JSON', request: body("{'query': '{ health { ok } }'}"), status: 400, code: 'BAD_REQUEST' },
  { name: 'empty body', request: body(''), status: 400, code: 'BAD_REQUEST' },
  { name: 'JSON null', request: body('null'), status: 400, code: 'BAD_REQUEST' },
  { name: 'JSON string', request: body('"{ health { ok } }"'), status: 400, code: 'BAD_REQUEST' },
  { name: 'JSON number', request: body('42'), status: 400, code: 'BAD_REQUEST' },
  { name: 'empty object', request: body('{}'), status: 400, code: 'BAD_REQUEST' },
  { name: 'query is a number', request: body('{"query": 42}'), status: 400, code: 'BAD_REQUEST' },
  { name: 'query is null', request: body('{"query": null}'), status: 400, code: 'BAD_REQUEST' },
  { name: 'query is an array', request: body('{"query": ["{ health { ok } }"]}'), status: 400, code: 'BAD_REQUEST' },
  { name: 'variables as a JSON string', request: body(JSON.stringify({ query: health, variables: '{}' })), status: 400, code: 'BAD_REQUEST' },
  { name: 'variables as an array', request: body(JSON.stringify({ query: health, variables: [1] })), status: 400, code: 'BAD_REQUEST' },
  { name: 'operationName as a number', request: body(JSON.stringify({ query: health, operationName: 5 })), status: 400, code: 'BAD_REQUEST' },
  { name: 'extensions as a string', request: body(JSON.stringify({ query: health, extensions: 'x' })), status: 400, code: 'BAD_REQUEST' },
  { name: '__proto__ key (prototype poisoning)', request: body('{"query": "{ health { ok } }", "__proto__": {"admin": true}}'), status: 400, code: 'BAD_REQUEST' },
  {
    name: 'constructor.prototype key (prototype poisoning)',
    request: body('{"query": "{ health { ok } }", "constructor": {"prototype": {"admin": true}}}'),
    status: 400,
    code: 'BAD_REQUEST',
  },
  // --- Non-UTF-8 bodies and URLs --------------------------------------------------------------------------------
  {
    name: 'invalid UTF-8 bytes inside a string',
    request: body(Buffer.concat([Buffer.from('{"query": "{ health { ok } }", "operationName": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])),
    status: 400,
    code: 'BAD_REQUEST',
    check: (r) => expect(r.json.errors[0].message).toMatch(/UTF-8/),
  },
  {
    name: 'overlong UTF-8 encoding of "/"',
    request: body(Buffer.concat([Buffer.from('{"query": "{ health { ok } }", "x": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'UTF-16 body with a byte-order mark',
    request: body(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(healthBody, 'utf16le')])),
    status: 400,
    code: 'BAD_REQUEST',
  },
  { name: 'charset=latin1 declared', request: body(healthBody, { 'content-type': 'application/json; charset=latin1' }), status: 415, code: 'BAD_REQUEST' },
  { name: 'charset=utf-16 declared', request: body(healthBody, { 'content-type': 'application/json; charset=utf-16' }), status: 415, code: 'BAD_REQUEST' },
  { name: 'charset=utf-8 declared (accepted)', request: body(healthBody, { 'content-type': 'application/json; charset=utf-8' }), status: 200, code: 'none' },
  { name: 'query string with invalid UTF-8', request: { method: 'GET', path: '/graphql?query=%FF%FE', headers: PREFLIGHT }, status: 400, code: 'BAD_REQUEST' },
  { name: 'query string with broken percent-encoding', request: { method: 'GET', path: '/graphql?query=%ZZ', headers: PREFLIGHT }, status: 400, code: 'BAD_REQUEST' },
  { name: 'a lone surrogate in the document', request: post('{ datasets(search: "\ud800") { totalCount } }'), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  // --- Wrong content types --------------------------------------------------------------------------------------
  { name: 'application/xml', request: body('<query/>', { 'content-type': 'application/xml' }), status: 415, code: 'BAD_REQUEST' },
  { name: 'application/graphql', request: body(health, { 'content-type': 'application/graphql' }), status: 415, code: 'BAD_REQUEST' },
  { name: 'multipart/form-data', request: body('--x\r\n\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }), status: 415, code: 'BAD_REQUEST' },
  { name: 'form-urlencoded', request: body(`query=${encodeURIComponent(health)}`, { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, code: 'BAD_REQUEST' },
  { name: 'octet-stream', request: body(healthBody, { 'content-type': 'application/octet-stream' }), status: 415, code: 'BAD_REQUEST' },
  { name: 'no content type', request: { method: 'POST', body: healthBody }, status: 400, code: 'BAD_REQUEST' },
  { name: 'garbage content type', request: body(healthBody, { 'content-type': '%%%/;;;' }), status: 415, code: 'BAD_REQUEST' },
  // --- CSRF-style simple requests -------------------------------------------------------------------------------
  {
    name: 'text/plain POST (a form could send it cross-site)',
    request: body(healthBody, { 'content-type': 'text/plain' }),
    status: 400,
    code: 'BAD_REQUEST',
    check: (r) => expect(r.json.errors[0].message).toMatch(/Cross-Site Request Forgery/),
  },
  { name: 'text/plain POST with a preflight header still needs JSON', request: body(healthBody, { 'content-type': 'text/plain', ...PREFLIGHT }), status: 400, code: 'BAD_REQUEST' },
  // A GET runs queries only and Beacon's credentials are bearer keys, never cookies: no preflight header needed, so that
  // urql's, graphql-request's and fetch's plain GETs work (docs/clients.md). A write over GET is still refused (405).
  { name: 'GET without a preflight header or content type (accepted)', request: get(health, {}), status: 200, code: 'none' },
  { name: 'GET with text/plain content type (accepted)', request: get(health, { 'content-type': 'text/plain' }), status: 200, code: 'none' },
  { name: 'GET mutation without a preflight header', request: get('mutation { clearCache(scope: ALL) { invalidated } }', {}), status: 405, code: 'BAD_REQUEST' },
  {
    name: 'text/plain POST of a mutation (a cross-site form) writes nothing',
    request: body(JSON.stringify({ query: 'mutation { updateDataset(id: "1", input: { name: "csrf" }) { id } }' }), { 'content-type': 'text/plain' }),
    status: 400,
    code: 'BAD_REQUEST',
    check: (r) => expect(r.json.errors[0].message).toMatch(/Cross-Site Request Forgery/),
  },
  {
    name: 'form-urlencoded POST of a mutation (a cross-site form) writes nothing',
    request: body(`query=${encodeURIComponent('mutation { updateDataset(id: "1", input: { name: "csrf" }) { id } }')}`, { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    code: 'BAD_REQUEST',
  },
  { name: 'GET with apollo-require-preflight (accepted)', request: get(health), status: 200, code: 'none' },
  { name: 'GET with x-apollo-operation-name (accepted)', request: get(health, { 'x-apollo-operation-name': 'Health' }), status: 200, code: 'none' },
  { name: 'GET with a JSON content type (accepted)', request: get(health, JSON_HEADERS), status: 200, code: 'none' },
  {
    name: 'GET mutation',
    request: get('mutation { _noop }'),
    status: 405,
    code: 'BAD_REQUEST',
    check: (r) => expect(r.headers.get('allow')).toBe('POST'),
  },
  { name: 'PUT /graphql', request: { method: 'PUT', headers: JSON_HEADERS, body: healthBody }, status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'DELETE /graphql', request: { method: 'DELETE' }, status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'an unknown path', request: { method: 'GET', path: '/admin' }, status: 404, code: 'NOT_FOUND' },
  { name: 'GET with variables that are not JSON', request: get('query($n: Int) { datasets(first: $n) { totalCount } }', PREFLIGHT, '&variables=%7Bnot'), status: 400, code: 'BAD_REQUEST' },
  { name: 'GET with the query given twice', request: get(health, PREFLIGHT, `&query=${encodeURIComponent(health)}`), status: 400, code: 'BAD_REQUEST' },
  // --- Batch arrays ---------------------------------------------------------------------------------------------
  { name: 'a batch of one', request: body(JSON.stringify([{ query: health }])), status: 400, code: 'BAD_REQUEST' },
  { name: 'an empty batch', request: body('[]'), status: 400, code: 'BAD_REQUEST' },
  { name: 'a batch of 1,000', request: body(JSON.stringify(Array.from({ length: 1000 }, () => ({ query: health })))), status: 400, code: 'BAD_REQUEST' },
  // --- Huge queries ---------------------------------------------------------------------------------------------
  {
    name: 'a 1.2 MB body',
    request: body(JSON.stringify({ query: health, variables: { pad: 'x'.repeat(1_200_000) } })),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  { name: 'a document of 3,000 tokens', request: post(`{ health { ${'ok '.repeat(2_998)}} }`), status: 400, code: 'QUERY_TOO_COMPLEX' },
  {
    name: 'a document of 200,000 tokens (counting stops early)',
    request: post(`{ ${'a '.repeat(200_000)}}`),
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
    check: (r) => expect(r.json.errors[0].message).toMatch(/more than 20000/),
  },
  { name: 'a 100,000-character field name', request: post(`{ ${'f'.repeat(100_000)} }`), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'unterminated document', request: post('{ health { ok }'), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'unterminated string', request: post('{ datasets(search: "abc) { totalCount } }'), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'a missing argument value', request: post('{ datasets(first: ) { totalCount } }'), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'a subscription (none exist)', request: post('subscription { health { ok } }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'two anonymous operations', request: post(`${health} ${health}`), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'an operationName that is not in the document', request: body(JSON.stringify({ query: 'query A { health { ok } }', operationName: 'B' })), status: 400, code: 'OPERATION_RESOLUTION_FAILURE' },
  { name: 'a 100,000-character operationName', request: body(JSON.stringify({ query: 'query A { health { ok } }', operationName: 'B'.repeat(100_000) })), status: 400, code: 'OPERATION_RESOLUTION_FAILURE' },
  // --- Deep nesting ---------------------------------------------------------------------------------------------
  { name: 'depth 8 of real fields (accepted)', request: post(deepValid(2)), status: 200, code: 'none' },
  { name: 'depth 9 of real fields', request: post(deepValid(3)), status: 400, code: 'QUERY_TOO_COMPLEX' },
  { name: 'depth 40', request: post(nested(40)), status: 400, code: 'QUERY_TOO_COMPLEX', check: (r) => expect(r.json.errors[0].extensions).toMatchObject({ limit: 'depth', max: 8, actual: 41 }) },
  { name: 'depth 600 (parser recursion)', request: post(nested(600)), status: 400, code: 'QUERY_TOO_COMPLEX' },
  { name: '600 nested list literals in an argument', request: post(`{ datasets(first: ${'['.repeat(600)}1${']'.repeat(600)}) { totalCount } }`), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: '300 nested inline fragments (no depth)', request: post(`{ ${'... on Query { '.repeat(300)}health { ok }${' }'.repeat(300)} }`), status: 200, code: 'none' },
  // --- Alias and fragment explosions ----------------------------------------------------------------------------
  { name: '30 aliases (accepted)', request: post(aliases(30)), status: 200, code: 'none' },
  { name: '31 aliases', request: post(aliases(31)), status: 400, code: 'QUERY_TOO_COMPLEX', check: (r) => expect(r.json.errors[0].extensions).toMatchObject({ max: 30, actual: 31 }) },
  { name: '1,000 aliases of an expensive field', request: post(`{ dataset(id: "1") { ${Array.from({ length: 1000 }, (_, i) => `q${i}: quality { score }`).join(' ')} } }`), status: 400, code: 'QUERY_TOO_COMPLEX' },
  {
    name: '8 aliases in a fragment spread 4 times (32 once expanded)',
    request: post(`fragment H on Query { ${Array.from({ length: 8 }, (_, i) => `h${i}: health { ok }`).join(' ')} } { ...H ... on Query { ...H } x: health { ...on Health { ok } } ...H ...H }`),
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  // The nested fragment bomb is among the hostile inputs (hostile.ts): its server CPU is measured, not its wall time.
  { name: 'wide fragment bomb (2^40 fields)', request: post(wideBomb(40)), status: 400, code: 'QUERY_TOO_COMPLEX', check: (r) => expect(r.json.errors[0].message).toMatch(/cost is at least/) },
  { name: 'a fragment cycle', request: post('fragment A on Query { ...B } fragment B on Query { ...A } { ...A }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'a fragment spreading itself', request: post('fragment A on Query { health { ok } ...A } { ...A }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'an undefined fragment', request: post('{ ...Nope }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: '100 unused fragments', request: post(`${health} ${Array.from({ length: 100 }, (_, i) => `fragment U${i} on Query { health { ok } }`).join(' ')}`), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  // --- Directive overloading ------------------------------------------------------------------------------------
  { name: '6 directives on one field', request: post(`{ health ${'@include(if: true) '.repeat(6)}{ ok } }`), status: 400, code: 'QUERY_TOO_COMPLEX' },
  { name: '60 directives across fields', request: post(`{ health { ${'ok @skip(if: false) '.repeat(60)}} }`), status: 400, code: 'QUERY_TOO_COMPLEX' },
  { name: 'a repeated non-repeatable directive', request: post(`{ health @include(if: true) @include(if: true) { ok } }`), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'an unknown directive', request: post(`{ health @inclde(if: true) { ok } }`), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', check: noSuggestion },
  { name: 'a directive variable of the wrong type', request: post('query($v: Boolean!) { health @include(if: $v) { ok } }', { v: 'yes' }), status: 400, code: 'BAD_USER_INPUT' },
  // --- Introspection and suggestions ----------------------------------------------------------------------------
  { name: 'introspection outside production (allowed)', request: post('{ __schema { queryType { name } } }'), status: 200, code: 'none' },
  // Introspection in production is for admins (roles.test.ts: a reader key is refused 403, an admin key may).
  { app: 'prod', name: 'production: __schema', request: post('{ __schema { types { name } } }'), status: 401, code: 'UNAUTHENTICATED' },
  { app: 'prod', name: 'production: __type', request: post('{ __type(name: "Dataset") { fields { name } } }'), status: 401, code: 'UNAUTHENTICATED' },
  { app: 'prod', name: 'production: __schema inside a fragment', request: post('fragment F on Query { __schema { queryType { name } } } { ...F }'), status: 401, code: 'UNAUTHENTICATED' },
  { app: 'prod', name: 'production: introspection with a wrong token', request: post('{ __schema { queryType { name } } }', undefined, { authorization: 'Bearer wrong-token-wrong-token' }), status: 401, code: 'UNAUTHENTICATED' },
  { app: 'prod', name: 'production: introspection with the admin token', request: post('{ __schema { queryType { name } } }', undefined, ADMIN), status: 200, code: 'none' },
  { app: 'prod', name: 'production: __typename is not introspection', request: post('{ __typename health { __typename ok } }'), status: 200, code: 'none' },
  {
    app: 'prod',
    name: 'production: no GraphiQL page without the admin token',
    request: { method: 'GET', headers: { accept: 'text/html' } },
    // Only HTML is acceptable and the page is not served: 406 (before GETs were free of the CSRF check, it was 400).
    status: 406,
    code: 'BAD_REQUEST',
    check: (r) => expect(r.headers.get('content-type')).toMatch(/json/),
  },
  { app: 'prod', name: 'production: a misspelled field has no suggestion', request: post('{ datset(id: "1") { id } }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', check: noSuggestion },
  { name: 'a misspelled field has no suggestion', request: post('{ healht { ok } }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', check: noSuggestion },
  { name: 'a misspelled argument has no suggestion', request: post('{ datasets(frist: 5) { totalCount } }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', check: noSuggestion },
  { name: 'a misspelled enum literal has no suggestion', request: post('{ datasets(orderBy: NAMES) { totalCount } }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', check: noSuggestion },
  // --- Wrong variable types and huge variables ------------------------------------------------------------------
  { name: 'an object for an ID', request: datasetById({ a: 1 }), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'a string for an Int', request: post('query($n: Int) { datasets(first: $n) { totalCount } }', { n: 'ten' }), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'an Int beyond 32 bits', request: post('query($n: Int) { datasets(first: $n) { totalCount } }', { n: 2 ** 40 }), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'a float for an Int', request: post('query($n: Int) { datasets(first: $n) { totalCount } }', { n: 1.5 }), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'a missing required variable', request: post('query($id: ID!) { dataset(id: $id) { id } }', {}), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'null for a required variable', request: datasetById(null), status: 400, code: 'BAD_USER_INPUT' },
  {
    name: 'an unknown enum value has no suggestion',
    request: post('query($m: Metric!) { modelRanking(datasetId: "1", metric: $m) { metric } }', { m: 'ACURACY' }),
    status: 400,
    code: 'BAD_USER_INPUT',
    check: noSuggestion,
  },
  {
    name: 'an unknown input field has no suggestion',
    request: post('mutation($i: DatasetUpdateInput!) { updateDataset(id: "1", input: $i) { id } }', { i: { nam: 'x' } }, ADMIN),
    status: 400,
    code: 'BAD_USER_INPUT',
    check: noSuggestion,
  },
  // The inputs issue 11 found still hurting (hostile.ts; their CPU: hostile-cpu.test.ts).
  ...Object.values(HOSTILE).map(({ name, request, status, code }): Case => ({ name, request, status, code, check: (r) => expect(r.json.errors.length).toBeLessThanOrEqual(51) })),
  { name: 'a 3,000-deep array in an unused variable', request: post(health, { v: deepArray(3_000) }), status: 400, code: 'QUERY_TOO_COMPLEX' },
  { name: 'a 1,000-deep array in a GET variable (3,000 would not fit the URL)', request: get('query($v: JSON) { health { ok } }', PREFLIGHT, `&variables=${encodeURIComponent(JSON.stringify({ v: deepArray(1_000) }))}`), status: 400, code: 'QUERY_TOO_COMPLEX' },
  { name: '1,000 invalid list items (errors capped at 50)', request: post('query($ids: [ID!]!) { compareModels(ids: $ids) { runs { id } } }', { ids: Array.from({ length: 1_000 }, () => ({})) }), status: 400, code: 'BAD_USER_INPUT', check: (r) => expect(r.json.errors.length).toBeLessThanOrEqual(51) },
  { name: 'a 900 KB search string', request: search('s'.repeat(900_000)), status: 200, code: 'BAD_USER_INPUT' },
  { name: '101 ids', request: post('query($ids: [ID!]!) { compareModels(ids: $ids) { runs { id } } }', { ids: Array.from({ length: 101 }, (_, i) => String(i + 1)) }), status: 200, code: 'BAD_USER_INPUT' },
  { name: '20,000 ids (cost multiplies)', request: post('query($ids: [ID!]!) { compareModels(ids: $ids) { runs { id } } }', { ids: Array.from({ length: 20_000 }, (_, i) => String(i + 1)) }), status: 400, code: 'QUERY_TOO_COMPLEX' },
  { name: '12,000 country-sector pairs', request: post('query($p: [CountrySectorInput!]!) { assessments(model: "demo", pairs: $p) { riskScore } }', { p: Array.from({ length: 12_000 }, () => ({ country: 'A', sector: 'B' })) }), status: 400, code: 'QUERY_TOO_COMPLEX' },
  // --- Negative and huge limits ---------------------------------------------------------------------------------
  { name: 'first: -1', request: post('{ datasets(first: -1) { totalCount } }'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'first: 0', request: post('{ datasets(first: 0) { totalCount } }'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'first: 101', request: post('{ datasets(first: 101) { totalCount } }'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'first: 100,000 (over the cost budget)', request: post('{ datasets(first: 100000) { nodes { id name } } }'), status: 400, code: 'QUERY_TOO_COMPLEX' },
  { name: 'first: 2^31 (not an Int)', request: post('{ datasets(first: 2147483648) { totalCount } }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'limit as a float literal', request: post('{ topUpdatedDatasets(limit: 1e3) { id } }'), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'topN: -5', request: post('{ modelRuns(first: 1) { nodes { featureImportance(topN: -5) { feature } } } }'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'size: 1,000', request: post('{ dataset(id: "1") { sample(size: 1000) } }'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'top: 0', request: post('{ modelRanking(datasetId: "1", metric: ACCURACY, top: 0) { metric } }'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'three nested lists of 100 (cost 10^6)', request: post('{ datasets(first: 100) { nodes { modelRuns(first: 100) { nodes { featureImportance(topN: 100) { feature } } } } } }'), status: 400, code: 'QUERY_TOO_COMPLEX' },
  // --- Invalid and non-existent ids -----------------------------------------------------------------------------
  { name: 'id "abc"', request: datasetById('abc'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'id "-1"', request: datasetById('-1'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'id "0"', request: datasetById('0'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'id beyond 32 bits', request: datasetById('99999999999'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'id "1e3"', request: datasetById('1e3'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'id " 1" (padded)', request: datasetById(' 1'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'id as a JSON number (IDs accept Ints)', request: datasetById(1), status: 200, code: 'none' },
  { name: 'a non-existent id', request: datasetById('999999'), status: 200, code: 'none', check: (r) => expect(r.json.data.dataset).toBeNull() },
  { name: 'updating a non-existent dataset', request: post('mutation { updateDataset(id: "999999", input: { name: "x" }) { id } }', undefined, ADMIN), status: 200, code: 'NOT_FOUND' },
  { name: 'deleting a non-existent run', request: post('mutation { deleteModelRun(id: "999999") { deleted } }', undefined, ADMIN), status: 200, code: 'NOT_FOUND' },
  // --- SQL-looking strings (the database fingerprint is compared at the end) -------------------------------------
  { name: 'SQL in a search', request: search("'; DROP TABLE datasets; --"), status: 200, code: 'none', check: (r) => expect(r.json.data.datasets.totalCount).toBe(0) },
  { name: 'SQL tautology in a category', request: category("' OR '1'='1"), status: 200, code: 'none', check: (r) => expect(r.json.data.datasets.totalCount).toBe(0) },
  { name: 'SQL in an id', request: datasetById('1; DROP TABLE datasets'), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'SQL in a model name', request: ioModel("x' OR 1=1 --"), status: 200, code: 'none', check: (r) => expect(r.json.data.ioModel).toBeNull() },
  {
    name: 'UNION SELECT in an assessment',
    request: post('query($m: String!) { assessment(model: $m, country: "X", sector: "Y") { riskScore } }', { m: "' UNION SELECT usename FROM pg_user --" }),
    status: 200,
    code: 'NOT_FOUND',
  },
  {
    name: 'DELETE in a coefficient lookup',
    request: post('query($m: String!) { coefficient(model: $m, from: { country: "A", sector: "B" }, to: { country: "A", sector: "B" }) }', { m: "'; DELETE FROM io_coefficients; --" }),
    status: 200,
    code: 'NOT_FOUND',
  },
  { name: 'SQL in an update of a missing row', request: post('mutation($n: String) { updateDataset(id: "999999", input: { name: $n }) { id } }', { n: "x'); DROP TABLE model_runs; --" }, ADMIN), status: 200, code: 'NOT_FOUND' },
  { name: 'LIKE wildcards %', request: search('%'), status: 200, code: 'none', check: (r) => expect(r.json.data.datasets.totalCount).toBe(0) },
  { name: 'LIKE wildcards %_%', request: search('%_%'), status: 200, code: 'none', check: (r) => expect(r.json.data.datasets.totalCount).toBe(0) },
  { name: 'a backslash', request: search('\\'), status: 200, code: 'none' },
  // A search term like any other: nothing matches it (and the fingerprint at the end shows nothing changed).
  { name: 'pg_sleep in a search', request: search("x' || pg_sleep(5) || '"), status: 200, code: 'none', check: (r) => expect(r.json.data.datasets.totalCount).toBe(0) },
  // --- Cache-key-looking strings --------------------------------------------------------------------------------
  { name: 'search "*"', request: search('*'), status: 200, code: 'none' },
  { name: 'search "?"', request: search('?'), status: 200, code: 'none' },
  { name: 'search "a:b:c"', request: search('beacon:response:*'), status: 200, code: 'none' },
  { name: 'search "[a-z]"', request: search('[a-z]'), status: 200, code: 'none' },
  { name: 'search with CR/LF', request: search('x\r\nDEL beacon:*\r\n'), status: 200, code: 'none' },
  { name: 'search with Unicode', request: search('ünïcödé 漢字 🚀 \u202e'), status: 200, code: 'none' },
  { name: 'search with NUL', request: search('a\u0000b'), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'model name with NUL', request: ioModel('demo\u0000'), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'NUL in a string literal', request: post('{ ioModel(name: "demo\\u0000") { name } }'), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'NUL in a variable key of a JSON value', request: post('mutation($r: [JSON!]!) { appendDatasetRows(id: "999999", rows: $r) { id } }', { r: [{ 'a\u0000': 1 }] }), status: 400, code: 'BAD_USER_INPUT' },
  { name: 'category "*:*"', request: category('*:*'), status: 200, code: 'none' },
  { name: 'model name "*"', request: ioModel('*'), status: 200, code: 'none', check: (r) => expect(r.json.data.ioModel).toBeNull() },
  { name: 'model name with CR/LF', request: ioModel('demo\r\nFLUSHALL\r\n'), status: 200, code: 'none', check: (r) => expect(r.json.data.ioModel).toBeNull() },
  // --- Very long strings ----------------------------------------------------------------------------------------
  { name: 'a 201-character search', request: search('s'.repeat(201)), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'a 100 KB model name', request: ioModel('m'.repeat(100_000)), status: 200, code: 'none', check: (r) => expect(r.json.data.ioModel).toBeNull() },
  { name: 'a 500 KB dataset name', request: post('mutation($n: String) { updateDataset(id: "1", input: { name: $n }) { id } }', { n: 'n'.repeat(500_000) }, ADMIN), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'a 10 KB Authorization header', request: post(health, undefined, { authorization: `Bearer ${'t'.repeat(10_000)}` }), status: 401, code: 'UNAUTHENTICATED' },
  // --- Admin mutations ------------------------------------------------------------------------------------------
  // Without valid credentials: 401 UNAUTHENTICATED (test/security/roles.test.ts: a reader or writer gets 403).
  { name: 'clearCache without a token', request: clearCache({}), status: 401, code: 'UNAUTHENTICATED' },
  { name: 'clearCache with a wrong token', request: clearCache({ authorization: 'Bearer not-the-admin-token-at-all' }), status: 401, code: 'UNAUTHENTICATED' },
  { name: 'clearCache with an empty bearer', request: clearCache({ authorization: 'Bearer ' }), status: 401, code: 'UNAUTHENTICATED' },
  { name: 'clearCache with the token as Basic auth', request: clearCache({ authorization: `Basic ${ADMIN_TOKEN}` }), status: 401, code: 'UNAUTHENTICATED' },
  { name: 'clearCache with the token in another header', request: clearCache({ 'x-admin-token': ADMIN_TOKEN }), status: 401, code: 'UNAUTHENTICATED' },
  { name: 'warmCache without a token', request: post('mutation { warmCache { operations } }'), status: 401, code: 'UNAUTHENTICATED' },
  { app: 'prod', name: 'production: clearCache with a wrong token', request: clearCache({ authorization: 'Bearer not-the-admin-token-at-all' }), status: 401, code: 'UNAUTHENTICATED' },
  // --- Who may see the cache's insides (docs/security.md) ------------------------------------------------------------
  { app: 'prod', name: 'production: cacheStats without credentials', request: post('{ cacheStats { backend } }'), status: 401, code: 'UNAUTHENTICATED' },
  { app: 'prod', name: 'production: performance without credentials', request: post('{ performance { total { count } } }'), status: 401, code: 'UNAUTHENTICATED' },
  { app: 'prod', name: 'production: cacheStats with the admin token', request: post('{ cacheStats { backend } }', undefined, ADMIN), status: 200, code: 'none' },
  {
    app: 'prod',
    name: 'production: the cache explain is not shown to anonymous callers',
    request: post('{ health { version } }', undefined, { 'x-beacon-cache-debug': '1' }),
    status: 200,
    code: 'none',
    check: (r) => expect(r.json.extensions?.cache).toBeUndefined(),
  },
  {
    app: 'prod',
    name: 'production: the cache explain is shown to the admin token',
    request: post('{ health { version } }', undefined, { ...ADMIN, 'x-beacon-cache-debug': '1' }),
    status: 200,
    code: 'none',
    check: (r) => expect(r.json.extensions?.cache?.key).toEqual(expect.any(String)),
  },
  { name: 'clearCache with the token (accepted)', request: clearCache(ADMIN), status: 200, code: 'none' },
  { name: 'clearCache of tag "*" with the token', request: clearCache(ADMIN, '*'), status: 200, code: 'none' },
  { name: 'clearCache of a tag with CR/LF and a Redis command', request: clearCache(ADMIN, 'x\r\nFLUSHALL\r\n'), status: 200, code: 'none' },
];

describe.skipIf(!postgresUp)('bad input over HTTP', () => {
  let dev: TestApp;
  let prod: TestApp;
  let fingerprintBefore: Record<string, string>;

  beforeAll(async () => {
    [dev, prod] = await Promise.all([
      startTestApp({ database: 'postgres', env: { ADMIN_TOKEN } }),
      startTestApp({ database: 'postgres', env: { NODE_ENV: 'production', ADMIN_TOKEN, LOG_LEVEL: 'silent' } }),
    ]);
    fingerprintBefore = await databaseFingerprint(dev.app.config.databaseUrl!);
  });
  afterAll(async () => {
    await Promise.all([dev?.close(), prod?.close()]);
  });

  it('has at least 80 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
    expect(new Set(CASES.map((c) => `${c.app ?? 'dev'} ${c.name}`)).size).toBe(CASES.length);
  });

  const named = (mediaType: string) => CASES.map((c) => [`${mediaType}: ${c.app === 'prod' ? '[production] ' : ''}${c.name}`, c] as const);

  it.each([...named(GRAPHQL_RESPONSE), ...named('application/json')])('%s', async (name, c) => {
    const strict = name.startsWith(GRAPHQL_RESPONSE);
    const origin = originOf((c.app === 'prod' ? prod : dev).url);
    const headers = { ...c.request.headers };
    // A case that sets its own Accept keeps it (it is about that header); the others get the run's.
    if (strict && headers.accept === undefined) headers.accept = GRAPHQL_RESPONSE;
    const response = await send(origin, { ...c.request, headers });
    expectNoLeaks(response);
    expect(response.status, response.text.slice(0, 500)).toBe(strict ? c.status : legacyStatus(c));
    if (c.code === 'none') {
      expect(response.json?.errors, response.text.slice(0, 500)).toBeUndefined();
      expect(response.json?.data).toBeTruthy();
    } else {
      expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
      expect(errorCode(response), response.text.slice(0, 500)).toBe(c.code);
    }
    c.check?.(response);
    await expectLive(origin);
  });

  it('production serves GraphiQL to the admin token only', async () => {
    const origin = originOf(prod.url);
    const response = await send(origin, { method: 'GET', headers: { accept: 'text/html', ...ADMIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    await expectLive(origin);
  });

  it('changed nothing in the database', async () => {
    expect(await databaseFingerprint(dev.app.config.databaseUrl!)).toEqual(fingerprintBefore);
  });
});
