// Whole-response caching. The key is computed before Apollo parses anything (operation.ts), so a hit never enters
// Apollo: it is a lookup of the stored bytes. A miss computes the response through the caller's `compute` (http/
// runs Apollo); the Apollo plugin (apollo-plugin.ts) reports on the request state whether the result may be
// stored, for how long and for whom, and the exact body Apollo produced is stored. The answer says what happened
// (an entry, a computed response, a request the cache does not handle); http/cache-replies.ts turns it into HTTP
// (ETag, 304, Cache-Control, the x-beacon-cache header).
//
// Never stored: mutations, introspection, cacheStats, responses with errors, responses built from a field served
// stale, PRIVATE responses without an Authorization header, and anything Apollo did not finish as one JSON body.
import { LRUCache } from 'lru-cache';
import type { AheadRead, CacheEngine, Found } from './engine.js';
import { hashParts, type KeySpace, sessionAudience } from './keys.js';
import { OperationReader, type OperationRequest, type OperationSource } from './operation.js';
import { RawRequests } from './raw-requests.js';
import { RequestCacheState } from './request-state.js';
import type { CacheEntry } from './store.js';

export type CacheOutcome = 'HIT-L1' | 'HIT-L2' | 'MISS' | 'STALE' | 'BYPASS';

/** What Apollo produced for one request (http/server.ts adapts executeHTTPGraphQLRequest to this). */
export interface ExecutedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: { kind: 'complete'; string: string } | { kind: 'chunked'; asyncIterator: AsyncIterable<string> };
}

/** Computes the response (runs the request through Apollo) with the given cache state on its context. */
export type ComputeResponse = (state: RequestCacheState) => Promise<ExecutedResponse>;

/** One request, as the response cache needs it. http/ reads the headers; the cache sees their meaning. */
export interface ResponseRequest extends OperationSource {
  authorization: string | undefined;
  /** The caller's visibility (auth/principal.ts visibilityScope): part of every key, so teams never share an entry. */
  visibility: string;
  /** The media type the response is sent in (http/ negotiates it from Accept): part of the key. */
  mediaType: string;
  /** The client asked for a recompute (Cache-Control: no-cache): no lookup, the result is stored. */
  bypass: boolean;
}

/**
 * What the response cache did: `passed` a request it does not handle (not a query it can key) to `compute`;
 * found an `entry` to serve; or `computed` a response, stored as `entry` unless `reason` says why not.
 */
export type ResponseAnswer =
  | { kind: 'passed'; response: ExecutedResponse }
  | { kind: 'entry'; outcome: CacheOutcome; found: Found; key: string; private: boolean }
  | {
      kind: 'computed';
      outcome: CacheOutcome;
      response: ExecutedResponse;
      entry: CacheEntry | undefined;
      reason: string | undefined;
      key: string;
      private: boolean;
      /** The tags the response depended on (for the debug explain). */
      tags: readonly string[];
    };

/**
 * A POST /graphql request as the fast lane (http/fast-lane.ts) holds it before Fastify: the body's bytes as a
 * latin1 string (see raw-requests.ts), the caller's visibility and the negotiated media type, which pick the key.
 */
export interface RawQuery {
  raw: string;
  mediaType: string;
  visibility: string;
}

/**
 * What the fast lane's lookup found: a fresh hit to send; a miss under `key` (the full path then skips its own
 * lookup: see `missedKey`); or nothing it can decide (bytes never keyed, a PRIVATE document, an entry to serve
 * stale): the full path handles the request as if the fast lane had not looked.
 */
export type RawLookup =
  | { kind: 'hit'; found: Found; key: string; operationName: string | undefined }
  | { kind: 'miss'; key: string }
  | { kind: 'unknown' };

const UNKNOWN: RawLookup = { kind: 'unknown' };

/** What the fast lane makes of a lookup: a stale entry is served by the full path, which also starts its refresh; a
 * reserve one is only a fallback. */
function rawOutcome(found: Found | undefined, key: string, operationName: string | undefined): RawLookup {
  if (!found) return { kind: 'miss', key };
  return found.freshness === 'fresh' ? { kind: 'hit', found, key, operationName } : UNKNOWN;
}

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

