// The fast lane: cache hits answered before Fastify. A hit is a lookup and a write of stored bytes; through Fastify
// it also paid for routing, eight hooks, JSON parsing, the document checks and the reply pipeline, several times the
// cost of the hit itself (bench/: docs/benchmarks.md has the profile). So the node:http server hands every request
// to the fast lane first, which answers the ones it is sure of and hands everything else to Fastify, untouched
// except that the body it read is replayed (Fastify's preParsing hook, server.ts).
//
// Kept because it still pays (npm run bench, scenario a, 2026-12-05, runs alternating with and without it on a
// 2-core machine at load 7-14, medians of 3): a hit served here is 0.69 of the bound at 0.068 ms of CPU; served
// inside Fastify after its hooks and body parsing (CACHE_FAST_LANE=off: what a preHandler-hook short-circuit pays,
// since an onRequest hook cannot see the body yet) 0.41 of the bound at 0.129 ms, nearly twice the CPU per hit.
//
// It answers only a POST /graphql with a JSON body of at most 16 KB, no Cache-Control and no debug header, whose exact
// bytes the full path has keyed before as a PUBLIC query (cache/raw-requests.ts: the bytes were then read as strict
// UTF-8 JSON and passed the document checks, which depend on nothing else), and only with a fresh valid entry.
// Anything else, including a miss, a stale entry and a request the rate limit refuses, takes the full path; a miss
// carries its key along, so that the full path does not look it up a second time.
//
// What the full path does for every request, the fast lane does for the ones it answers, in the same words:
//   - CORS (cors.ts headersFor: the plugin's headers for the request's Origin, first, as its hook runs first);
//   - authentication (guards.peekPrincipal: only a caller known without waiting, whose visibility picks the key);
//   - the pre-checks (pre-checks.ts: one list both paths run, today the rate limit: same buckets, same headers);
//   - the request id (X-Request-Id) and the metrics, window and debug line of a served request (observability);
//   - the cache's counters (response-cache.ts rawHit), and the reply's headers and bytes (cache-replies.ts
//     entryReply: the same code builds both replies).
// A check that must also apply to cache hits belongs in the pre-check list, which both paths run; the rest of what
// Fastify does for a request (body parsing, the document checks) the fast lane skips because the bytes passed it
// before (test/integration/cache-fast-lane.test.ts compares the two paths' replies).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { visibilityScope, type Principal } from '../auth/principal.js';
import type { HandedOn, RawLookup, ResponseCache } from '../cache/index.js';
import { DEBUG_HEADER, entryReply } from './cache-replies.js';
import { passPreChecks, type PreCheck } from './pre-checks.js';
import { responseMediaType } from './media-status.js';

export const GRAPHQL_PATH = '/graphql';
/** Bodies above this go to Fastify (which applies the body limit); dashboards' queries are far smaller. */
export const FAST_LANE_MAX_BODY_BYTES = 16 * 1024;
/** Exactly the JSON content types the strict parser accepts without a second look (guards.ts: UTF-8 only). */
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8', 'application/json; charset=UTF-8']);

export interface FastLaneOptions {
  cache: ResponseCache;
  /** The body limit: the fast lane reads no more than this (nor more than FAST_LANE_MAX_BODY_BYTES). */
  bodyLimitBytes: number;
  /** What a request must pass before it is served: the full path's own list (guards.ts preChecks, pre-checks.ts). */
  preChecks: readonly PreCheck[];
  /** The CORS headers for a request's Origin (cors.ts); undefined when CORS is off. */
  cors?(origin: string | undefined): Array<[string, string]>;
  /**
   * The caller, when known without waiting (http/guards.ts peekPrincipal: a cached verification); undefined hands the
   * request on, and the full path verifies it. Its visibility picks the key (auth/principal.ts visibilityScope).
   */
  principal(request: IncomingMessage): Principal | undefined;
  /** The request id (X-Request-Id when usable, else a fresh one) and the header it is sent back in, if any. */
  requestId?: { header: string; of(request: IncomingMessage): string };
  /** Records a request answered here, as the full path's hooks record a request. */
  served?(operationName: string, outcome: string, durationMs: number, requestId: string): void;
}

type Next = (request: IncomingMessage, response: ServerResponse) => void;

interface Held extends HandedOn {
  body: Buffer;
}

type Hit = Extract<RawLookup, { kind: 'hit' }>;

const UNKNOWN: RawLookup = { kind: 'unknown' };

const READING = Symbol('fast lane body');

interface ReadState {
  lane: FastLane;
  response: ServerResponse;
  next: Next;
  chunks: Buffer[];
  started: number;
}

type Reading = IncomingMessage & { [READING]?: ReadState };

function onBodyData(this: Reading, chunk: Buffer): void {
  this[READING]?.chunks.push(chunk);
}

function onBodyEnd(this: Reading): void {
  const state = this[READING];
  this.off('data', onBodyData);
  this.off('error', onBodyError);
  this[READING] = undefined;
  state?.lane.bodyRead(this, state);
}

function onBodyError(this: Reading): void {
  this.off('data', onBodyData);
  this.off('end', onBodyEnd);
  this[READING] = undefined;
}

export class FastLane {
  private readonly held = new WeakMap<IncomingMessage, Held>();
  private readonly maxBodyBytes: number;
  private open = true;

