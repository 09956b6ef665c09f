// Whole-response caching at the HTTP edge. The key is computed before Apollo parses anything (operation.ts), so a
// hit never enters Apollo: it is a lookup and a write of the stored bytes. A miss runs Apollo through `execute`;
// the Apollo plugin (apollo-plugin.ts) reports on the request state whether the result may be stored, for how long
// and for whom, and the exact body Apollo produced is stored.
//
// Never stored: mutations, introspection, cacheStats, responses with errors, responses built from a field served
// stale, PRIVATE responses without an Authorization header, and anything Apollo did not finish as one JSON body.
import { LRUCache } from 'lru-cache';
import Negotiator from 'negotiator';
import type { CacheEngine, Found } from './engine.js';
import { entityTagOf, hashParts, type KeySpace, sessionScope } from './keys.js';
import { OperationReader, type HttpGraphqlRequest, type OperationRequest } from './operation.js';
import { RawRequests } from './raw-requests.js';
import { RequestCacheState } from './request-state.js';
import type { CacheEntry } from './store.js';

export const CACHE_HEADER = 'x-beacon-cache';
export const DEBUG_HEADER = 'x-beacon-cache-debug';

export type CacheOutcome = 'HIT-L1' | 'HIT-L2' | 'MISS' | 'STALE' | 'BYPASS';

/** What Apollo produced for one request (server.ts adapts executeHTTPGraphQLRequest to this). */
export interface ExecutedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: { kind: 'complete'; string: string } | { kind: 'chunked'; asyncIterator: AsyncIterable<string> };
}

/** Runs the request through Apollo with the given cache state on its context. */
export type Execute = (state: RequestCacheState) => Promise<ExecutedResponse>;

export interface CacheReply {
  status: number;
  headers: Array<[string, string]>;
  body: string | AsyncIterable<string> | undefined;
}

/**
 * A POST /graphql request as the fast lane (http/fast-lane.ts) holds it before Fastify: the body's bytes as a
 * latin1 string (see raw-requests.ts) and the one header that picks the key.
 */
export interface RawQuery {
  raw: string;
  accept: string | undefined;
  /** What the caller may see (auth/principal.ts visibilityScope): part of every key. */
  scope: string;
}

/**
 * What the fast lane's lookup found: a fresh hit to send; a miss under `key` (the full path then skips its own
 * lookup: see `missedKey`); or nothing it can decide (bytes never keyed, a PRIVATE document, an entry to serve
 * stale): the full path handles the request as if the fast lane had not looked.
 */
export type RawLookup = { kind: 'hit'; found: Found; context: Context } | { kind: 'miss'; key: string } | { kind: 'unknown' };

const UNKNOWN: RawLookup = { kind: 'unknown' };

/** The full path's view of a request the fast lane handed on (server.ts passes it with the request). */
export interface HandedOn {
  /** The body's bytes (latin1), remembered once keyed so that the next identical body takes the fast lane. */
  raw: string;
  /** The key the fast lane looked up and missed just now. */
  missedKey?: string;
}

interface Computed {
  response: ExecutedResponse;
  state: RequestCacheState;
  entry: CacheEntry | undefined;
  reason: string | undefined;
}

interface Context {
  operation: OperationRequest;
  key: string;
  /** The caller's visibility (which teams' data it may see), part of every key: teams never share an entry. */
  visibility: string;
  /** Keyed per session (the document is known to answer PRIVATE data). */
  private: boolean;
  authorization: string | undefined;
  accept: string;
  isGet: boolean;
  debug: boolean;
  ifNoneMatch: string | undefined;
}

