// The one module that builds every cache key, Redis key and channel name. Keys are hashes of unambiguous encodings
// of normalized input, under Beacon's namespace: a client-supplied string never appears raw in a key, so it can
// neither collide with another key nor be read as a Redis pattern.
import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so `{a, b}` and `{b, a}` encode the same. Properties whose value is
 * undefined are dropped (as JSON.stringify does); null is kept: an explicit null and a missing argument differ in
 * GraphQL.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { $date: value.toISOString() };
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) sorted[key] = sortKeys(item);
  }
  return sorted;
}

/**
 * sha256 over length-prefixed parts, base64url. The length prefix makes the encoding unambiguous: ['a:b', 'c'] and
 * ['a', 'b:c'] hash differently whatever characters the parts contain.
 */
export function hashParts(parts: readonly string[]): string {
  // One crypto.hash of the joined parts: the same digest as a Hash fed part by part, without a Hash object and a
  // call into OpenSSL per part (every miss keys at least once).
  let text = '';
  for (const part of parts) text += `${Buffer.byteLength(part)}:${part}`;
  return hash('sha256', text, 'base64url');
}

export interface ResponseKeyInput {
  /** The query text after stripIgnoredCharacters, or `apq:<sha256>` for a persisted query sent by hash. */
  document: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  /**
   * Who may receive the entry: 'PUBLIC', or 'PRIVATE:<hash of the session>', then the caller's visibility (`vis:public`, `vis:team:<team>`,
   * `vis:all`: auth/principal.ts visibilityScope) and the response media type. Keyed by team, not by person: a team
   * shares its entries, anonymous callers share theirs, and no entry computed for one visibility reaches another.
   * Field results (`field`) are keyed by their arguments alone: their resolvers check the caller's access to every
   * dataset and run involved outside the cached computation (a cached comparison is hydrated through the caller's
   * loaders), so they stay shared across teams.
   */
  audience: string;
}

/** Every key Beacon reads or writes, under one namespace. */
export class KeySpace {
  constructor(readonly namespace: string) {}

  response(input: ResponseKeyInput): string {
    const variables = canonicalJson(input.variables ?? {});
    return `${this.namespace}:r:${hashParts(['r1', input.document, input.operationName ?? '', variables, input.audience])}`;
  }

  field(field: string, args: Record<string, unknown>): string {
    return `${this.namespace}:f:${hashParts(['f1', field, canonicalJson(args)])}`;
  }

  /** The lease on computing an entry (lease.ts), next to the entry's key. */
  lease(entryKey: string): string {
    return `${entryKey}:lease`;
  }

  /** The Redis clock that stamps reads and versions invalidations. The only key without a TTL. */
  get clock(): string {
    return `${this.namespace}:clock`;
  }

  /** The version of one tag. Tags can carry client-supplied arguments, so they are hashed too. */
  tagVersion(tag: string): string {
    return `${this.namespace}:tv:${hashParts(['t1', tag])}`;
  }

  /** An APQ document (persisted-queries.ts), by the client's sha256, hashed again: a client string is never raw. */
  persistedQuery(sha256: string): string {
    return `${this.namespace}:pq:${hashParts(['pq1', sha256])}`;
  }

  get invalidationChannel(): string {
    return `${this.namespace}:invalidations`;
  }
}

/** The audience part of a response key for a PRIVATE response: a hash of the Authorization header, never the header. */
export function sessionAudience(authorization: string): string {
  return `PRIVATE:${hashParts(['s1', authorization])}`;
}
