// Warm-up: a JSON file listing operations ({ query, variables?, operationName? }) run through the real HTTP path at
// start (in the background: start never waits) and on warmCache, so the first dashboard load is a hit. Each runs with
// Cache-Control: no-cache (recompute and store) and the debug header (to learn whether it was stored).
import { readFile } from 'node:fs/promises';

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

/** Parses and checks a warm-up file's text; the message names what is wrong. */
export function parseWarmup(text: string, source: string): WarmupOperation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${source} must hold a JSON array of { query, variables?, operationName? }`);
  return parsed.map((item, index) => {
    const { query, variables, operationName } = (item ?? {}) as Record<string, unknown>;
    const where = `${source}[${index}]`;
    if (typeof query !== 'string' || query.trim() === '') throw new Error(`${where}.query must be a non-empty string`);
    if (variables !== undefined && (variables === null || typeof variables !== 'object' || Array.isArray(variables))) {
      throw new Error(`${where}.variables must be an object`);
    }
    if (operationName !== undefined && typeof operationName !== 'string') throw new Error(`${where}.operationName must be a string`);
    return {
      query,
      ...(variables ? { variables: variables as Record<string, unknown> } : {}),
      ...(operationName ? { operationName } : {}),
    };
  });
}

export async function loadWarmup(file: string): Promise<WarmupOperation[]> {
  return parseWarmup(await readFile(file, 'utf8'), file);
}

/** Runs the operations one after another (warm-up must not crowd out real traffic). */
export async function runWarmup(operations: readonly WarmupOperation[], run: WarmupRunner): Promise<WarmupOutcome> {
  const outcome: WarmupOutcome = { operations: operations.length, cached: 0, failed: 0 };
  for (const operation of operations) {
    try {
      const { status, body } = await run(operation, {
        'content-type': 'application/json',
        'cache-control': 'no-cache',
        'x-beacon-cache-debug': '1',
      });
      const parsed = JSON.parse(body) as { errors?: unknown[]; extensions?: { cache?: { reason?: string } } };
      if (status !== 200 || parsed.errors?.length) outcome.failed += 1;
      else if (parsed.extensions?.cache && parsed.extensions.cache.reason === undefined) outcome.cached += 1;
    } catch {
      outcome.failed += 1;
    }
  }
  return outcome;
}