const MAX_REMEMBERED_PRIVATE = 10_000;
const NON_PREFLIGHTED_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export class ResponseCache {
  private readonly reader = new OperationReader();
  private readonly rawRequests = new RawRequests();
  /** Documents whose responses turned out PRIVATE: from then on they are keyed (and shared) per session only. */
  private readonly privateDocuments = new LRUCache<string, true>({ max: MAX_REMEMBERED_PRIVATE });
  /** Extra headers of a public response a shared cache may keep, from its tags (http/cdn-tags.ts); set by the app. */
  tagHeaders: ((tags: readonly string[]) => Array<[string, string]>) | undefined;

  constructor(
    private readonly engine: CacheEngine,
    private readonly keys: KeySpace,
  ) {}

  /** See OperationReader.learnPersisted. */
  learnPersisted(hash: string, query: string): void {
    this.reader.learnPersisted(hash, query);
  }

  /**
   * The fast lane's lookup (http/fast-lane.ts), before Fastify has parsed anything: a body whose exact bytes were
   * keyed before as a PUBLIC query is keyed again without parsing, and a fresh entry is found in L1 synchronously
   * (no promise), else through the full lookup (L2). Counts nothing but the lookup's tier misses: the caller counts a
   * hit it serves (countRawHit); a miss is counted by the full path, which computes it.
   */
  lookupRaw(request: RawQuery): RawLookup | Promise<RawLookup> {
    const remembered = this.rawRequests.get(request.raw);
    if (!remembered) return UNKNOWN;
    const { operation } = remembered;
    if (this.privateDocuments.has(operation.documentId)) return UNKNOWN;
    const accept = responseMediaType(request.accept);
    if (accept === undefined) return UNKNOWN;
    const visibility = request.scope;
    const keyed = `${visibility}|${accept}`;
    let key = remembered.keys.get(keyed);
    if (key === undefined) {
      key = this.keys.response({ ...operation, scope: `PUBLIC|${keyed}` });
      remembered.keys.set(keyed, key);
    }
    const context: Context = { operation, key, visibility, private: false, authorization: undefined, accept, isGet: false, debug: false, ifNoneMatch: undefined };
    if (!this.engine.syncsReads) return this.lookupRawSynced(key, context);
    return this.engine.sync().then(() => this.lookupRawSynced(key, context));
  }

  /** lookupRaw once entries may be judged for this request (engine.sync()). */
  private lookupRawSynced(key: string, context: Context): RawLookup | Promise<RawLookup> {
    const found = this.engine.peekFresh(key);
    if (found) return { kind: 'hit', found, context };
    return this.engine.lookup(key, true, true).then((later): RawLookup => {
      if (!later) return { kind: 'miss', key: context.key };
      // A stale entry is served by the full path, which also starts its refresh; a reserve one is only a fallback.
      return later.freshness === 'fresh' ? { kind: 'hit', found: later, context } : UNKNOWN;
    });
  }

  /** Counts a fast-lane hit and builds its reply: the full path's reply to the same POST, header for header. */
  replyRawHit(hit: Extract<RawLookup, { kind: 'hit' }>, startedAt: number): CacheReply {
    const { found, context } = hit;
    this.engine.stats.hit(found.tier, 'operation', context.operation.operationName ?? '(anonymous)', performance.now() - startedAt);
    return this.replyEntry(context, found, found.tier === 'L1' ? 'HIT-L1' : 'HIT-L2');
  }

  async handle(request: HttpGraphqlRequest, execute: Execute, handedOn?: HandedOn): Promise<CacheReply> {
    const started = performance.now();
    const authorization = header(request, 'authorization');
    const operation = this.reader.read(request);
    if (!operation || operation.type !== 'query' || !passesCsrfCheck(request)) {
      // Not a query we can key: Apollo handles it (and its errors) as if there were no cache.
      const response = await execute(new RequestCacheState({ authorization }));
      return passThrough(response);
    }
    // Reached only past the HTTP checks (strict JSON, operation limits): these bytes key this way from now on.
    if (handedOn && request.method === 'POST') this.rawRequests.remember(handedOn.raw, operation);
    // The explain shows keys and tags: for admins, or outside production (http/guards.ts debugAllowed).
    const debug = header(request, DEBUG_HEADER) === '1' && request.debugAllowed !== false;
    const visibility = request.scope ?? 'vis:public';
    const bypass = /\bno-cache\b/i.test(header(request, 'cache-control') ?? '');
    const isPrivate = this.privateDocuments.has(operation.documentId);
    if (isPrivate && !authorization) {
      const computed = await this.run(execute, authorization, false);
      return this.reply(computed.response, 'MISS', undefined, debugInfo(debug, 'MISS', undefined, 'PRIVATE data without an Authorization header'));
    }
    const accept = responseMediaType(header(request, 'accept'));
    if (accept === undefined) return passThrough(await execute(new RequestCacheState({ authorization })));
    const scope = isPrivate ? sessionScope(authorization!) : 'PUBLIC';
    const context: Context = {
      operation,
      // The Accept header picks the response's content type: two requests share an entry only if they get the same.
      key: this.keys.response({ ...operation, scope: `${scope}|${visibility}|${accept}` }),
      visibility,
      private: isPrivate,
      authorization,
      accept,
      isGet: request.method === 'GET',
      debug,
      ifNoneMatch: header(request, 'if-none-match'),
    };
    const name = operation.operationName ?? '(anonymous)';

    if (bypass) {
      this.engine.stats.bypasses += 1;
      const computed = await this.compute(context, execute, scope);
      return this.replyComputed(context, computed, 'BYPASS');
    }

    // The fast lane looked this key up a moment ago and missed: a second lookup (a second Redis round trip) would
    // find the same, and anything stored since is caught by storedMeanwhile below.
    const found = handedOn?.missedKey === context.key ? undefined : await this.engine.lookup(context.key);
    if (found && found.freshness !== 'reserve') {
      this.engine.stats.hit(found.tier, 'operation', name, performance.now() - started);
      if (found.freshness === 'fresh') return this.replyEntry(context, found, found.tier === 'L1' ? 'HIT-L1' : 'HIT-L2');
      this.engine.stats.tiers[found.tier].staleServed += 1;
      this.engine.refreshInBackground(context.key, () => this.compute(context, execute, scope));
      return this.replyEntry(context, found, 'STALE');
    }

    // An identical execution may have finished (and stored its entry) while this lookup waited on Redis.
    const meanwhile = this.engine.storedMeanwhile(context.key);
    if (meanwhile) {
      this.engine.stats.hit('L1', 'operation', name, performance.now() - started);
      return this.replyEntry(context, meanwhile, 'HIT-L1');
    }
    // Concurrent identical misses share one execution, but only within one session: a response that turns out
    // PRIVATE must never reach another session, even once.
    const flightKey = authorization ? `${context.key}|${hashParts(['a', authorization])}` : context.key;
    let computed: Computed;
    let shared: boolean;
    try {
      ({ value: computed, shared } = await this.engine.flight(flightKey, () => this.compute(context, execute, scope)));
    } catch (error) {
      const fallback = await this.staleIfError(context.key);
      if (!fallback) throw error;
      return this.replyEntry(context, fallback, 'STALE');
    }
    if (failedUpstream(computed)) {
      const fallback = await this.staleIfError(context.key);
      if (fallback) return this.replyEntry(context, fallback, 'STALE');
    }
    if (!shared) this.engine.stats.miss('operation', name, performance.now() - started);
    return this.replyComputed(context, computed, computed.state.staleServed ? 'STALE' : 'MISS');
  }

  /** Runs the request in Apollo and stores the result when everything the plugin saw allows it. */
  private async compute(context: Context, execute: Execute, scope: string): Promise<Computed> {
    const { response, state } = await this.run(execute, context.authorization, true);
    let reason = whyNotStorable(response, state);
    let key = context.key;
    if (!reason && state.policy!.scope === 'PRIVATE') {
      this.privateDocuments.set(context.operation.documentId, true);
      if (!context.authorization) reason = 'PRIVATE data without an Authorization header';
      else if (scope === 'PUBLIC') {
        const privateScope = `${sessionScope(context.authorization)}|${context.visibility}|${context.accept}`;
        key = this.keys.response({ ...context.operation, scope: privateScope });
      }
    }
    let entry: CacheEntry | undefined;
    if (!reason) {
      const body = (response.body as { string: string }).string;
      const contentType = response.headers.find(([name]) => name === 'content-type')?.[1];
      entry = await this.engine.store(
        key,
        {
          body,
          ...(contentType ? { contentType } : {}),
          tags: state.deps.clocks,
          ttlMs: state.policy!.maxAgeSeconds * 1000,
          name: context.operation.operationName ?? '(anonymous)',
        },
        (await state.storeStamp())!,
      );
      if (!entry) reason = 'invalidated while it was computed';
    }
    return { response, state, entry, reason };
  }

  private async run(execute: Execute, authorization: string | undefined, stamped: boolean) {
    // The stamp must be *known* before Apollo reads any data (versions.ts), not merely requested: Redis may answer
    // the clock read after the database answered a resolver, and after a write committed and bumped the clock in
    // between, the entry would carry a stamp newer than the data it holds, and be served after the write as valid.
    // So the request waits for it (one round trip on a miss; concurrent reads share it, versions.ts).
    const stamp = stamped ? await this.engine.stamp() : undefined;
    const state = new RequestCacheState({ authorization, ...(stamp ? { stamp } : {}) });
    const response = await execute(state);
    return { response, state };
  }

  private async staleIfError(key: string): Promise<Found | undefined> {
    // Looked up again: an invalidation may have landed meanwhile, and lookup never returns an invalidated entry.
    const found = await this.engine.lookup(key, true, false, true);
    if (found) this.engine.stats.tiers[found.tier].staleServed += 1;
    return found;
  }

  private replyEntry(context: Context, found: Found, outcome: CacheOutcome): CacheReply {
    const { entry, ageMs } = found;
    const headers: Array<[string, string]> = [[CACHE_HEADER, outcome]];
    if (entry.contentType) headers.push(['content-type', entry.contentType]);
    if (context.isGet) {
      // A hash per hit: only GET responses carry it.
      const etag = entityTagOf(context.key, entry.stamp, entry.createdAt);
      const remaining = Math.max(0, Math.floor((entry.ttlMs - ageMs) / 1000));
      headers.push(['cache-control', `${context.private ? 'private' : 'public'}, max-age=${remaining}`]);
      headers.push(['age', String(Math.floor(ageMs / 1000))]);
      headers.push(['etag', etag]);
      if (!context.private && this.tagHeaders) headers.push(...this.tagHeaders(entry.tags));
      if (context.ifNoneMatch && etagMatches(context.ifNoneMatch, etag) && !context.debug) {
        return { status: 304, headers, body: undefined };
      }
    }
    const body = context.debug
      ? withDebug(entry.body, {
          hit: outcome === 'HIT-L1' ? 'L1' : outcome === 'HIT-L2' ? 'L2' : outcome,
          age: Math.floor(ageMs / 1000),
          ttl: Math.round(entry.ttlMs / 1000),
          tags: entry.tags,
          key: context.key,
        })
      : entry.body;
    return { status: 200, headers, body };
  }

  private replyComputed(context: Context, computed: Computed, outcome: CacheOutcome): CacheReply {
    const { response, entry, reason } = computed;
    const extra: Array<[string, string]> = [];
    if (context.isGet) {
      if (entry) {
        const visibility = context.private || computed.state.policy?.scope === 'PRIVATE' ? 'private' : 'public';
        extra.push(['cache-control', `${visibility}, max-age=${Math.floor(entry.ttlMs / 1000)}`]);
        extra.push(['age', '0']);
        extra.push(['etag', entityTagOf(context.key, entry.stamp, entry.createdAt)]);
        if (visibility === 'public' && this.tagHeaders) extra.push(...this.tagHeaders(entry.tags));
      } else {
        extra.push(['cache-control', 'no-store']);
      }
    }
    const info = debugInfo(context.debug, outcome, entry, reason, context.key, computed.state.deps.tags);
    return this.reply(response, outcome, extra, info);
  }

  private reply(
    response: ExecutedResponse,
    outcome: CacheOutcome,
    extra: Array<[string, string]> | undefined,
    debug: Record<string, unknown> | undefined,
  ): CacheReply {
    const headers = response.headers.filter(([name]) => name !== 'cache-control');
    headers.push([CACHE_HEADER, outcome], ...(extra ?? []));
    if (response.body.kind !== 'complete') return { status: response.status, headers, body: response.body.asyncIterator };
    const body = debug ? withDebug(response.body.string, debug) : response.body.string;
    return { status: response.status, headers, body };
  }
}

