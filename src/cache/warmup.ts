// Warm-up: operations ({ query, variables?, operationName? }, read from CACHE_WARMUP_FILE and checked by config.ts) run
// through the real HTTP path at start (in the background: start never waits) and on warmCache, so the first dashboard load is a hit. Each runs with
// Cache-Control: no-cache (recompute and store) and the debug header (to learn whether it was stored).
//
// A response is keyed by its exact document (after stripIgnoredCharacters) and by the media type it is sent in, so
// an entry warmed for the document as written serves only clients that send it that way (fetch, graphql-request,
// Python). Apollo Client and urql add `__typename` to every selection set before sending, and ask for different
// media types. So each operation is warmed in the shapes clients send (`clientShapes`) and for both response media
// types: the first dashboard load is a hit whichever client it comes from.
import { Kind, parse, print, visit, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql';

export interface WarmupOperation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface WarmupOutcome {
  operations: number;
  cached: number;
  failed: number;
}

/** Sends one POST /graphql with the given headers and returns the status and the body text. */
export type WarmupRunner = (payload: WarmupOperation, headers: Record<string, string>) => Promise<{ status: number; body: string }>;

/** The response media types a client may get, each its own cache entry: Apollo Client's `*\/*` gets the first. */
export const WARMUP_ACCEPTS = ['application/json', 'application/graphql-response+json'] as const;

const TYPENAME_FIELD: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/**
 * The document with `__typename` added as Apollo Client's `addTypenameToDocument` adds it (and urql's formatDocument,
 * which differs only for introspection fields): at the end of every selection set except an operation's own, unless
 * the set already selects `__typename` or an introspection field (`__schema`, `__type`), or belongs to an @export-ed
 * field. Printed, like the clients print it; the cache key strips what printing adds (keys.ts).
 */
export function withTypenames(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet: {
      enter(node: SelectionSetNode, _key, parent) {
        if (parent && !Array.isArray(parent) && (parent as { kind?: string }).kind === Kind.OPERATION_DEFINITION) return undefined;
        const skip = node.selections.some((selection) => selection.kind === Kind.FIELD && selection.name.value.startsWith('__'));
        if (skip) return undefined;
        const field = parent as FieldNode | undefined;
        if (field && !Array.isArray(field) && field.kind === Kind.FIELD && field.directives?.some((directive) => directive.name.value === 'export')) return undefined;
        return { ...node, selections: [...node.selections, TYPENAME_FIELD] };
      },
    },
  });
}

/** The distinct documents clients send for `query`: as written, and with `__typename` added (withTypenames). */
export function clientShapes(query: string): string[] {
  let typed: string;
  try {
    typed = print(withTypenames(parse(query)));
  } catch {
    // Not a document: sent as written, the server says what is wrong with it.
    return [query];
  }
  return typed === print(parse(query)) ? [query] : [query, typed];
}

/**
 * Runs the operations one after another (warm-up must not crowd out real traffic), each in every client shape and
 * for every media type. An operation counts as cached when all of its variants were stored, as failed when any
 * failed.
 */
export async function runWarmup(operations: readonly WarmupOperation[], run: WarmupRunner): Promise<WarmupOutcome> {
  const outcome: WarmupOutcome = { operations: operations.length, cached: 0, failed: 0 };
  for (const operation of operations) {
    let stored = 0;
    let failed = false;
    const variants = clientShapes(operation.query).flatMap((query) => WARMUP_ACCEPTS.map((accept) => ({ query, accept })));
    for (const { query, accept } of variants) {
      try {
        const { status, body } = await run(
          { ...operation, query },
          { 'content-type': 'application/json', accept, 'cache-control': 'no-cache', 'x-beacon-cache-debug': '1' },
        );
        const parsed = JSON.parse(body) as { errors?: unknown[]; extensions?: { cache?: { reason?: string } } };
        if (status !== 200 || parsed.errors?.length) failed = true;
        else if (parsed.extensions?.cache && parsed.extensions.cache.reason === undefined) stored += 1;
      } catch {
        failed = true;
      }
    }
    if (failed) outcome.failed += 1;
    else if (stored === variants.length) outcome.cached += 1;
  }
  return outcome;
}
