// The HTTP form of the response cache's answers (cache/response-cache.ts says what happened; this says it in HTTP):
// the x-beacon-cache outcome header, and for GET the Cache-Control, Age and ETag headers and the 304 to a matching
// If-None-Match; the debug explain (x-beacon-cache-debug: 1) as `extensions.cache` in the body. The full path
// (server.ts) and the fast lane (fast-lane.ts) build their replies here, so a hit is the same bytes either way.
import { createHash } from 'node:crypto';
import type { ResponseAnswer, ResponseRequest } from '../cache/index.js';
import { responseMediaType } from './media-status.js';

export const CACHE_HEADER = 'x-beacon-cache';
export const DEBUG_HEADER = 'x-beacon-cache-debug';

export interface CacheReply {
  status: number;
  headers: Array<[string, string]>;
  body: string | AsyncIterable<string> | undefined;
}

/** What of the request shapes its reply (beyond the answer itself). */
export interface ReplyShape {
  isGet: boolean;
  /** The explain was asked for, and this caller may see it (guards.ts debugAllowed). */
  debug: boolean;
  ifNoneMatch: string | undefined;
  /** Headers naming a public GET response's tags for a CDN (cdn-tags.ts: Surrogate-Key / Cache-Tag); undefined: none. */
  tagHeaders?: ((tags: readonly string[]) => Array<[string, string]>) | undefined;
}

/** A GraphQL-over-HTTP request, headers and all. */
export interface HttpGraphqlRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed query string. */
  query: Record<string, unknown>;
  body: unknown;
}

/**
 * What the response cache is told of a request: the headers read here, their meaning passed on. Undefined when no
 * media type the client accepts can be sent (Apollo then answers, as without a cache).
 */
export function responseRequestOf(request: HttpGraphqlRequest, visibility: string): ResponseRequest | undefined {
  const mediaType = responseMediaType(header(request, 'accept'));
  if (mediaType === undefined) return undefined;
  return {
    method: request.method,
    query: request.query,
    body: request.body,
    authorization: header(request, 'authorization'),
    visibility,
    mediaType,
    bypass: /\bno-cache\b/i.test(header(request, 'cache-control') ?? ''),
  };
}

/** How the reply to `request` is shaped; `debugAllowed`: this caller may see the explain (guards.ts). */
export function replyShapeOf(
  request: HttpGraphqlRequest,
  debugAllowed: boolean,
  tagHeaders?: ReplyShape['tagHeaders'],
): ReplyShape {
  return {
    isGet: request.method === 'GET',
    debug: debugAllowed && header(request, DEBUG_HEADER) === '1',
    ifNoneMatch: header(request, 'if-none-match'),
    tagHeaders,
  };
}

function header(request: Pick<HttpGraphqlRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

type Entry = Extract<ResponseAnswer, { kind: 'entry' }>;
type Computed = Extract<ResponseAnswer, { kind: 'computed' }>;

export function cacheReply(answer: ResponseAnswer, shape: ReplyShape): CacheReply {
  if (answer.kind === 'entry') return entryReply(answer, shape);
  const { response } = answer;
  if (answer.kind === 'passed') {
    return { status: response.status, headers: response.headers, body: response.body.kind === 'complete' ? response.body.string : response.body.asyncIterator };
  }
  return computedReply(answer, shape);
}

/** A stored entry: its exact bytes, and for GET the headers a browser or CDN caches by. */
export function entryReply(answer: Entry, shape: ReplyShape): CacheReply {
  const { entry, ageMs } = answer.found;
  const headers: Array<[string, string]> = [[CACHE_HEADER, answer.outcome]];
  if (entry.contentType) headers.push(['content-type', entry.contentType]);
  if (shape.isGet) {
    // A hash per hit: only GET responses carry it.
    const etag = entityTagOf(answer.key, entry.stamp, entry.createdAt);
    const remaining = Math.max(0, Math.floor((entry.ttlMs - ageMs) / 1000));
    headers.push(['cache-control', `${answer.private ? 'private' : 'public'}, max-age=${remaining}`]);
    headers.push(['age', String(Math.floor(ageMs / 1000))]);
    headers.push(['etag', etag]);
    if (!answer.private && shape.tagHeaders) headers.push(...shape.tagHeaders(entry.tags));
    if (shape.ifNoneMatch && etagMatches(shape.ifNoneMatch, etag) && !shape.debug) {
      return { status: 304, headers, body: undefined };
    }
  }
  const body = shape.debug
    ? withDebug(entry.body, {
        hit: hitName(answer.outcome),
        age: Math.floor(ageMs / 1000),
        ttl: Math.round(entry.ttlMs / 1000),
        tags: entry.tags,
        key: answer.key,
      })
    : entry.body;
  return { status: 200, headers, body };
}

function computedReply(answer: Computed, shape: ReplyShape): CacheReply {
  const { response, entry } = answer;
  // Apollo's own Cache-Control (from the hints) is replaced: what may be cached, and for how long, is decided here.
  const headers = response.headers.filter(([name]) => name !== 'cache-control');
  headers.push([CACHE_HEADER, answer.outcome]);
  if (shape.isGet) {
    if (entry) {
      headers.push(['cache-control', `${answer.private ? 'private' : 'public'}, max-age=${Math.floor(entry.ttlMs / 1000)}`]);
      headers.push(['age', '0']);
      headers.push(['etag', entityTagOf(answer.key, entry.stamp, entry.createdAt)]);
      if (!answer.private && shape.tagHeaders) headers.push(...shape.tagHeaders(entry.tags));
    } else {
      headers.push(['cache-control', 'no-store']);
    }
  }
  if (response.body.kind !== 'complete') return { status: response.status, headers, body: response.body.asyncIterator };
  const body = shape.debug
    ? withDebug(response.body.string, {
        hit: hitName(answer.outcome),
        age: 0,
        ttl: entry ? Math.round(entry.ttlMs / 1000) : null,
        tags: entry?.tags ?? answer.tags,
        key: answer.key,
        ...(entry ? {} : { reason: answer.reason ?? 'not cached' }),
      })
    : response.body.string;
  return { status: response.status, headers, body };
}

function hitName(outcome: string): string {
  return outcome === 'HIT-L1' ? 'L1' : outcome === 'HIT-L2' ? 'L2' : outcome;
}

/** An ETag that changes whenever the entry is recomputed, which an invalidation of any of its tags forces. */
function entityTagOf(key: string, stamp: number, createdAt: number): string {
  const hash = createHash('sha256');
  // Length-prefixed parts: unambiguous whatever characters they hold.
  for (const part of ['e1', key, String(stamp), String(createdAt)]) hash.update(`${Buffer.byteLength(part)}:`).update(part);
  return `"${hash.digest('base64url').slice(0, 27)}"`;
}

function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** Adds `extensions.cache` to a JSON body. Only for debug requests, whose responses are never stored. */
function withDebug(body: string, cache: Record<string, unknown>): string {
  try {
    const parsed = JSON.parse(body);
    parsed.extensions = { ...(parsed.extensions ?? {}), cache };
    return JSON.stringify(parsed);
  } catch {
    return body;
  }
}