  constructor(private readonly options: FastLaneOptions) {
    this.maxBodyBytes = Math.min(FAST_LANE_MAX_BODY_BYTES, options.bodyLimitBytes);
  }

  /** The node:http request listener: the fast lane first, then `next` (Fastify's handler). */
  listener(next: Next): Next {
    return (request, response) => {
      if (this.open && request.method === 'POST' && request.url === GRAPHQL_PATH && this.eligible(request)) this.read(request, response, next);
      else next(request, response);
    };
  }

  /** Once the server starts closing, everything goes to Fastify, which answers 503 while it drains. */
  close(): void {
    this.open = false;
  }

  /** For Fastify's preParsing hook: the body of a request the fast lane read and handed on, to be parsed again. */
  replay(request: IncomingMessage): Readable | undefined {
    const held = this.held.get(request);
    if (!held) return undefined;
    const stream = new PassThrough();
    // Fastify compares the bytes received with Content-Length; they are the same bytes.
    (stream as PassThrough & { receivedEncodedLength: number }).receivedEncodedLength = held.body.length;
    stream.end(held.body);
    return stream;
  }

  /** What the fast lane learnt about a request it handed on: its bytes, and the key it missed (if it looked). */
  handedOn(request: IncomingMessage): HandedOn | undefined {
    return this.held.get(request);
  }

  private eligible(request: IncomingMessage): boolean {
    const headers = request.headers;
    const length = headers['content-length'];
    if (length === undefined || headers['transfer-encoding'] !== undefined) return false;
    const bytes = Number(length);
    if (!(bytes > 0 && bytes <= this.maxBodyBytes)) return false;
    const type = headers['content-type'];
    return type !== undefined && JSON_TYPES.has(type) && headers['cache-control'] === undefined && headers[DEBUG_HEADER] === undefined;
  }

  private read(request: IncomingMessage, response: ServerResponse, next: Next): void {
    // The listeners are shared functions and the request's state one object: no closures per request.
    (request as Reading)[READING] = { lane: this, response, next, chunks: [], started: performance.now() };
    request.on('data', onBodyData);
    request.on('end', onBodyEnd);
    // A client gone before its body ended has no one to answer: nothing to hand on either.
    request.on('error', onBodyError);
  }

  /** The body has been read (onBodyEnd). */
  bodyRead(request: IncomingMessage, state: ReadState): void {
    const { chunks } = state;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    this.decide(request, state.response, state.next, body, state.started);
  }

  private decide(request: IncomingMessage, response: ServerResponse, next: Next, body: Buffer, started: number): void {
    const raw = body.toString('latin1');
    const principal = this.options.principal(request);
    if (!principal) return this.handOn(request, response, next, { raw, body });
    const mediaType = responseMediaType(request.headers.accept);
    if (mediaType === undefined) return this.handOn(request, response, next, { raw, body });
    let settled = false;
    try {
      // An inline callback, not a named one: tsx (esbuild keepNames) would name a named closure on every request.
      this.options.cache.lookupRaw({ raw, mediaType, visibility: visibilityScope(principal) }, (result) => {
        settled = true;
        this.settle(request, response, next, body, raw, result, started, principal);
      });
    } catch (error) {
      // A lookup that failed before it answered leaves the request to the full path; an error after is not its own.
      if (settled) throw error;
      this.settle(request, response, next, body, raw, UNKNOWN, started, principal);
    }
  }

  private settle(request: IncomingMessage, response: ServerResponse, next: Next, body: Buffer, raw: string, result: RawLookup, started: number, principal: Principal): void {
    if (result.kind === 'hit') {
      const passed = passPreChecks(this.options.preChecks, request, principal);
      if (passed) {
        try {
          this.serve(request, response, result, passed, started);
        } catch (error) {
          // A bug here must cost this request, not the process: before any byte went out, Fastify takes it over.
          if (response.headersSent) response.destroy(error as Error);
          else this.handOn(request, response, next, { raw, body });
        }
        return;
      }
    }
    this.handOn(request, response, next, { raw, body, ...(result.kind === 'miss' ? { missedKey: result.key } : {}) });
  }

  private serve(request: IncomingMessage, response: ServerResponse, hit: Hit, checkHeaders: Array<[string, string]>, started: number): void {
    const answer = this.options.cache.rawHit(hit, started);
    // Built by the code that builds the full path's reply to the same POST, header for header.
    const reply = entryReply(answer, { isGet: false, debug: false, ifNoneMatch: undefined });
    const body = reply.body as string;
    const { requestId } = this.options;
    const id = requestId ? requestId.of(request) : '';
    // In the order the full path sends them: CORS, request id, the pre-checks' (rate limit), cache, content type, length.
    const headers: string[] = [];
    if (this.options.cors) for (const [name, value] of this.options.cors(request.headers.origin)) headers.push(name, value);
    if (requestId) headers.push(requestId.header, id);
    for (const [name, value] of checkHeaders) headers.push(name, value);
    for (const [name, value] of reply.headers) headers.push(name, value);
    headers.push('content-length', String(Buffer.byteLength(body)));
    response.writeHead(reply.status, headers);
    response.end(body);
    this.options.served?.(hit.operationName ?? '(anonymous)', answer.outcome, performance.now() - started, id);
  }

  private handOn(request: IncomingMessage, response: ServerResponse, next: Next, held: Held): void {
    this.held.set(request, held);
    next(request, response);
  }
}