interface Keyed {
  operation: OperationRequest;
  key: string;
  /** Keyed per session (the document is known to answer PRIVATE data). */
  private: boolean;
  request: ResponseRequest;
}

const MAX_REMEMBERED_PRIVATE = 10_000;
const PRIVATE_WITHOUT_AUTHORIZATION = 'PRIVATE data without an Authorization header';

export class ResponseCache {
  private readonly reader = new OperationReader();
  private readonly rawRequests = new RawRequests();
  /** Documents whose responses turned out PRIVATE: from then on they are keyed (and shared) per session only. */
  private readonly privateDocuments = new LRUCache<string, true>({ max: MAX_REMEMBERED_PRIVATE });

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
   * keyed before as a PUBLIC query is keyed again without parsing, and once the read may judge entries (the turn's
   * clock sync) a fresh entry is found in L1 synchronously, else through the full lookup (L2). `done` gets the
   * outcome; no promise is made on the way to an L1 hit. Counts nothing but the lookup's tier misses: the caller
   * counts a hit it serves (rawHit); a miss is counted by the full path, which computes it.
   */
  lookupRaw(request: RawQuery, done: (result: RawLookup) => void): void {
    const remembered = this.rawRequests.get(request.raw);
    if (!remembered) return done(UNKNOWN);
    const { operation } = remembered;
    if (this.privateDocuments.has(operation.documentId)) return done(UNKNOWN);
    const { visibility, mediaType } = request;
    let byMediaType = remembered.keys.get(visibility);
    if (byMediaType === undefined) remembered.keys.set(visibility, (byMediaType = new Map()));
    let known = byMediaType.get(mediaType);
    if (known === undefined) {
      known = this.keys.response({ ...operation, audience: `PUBLIC|${visibility}|${mediaType}` });
      byMediaType.set(mediaType, known);
    }
    const key = known;
    const name = operation.operationName;
    // Not in L1: its L2 read goes out now, with the turn's clock read, and is judged once synced.
    const ahead = this.engine.readAhead(key);
    this.engine.whenSynced(() => this.lookupRawSynced(key, name, done, ahead));
  }

  /** lookupRaw once entries may be judged for this request (engine.whenSynced). */
  private lookupRawSynced(key: string, operationName: string | undefined, done: (result: RawLookup) => void, ahead: AheadRead | undefined): void {
    const found = this.engine.peekFresh(key);
    if (found) return done({ kind: 'hit', found, key, operationName });
    if (ahead) return this.engine.lookupAhead(key, ahead, (later) => done(rawOutcome(later, key, operationName)));
    this.engine.lookup(key, true, true).then(
      (later) => done(rawOutcome(later, key, operationName)),
      () => done(UNKNOWN),
    );
  }

  /** Counts a fast-lane hit: the answer the full path gives the same request. */
  rawHit(hit: Extract<RawLookup, { kind: 'hit' }>, startedAt: number): Extract<ResponseAnswer, { kind: 'entry' }> {
    const { found } = hit;
    this.engine.stats.hit(found.tier, 'operation', hit.operationName ?? '(anonymous)', performance.now() - startedAt);
    return { kind: 'entry', outcome: found.tier === 'L1' ? 'HIT-L1' : 'HIT-L2', found, key: hit.key, private: false };
  }

