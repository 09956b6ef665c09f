// Every GraphQL example of README.md and docs/*.md, run against the data `npm start` loads (the demo seed, full size),
// in document order on one server (so the training example can complete the run it started), with the credentials
// the documents name: mutations send `Authorization: Bearer <ADMIN_TOKEN>` (the admin may do every write). Each must
// answer without errors and with meaningful data: every top-level field non-null, and no list empty and no object
// whose scalar fields are all null anywhere in the answer (a comparison of runs without metrics has such objects).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, OperationTypeNode, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../../src/seed.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { graphqlExamples } from '../helpers/markdown-examples.js';
import { postgresUp } from '../helpers/services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_TOKEN = 'readme-examples-admin-token';
const DOCUMENTS = [
  path.join(ROOT, 'README.md'),
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join(ROOT, 'docs', name)),
];

/** Lists that may be empty, and why. */
const MAY_BE_EMPTY: Record<string, string> = {
  'performance.alerts': 'no alert fires on a healthy server',
};

interface Operation {
  title: string;
  document: string;
  name: string | undefined;
  variables: Record<string, unknown> | undefined;
  mutation: boolean;
}

const operations: Operation[] = DOCUMENTS.flatMap((file) =>
  graphqlExamples(file).flatMap((example) => {
    const definitions = parse(example.document).definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    return definitions.map((definition) => ({
      title: `${example.where} ${definition.name?.value ?? `(anonymous ${definition.operation})`}`,
      document: example.document,
      name: definitions.length > 1 ? definition.name?.value : undefined,
      variables: example.variables,
      mutation: definition.operation === OperationTypeNode.MUTATION,
    }));
  }),
);

/** Where the answer is empty or meaningless: paths of empty lists and of objects whose scalars are all null. */
function emptiness(value: unknown, at: string, found: string[]): string[] {
  if (Array.isArray(value)) {
    const key = at.replace(/\[\d+\]/g, '');
    if (value.length === 0 && !(key in MAY_BE_EMPTY)) found.push(`${at} is an empty list`);
    value.forEach((item, k) => emptiness(item, `${at}[${k}]`, found));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const scalars = entries.filter(([, v]) => v === null || typeof v !== 'object');
    if (scalars.length > 0 && scalars.every(([, v]) => v === null)) {
      found.push(`${at} has only nulls`);
    }
    for (const [key, v] of entries) emptiness(v, at ? `${at}.${key}` : key, found);
  }
  return found;
}

describe('the GraphQL examples of the documentation', () => {
  let t: TestApp;

  beforeAll(async () => {
    // PostgreSQL when it is here (the full demo seeds in about 20 s), else the embedded database, as `npm start`.
    t = await startTestApp({
      database: postgresUp ? 'postgres' : 'embedded',
      seed: DEMO_SEED,
      env: { ADMIN_TOKEN },
    });
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  it("finds the README's examples (a query, a mutation, cacheStats) and those of docs/", () => {
    const readme = operations.filter((operation) => operation.title.startsWith('README.md'));
    expect(readme.some((operation) => !operation.mutation)).toBe(true);
    expect(readme.some((operation) => operation.mutation)).toBe(true);
    expect(readme.some((operation) => operation.document.includes('cacheStats'))).toBe(true);
    expect(operations.length - readme.length).toBeGreaterThanOrEqual(8);
  });

  for (const operation of operations) {
    it(`${operation.title} answers without errors, with data`, async () => {
      const headers: Record<string, string> = operation.mutation ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {};
      const request = { query: operation.document, operationName: operation.name, variables: operation.variables };
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(request),
      });
      const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
      expect(response.status).toBe(200);
      const data = body.data ?? {};
      expect(Object.keys(data).length).toBeGreaterThan(0);
      for (const [field, value] of Object.entries(data)) expect(value, `${field} is null`).not.toBeNull();
      expect(emptiness(data, '', []), JSON.stringify(data).slice(0, 2_000)).toEqual([]);
    });
  }
});