function passThrough(response: ExecutedResponse): CacheReply {
  return {
    status: response.status,
    headers: response.headers,
    body: response.body.kind === 'complete' ? response.body.string : response.body.asyncIterator,
  };
}

/** Why a computed response may not be stored, or undefined when it may. */
function whyNotStorable(response: ExecutedResponse, state: RequestCacheState): string | undefined {
  if (response.status !== 200 || response.body.kind !== 'complete') return `status ${response.status} or a streamed body`;
  if (state.operationType !== 'query') return state.noStoreReason ?? 'not a query';
  if (state.noStoreReason) return state.noStoreReason;
  if (state.hasErrors) return 'responses with errors are never cached';
  if (state.staleServed) return 'built from a field served stale';
  if (!state.policy || state.policy.maxAgeSeconds <= 0) return 'its @cacheControl hints allow no caching (maxAge 0)';
  if (!state.stamp) return 'no stamp';
  return undefined;
}

/**
 * Error codes of a data source that failed, not of a request that was wrong (graphql/faults.ts): the database down
 * or its pool exhausted (SERVICE_UNAVAILABLE), a statement over its time (TIMEOUT), anything unexpected.
 */
const UPSTREAM_FAILURES = ['"INTERNAL_SERVER_ERROR"', '"SERVICE_UNAVAILABLE"', '"TIMEOUT"'];

