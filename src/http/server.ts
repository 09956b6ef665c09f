// The HTTP surface: /graphql (POST, and GET for queries), the GraphiQL page on GET /graphql when a browser asks
// for HTML, its assets, and /health. Apollo executes; Fastify only moves bytes.
import type { ApolloServer } from '@apollo/server';
import { HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import http, { type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ExecutedResponse, RequestCacheState, ResponseCache } from '../cache/index.js';
import type { RequestContext, Services } from '../graphql/context.js';
import { createRequestContext } from '../graphql/context.js';
import { ErrorCode } from '../common/errors.js';
import { requestIdOf } from '../observability/request-context.js';
import type { Cors } from './cors.js';
import { ANONYMOUS, visibilityScope, type Principal } from '../auth/principal.js';
import { principalOf } from './authentication.js';
import { FastLane, type FastLaneOptions } from './fast-lane.js';
import { createAssetStore, GRAPHIQL_ASSET_PREFIX, graphiqlPage } from './graphiql.js';
import type { HttpGuards } from './guards.js';
import { cacheReply, replyShapeOf, responseRequestOf, type CacheReply, type ReplyShape } from './cache-replies.js';
import { firstErrorCode, statusForMediaType } from './media-status.js';
import { sendGraphqlError } from './replies.js';

export interface HttpOptions {
  apollo: ApolloServer<RequestContext>;
  services: Services;
  bodyLimitBytes: number;
  /** Whole-response cache, consulted before Apollo parses anything; undefined: every request goes to Apollo. */
  responseCache?: ResponseCache;
  /** Hardening (guards.ts): error shapes, strict UTF-8 JSON, rate limit, operation deadline, GraphiQL gate. */
  guards: HttpGuards;
  /** Request ids, metrics, /metrics, /health/live, /health/ready, /dashboard (observability/index.ts). */
  observability?: {
    install(app: FastifyInstance): void;
    /** The request id and the record of a request, for cache hits the fast lane answers before Fastify's hooks. */
    fastLane?: Pick<FastLaneOptions, 'requestId' | 'served'>;
  };
  /** Cache hits answered before Fastify (fast-lane.ts); default true when there is a response cache. */
  fastLane?: boolean;
  /** Time a client has to send its whole request (HTTP_REQUEST_TIMEOUT_MS); Fastify's own default is none. */
  requestTimeoutMs: number;
  /** CORS for the allowed origins (cors.ts); undefined: no origin is allowed and nothing about CORS is sent. */
  cors?: Cors | undefined;
  /** A cached public GET response's tags as CDN headers (cdn-tags.ts); undefined: none. */
  tagHeaders?: ReplyShape['tagHeaders'];
}

export async function createHttpServer({
  apollo,
  services,
  bodyLimitBytes,
  responseCache,
  guards,
  observability,
  fastLane: fast = true,
  requestTimeoutMs,
  cors,
  tagHeaders,
}: HttpOptions): Promise<FastifyInstance> {
  const fastLane =
    responseCache && fast
      ? new FastLane({
          cache: responseCache,
          bodyLimitBytes,
          preChecks: guards.preChecks,
          principal: (request) => guards.peekPrincipal(request),
          ...(cors ? { cors: (origin: string | undefined) => cors.headersFor(origin) } : {}),
          ...observability?.fastLane,
        })
      : undefined;
  const app = Fastify({
    bodyLimit: bodyLimitBytes,
    logger: false,
    requestTimeout: requestTimeoutMs,
    ...(guards.trust ? { trustProxy: guards.trust } : {}),
    // Requests that arrive while the server drains are refused below, in GraphQL's error shape, not Fastify's.
    return503OnClosing: false,
    genReqId: requestIdOf,
    ...(fastLane ? { serverFactory: serverWith(fastLane) } : {}),
  });
  // CORS first, so that every reply carries its headers, even a refusal by a later hook (a page cannot read a 429 or
  // a 503 without them); a preflight is answered here, before the rate limit counts it.
  await cors?.install(app);
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    fastLane?.close();
    done();
  });
  // First, so that every request (even one the rate limiter refuses) has its request id and is counted.
  observability?.install(app);
  // A request on a kept-alive connection during the drain: 503 (Fastify already marks the connection to close), so
  // a load balancer retries it elsewhere; nothing of it runs here.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    sendGraphqlError(reply, 503, ErrorCode.SERVICE_UNAVAILABLE, 'The server is shutting down: retry the request.');
  });
  guards.install(app);
  const assets = createAssetStore();
  const page = graphiqlPage('/graphql');

  app.get('/health', async (_request, reply) => {
    try {
      await services.pingDatabase();
      return reply.send({ status: 'ok', database: 'ok', version: services.version });
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable', version: services.version });
    }
  });

  app.get(`${GRAPHIQL_ASSET_PREFIX}:name`, async (request, reply) => {
    const asset = assets.get((request.params as { name: string }).name);
    if (!asset) return reply.code(404).send({ error: 'not found' });
    const { body, type } = await asset;
    return reply.header('content-type', `${type}; charset=utf-8`).header('cache-control', 'public, max-age=86400').send(body);
  });

  app.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    // The body of a request the fast lane read and handed on is read again from what it kept.
    ...(fastLane ? { preParsing: async (request: FastifyRequest, _reply: FastifyReply, payload: Readable) => fastLane.replay(request.raw) ?? payload } : {}),
    handler: async (request, reply) => {
      if (request.method === 'GET' && wantsGraphiql(request) && guards.graphiqlAllowed(request)) {
        return reply.header('content-type', 'text/html; charset=utf-8').send(page);
      }
      const principal = principalOf(request.raw) ?? ANONYMOUS;
      const execute = (cacheState?: RequestCacheState) => guards.withDeadline(() => executeGraphql(apollo, services, request, cacheState, principal));
      // The response cache is a get-or-compute around Apollo's execution rather than a pair of hooks: single-flight
      // shares one execution among concurrent misses, and stale-while-revalidate recomputes in the background, with
      // no request to hook into. It decides what to serve and store; the HTTP it answers with is built here
      // (cache-replies.ts). The CSRF rule already ran (guards.ts). No acceptable media type: Apollo answers (406).
      const http = { method: request.method, headers: request.headers, query: request.query as Record<string, unknown>, body: request.body };
      const cacheRequest = responseCache && responseRequestOf(http, visibilityScope(principal));
      if (!responseCache || !cacheRequest) return send(reply, passThrough(await execute()));
      const answer = await responseCache.respond(cacheRequest, execute, fastLane?.handedOn(request.raw));
      // The explain shows keys and tags: for admins, or outside production (guards.ts debugAllowed).
      return send(reply, cacheReply(answer, replyShapeOf(http, guards.debugAllowed(principal), tagHeaders)));
    },
  });

  return app;
}

