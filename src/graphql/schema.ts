// The executable schema: the SDL files under schema/ (the contract) with the merged resolvers.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocumentNode } from 'graphql';
import { parse } from 'graphql';
import type { Resolvers } from '../generated/graphql.js';
import type { RequestContext } from './context.js';
import { resolvers } from './resolvers.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

export const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema');

export function loadTypeDefs(dir = SCHEMA_DIR): DocumentNode {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort();
  return parse(files.map((file) => readFileSync(path.join(dir, file), 'utf8')).join('\n'));
}

export function schemaResolvers(): Resolvers<RequestContext> {
  return { ...resolvers, DateTime: DateTimeScalar, JSON: JSONScalar };
}