/** A recompute that failed because of the server (database down, timeout): the case for stale-if-error. */
function failedUpstream(computed: Computed): boolean {
  if (computed.response.status >= 500) return true;
  if (!computed.state.hasErrors || computed.response.body.kind !== 'complete') return false;
  const body = computed.response.body.string;
  return UPSTREAM_FAILURES.some((code) => body.includes(code));
}

function debugInfo(
  debug: boolean,
  outcome: CacheOutcome,
  entry: CacheEntry | undefined,
  reason: string | undefined,
  key?: string,
  tags?: readonly string[],
): Record<string, unknown> | undefined {
  if (!debug) return undefined;
  return {
    hit: outcome === 'HIT-L1' ? 'L1' : outcome === 'HIT-L2' ? 'L2' : outcome,
    age: 0,
    ttl: entry ? Math.round(entry.ttlMs / 1000) : null,
    tags: entry?.tags ?? tags ?? [],
    key: key ?? null,
    ...(entry ? {} : { reason: reason ?? 'not cached' }),
  };
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

// Apollo's own choice of content type for a single result, made the same way (negotiator), before Apollo runs.
const MEDIA_TYPES = ['application/json; charset=utf-8', 'application/graphql-response+json; charset=utf-8'];

const MAX_REMEMBERED_ACCEPTS = 256;
/** Clients send a handful of Accept values over and over: each is negotiated once (undefined: none acceptable). */
const negotiated = new Map<string, string | undefined>();

export function responseMediaType(accept: string | undefined): string | undefined {
  if (!accept) return MEDIA_TYPES[0];
  if (negotiated.has(accept)) return negotiated.get(accept);
  const chosen = new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES);
  if (negotiated.size >= MAX_REMEMBERED_ACCEPTS) negotiated.clear();
  negotiated.set(accept, chosen);
  return chosen;
}

function header(request: Pick<HttpGraphqlRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The CSRF rule (http/guards.ts applies it to every request; here it is applied again before a hit bypasses the
 * rest): a POST must be one a browser preflights, so a cross-site form cannot send it; a GET needs nothing, since
 * over GET only queries run and Beacon's credentials are bearer keys a browser never attaches on its own
 * (docs/clients.md). Apollo's rule (its csrfPrevention, now off) asked GETs for a preflight header too, which
 * urql's and graphql-request's GETs do not send.
 */
export function passesCsrfCheck(request: Pick<HttpGraphqlRequest, 'method' | 'headers'>): boolean {
  if (request.method === 'GET') return true;
  const contentType = header(request, 'content-type');
  if (contentType !== undefined) {
    const essence = contentType.split(';')[0]!.trim().toLowerCase();
    if (essence !== '' && !NON_PREFLIGHTED_CONTENT_TYPES.includes(essence)) return true;
  }
  return ['x-apollo-operation-name', 'apollo-require-preflight'].some((name) => (header(request, name) ?? '') !== '');
}

function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => {
    return candidate.trim().replace(/^W\//, '') === etag;
  });
}