  /** Get-or-compute of one response (engine.getOrCompute, shared with the field cache). */
  async respond(request: ResponseRequest, compute: ComputeResponse, handedOn?: HandedOn): Promise<ResponseAnswer> {
    const startedAt = performance.now();
    const { authorization } = request;
    const operation = this.reader.read(request);
    if (!operation || operation.type !== 'query') {
      // Not a query we can key: Apollo handles it (and its errors) as if there were no cache.
      return { kind: 'passed', response: await compute(new RequestCacheState({ authorization })) };
    }
    // Reached only past the HTTP checks (strict JSON, operation limits): these bytes key this way from now on.
    if (handedOn && request.method === 'POST') this.rawRequests.remember(handedOn.raw, operation);
    const isPrivate = this.privateDocuments.has(operation.documentId);
    const audience = isPrivate ? (authorization ? sessionAudience(authorization) : undefined) : 'PUBLIC';
    const keyed: Keyed = {
      operation,
      // The media type is part of the key: two requests share an entry only if they get the same content type.
      key: this.keys.response({ ...operation, audience: `${audience}|${request.visibility}|${request.mediaType}` }),
      private: isPrivate,
      request,
    };
    if (audience === undefined) {
      const response = await compute(new RequestCacheState({ authorization }));
      return { kind: 'computed', outcome: 'MISS', response, entry: undefined, reason: PRIVATE_WITHOUT_AUTHORIZATION, key: keyed.key, private: true, tags: [] };
    }
    if (request.bypass) {
      this.engine.stats.bypasses += 1;
      return this.answerComputed(keyed, await this.compute(keyed, compute, audience), 'BYPASS');
    }
    const got = await this.engine.getOrCompute<Computed>({
      key: keyed.key,
      kind: 'operation',
      name: operation.operationName ?? '(anonymous)',
      startedAt,
      // Concurrent identical misses share one execution, but only within one session: a response that turns out
      // PRIVATE must never reach another session, even once.
      flightKey: authorization ? `${keyed.key}|${hashParts(['a', authorization])}` : keyed.key,
      // The fast lane looked this key up a moment ago and missed; anything stored since is caught as stored meanwhile.
      skipLookup: handedOn?.missedKey === keyed.key,
      compute: () => this.compute(keyed, compute, audience),
      refresh: () => this.compute(keyed, compute, audience),
      failed: failedUpstream,
    });
    if (got.kind === 'found') {
      const { found } = got;
      const outcome = got.stale ? 'STALE' : found.tier === 'L1' ? 'HIT-L1' : 'HIT-L2';
      return { kind: 'entry', outcome, found, key: keyed.key, private: isPrivate };
    }
    const computed = got.value;
    if (!got.shared) this.engine.stats.miss('operation', operation.operationName ?? '(anonymous)', performance.now() - startedAt);
    return this.answerComputed(keyed, computed, computed.state.staleServed ? 'STALE' : 'MISS');
  }

  private answerComputed(keyed: Keyed, computed: Computed, outcome: CacheOutcome): ResponseAnswer {
    const { response, entry, reason, state } = computed;
    const isPrivate = keyed.private || state.policy?.scope === 'PRIVATE';
    return { kind: 'computed', outcome, response, entry, reason, key: keyed.key, private: isPrivate, tags: state.deps.tags };
  }

  /** Runs the request in Apollo and stores the result when everything the plugin saw allows it. */
  private async compute(keyed: Keyed, compute: ComputeResponse, audience: string): Promise<Computed> {
    const { authorization, visibility, mediaType } = keyed.request;
    // The stamp must be *known* before Apollo reads any data (versions.ts), not merely requested: Redis may answer
    // the clock read after the database answered a resolver, and after a write committed and bumped the clock in
    // between, the entry would carry a stamp newer than the data it holds, and be served after the write as valid.
    // So the request waits for it (one round trip on a miss; concurrent reads share it, versions.ts).
    const stamp = await this.engine.stamp();
    const state = new RequestCacheState({ authorization, stamp });
    const response = await compute(state);
    let reason = whyNotStorable(response, state);
    let key = keyed.key;
    if (!reason && state.policy!.scope === 'PRIVATE') {
      this.privateDocuments.set(keyed.operation.documentId, true);
      if (!authorization) reason = PRIVATE_WITHOUT_AUTHORIZATION;
      else if (audience === 'PUBLIC') {
        key = this.keys.response({ ...keyed.operation, audience: `${sessionAudience(authorization)}|${visibility}|${mediaType}` });
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
          name: keyed.operation.operationName ?? '(anonymous)',
        },
        (await state.storeStamp())!,
      );
      if (!entry) reason = 'invalidated while it was computed';
    }
    return { response, state, entry, reason };
  }
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
