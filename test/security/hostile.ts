// The inputs issue 11 found still hurting, shared by the bad-input suite (status, code, no leak) and the CPU suite
// (hostile-cpu.test.ts: under 50 ms of server CPU each). Each is answered with a 4xx and a stable code.
import { createHash } from 'node:crypto';
import { JSON_HEADERS, post, type RawRequest } from './helpers.js';

export const HEALTH = '{ health { ok } }';

/** An array nested `depth` deep: 2 bytes a level. */
export function deepArray(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

export interface HostileInput {
  name: string;
  request: RawRequest;
  /** The status under application/graphql-response+json (application/json answers request errors 200: media-status.ts). */
  status: number;
  code: string;
}

/** Each fragment spreads the next twice under two aliases: the expansion doubles per fragment. */
export function fragmentBomb(n: number): string {
  let q = 'query { dataset(id: "1") { ...F0 } }\n';
  for (let i = 0; i < n; i++) {
    q += `fragment F${i} on Dataset { a: modelRuns { nodes { dataset { ...F${i + 1} } } } b: modelRuns { nodes { dataset { ...F${i + 1} } } } }\n`;
  }
  return `${q}fragment F${n} on Dataset { id }\n`;
}

const compareIds = (items: unknown[]) => post('query($ids: [ID!]!) { compareModels(ids: $ids) { runs { id } } }', { ids: items });

export const HOSTILE = {
  deepVariable: {
    name: 'a 3,000-deep array in a variable (6 KB)',
    request: post('query($v: JSON) { health { ok } }', { v: deepArray(3_000) }),
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  invalidItems: {
    name: '10,000 invalid list items (refused before coercion)',
    request: compareIds(Array.from({ length: 10_000 }, () => ({}))),
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  invalidItemsCoerced: {
    name: '2,000 invalid list items (the most coercion meets: errors capped at 50)',
    request: compareIds(Array.from({ length: 2_000 }, () => ({}))),
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  invalidObjects: {
    name: '10,000 invalid input objects (refused before coercion)',
    request: post('query($p: [CountrySectorInput!]!) { assessments(model: "x", pairs: $p) { riskScore } }', { p: Array.from({ length: 10_000 }, () => ({ bad: 1 })) }),
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  hashMismatch: {
    name: 'a persisted query whose hash does not match its text',
    request: {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ query: HEALTH, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update('another query').digest('hex') } } }),
    },
    status: 400,
    code: 'PERSISTED_QUERY_HASH_MISMATCH',
  },
  fragmentBomb: {
    name: 'nested fragment bomb (1.9 KB, 2^15 expansion)',
    request: post(fragmentBomb(15)),
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  manyVariables: {
    name: '50,000 undeclared variables (a 700 KB body)',
    request: post(HEALTH, Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`v${i}`, i]))),
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
} satisfies Record<string, HostileInput>;