/** Fastify's serverFactory: its node:http server, with the fast lane in front of its handler and its own settings. */
function serverWith(fastLane: FastLane) {
  return (handler: (request: IncomingMessage, response: http.ServerResponse) => void, options: FastifyServerOptions) => {
    const server = http.createServer(fastLane.listener(handler));
    // What Fastify sets on the server it creates itself (fastify/lib/server.js).
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}

/** A browser navigating to /graphql (HTML preferred, no query in the URL) gets GraphiQL. */
function wantsGraphiql(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  const query = request.query as Record<string, unknown>;
  return accept.includes('text/html') && query.query === undefined && query.extensions === undefined;
}

async function executeGraphql(
  apollo: ApolloServer<RequestContext>,
  services: Services,
  request: FastifyRequest,
  cacheState: RequestCacheState | undefined,
  principal: Principal,
): Promise<ExecutedResponse> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const queryStart = request.url.indexOf('?');
  const httpGraphQLRequest: HTTPGraphQLRequest = {
    method: request.method.toUpperCase(),
    headers,
    search: queryStart === -1 ? '' : request.url.slice(queryStart),
    body: request.body,
  };
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest,
    context: async () => createRequestContext(services, cacheState, principal),
  });
  return { status: response.status ?? 200, headers: [...response.headers], body: response.body };
}

function passThrough(response: ExecutedResponse): CacheReply {
  const { body } = response;
  return { status: response.status, headers: response.headers, body: body.kind === 'complete' ? body.string : body.asyncIterator };
}

function send(reply: FastifyReply, response: CacheReply) {
  let contentType: string | undefined;
  for (const [name, value] of response.headers) {
    reply.header(name, value);
    if (name.toLowerCase() === 'content-type') contentType = value;
  }
  // Apollo answers a request error 400 whichever media type it sends; application/json wants 200 (media-status.ts).
  const status = response.status === 400 && typeof response.body === 'string' ? statusForMediaType(400, contentType, firstErrorCode(response.body)) : response.status;
  reply.code(status);
  if (response.body === undefined) return reply.send();
  if (typeof response.body === 'string') return reply.send(response.body);
  return reply.send(Readable.from(response.body));
}
