// The HTTP-side hardening, installed on the Fastify instance by server.ts (one call) and configured by app.ts:
//   - every error Fastify raises itself (body too large, bad JSON, wrong content type, unknown route, a bug) is
//     answered in GraphQL's error shape with a stable code and a message written here, never Fastify's or Node's
//     text (which can carry parser positions, paths or stack frames);
//   - JSON bodies must be UTF-8: bytes that do not decode are refused instead of being silently replaced by U+FFFD;
//   - URLs whose percent-encoding does not decode as UTF-8 are refused;
//   - per-client rate limiting (rate-limit.ts);
//   - CSRF: a POST must be one that a browser preflights (JSON, or a preflight header), so that a cross-site form
//     cannot write; GETs run queries only and need nothing (docs/clients.md says why);
//   - the operation's document checked against the limits (graphql/limits/check.ts) before the response cache,
//     Apollo's parser or its validation see it;
//   - the per-operation deadline around Apollo (`withDeadline`);
//   - the GraphiQL page only where introspection is allowed (production: admins: the ADMIN_TOKEN, admin keys and JWTs).
import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config.js';
import { runWithDeadline } from '../db/deadline.js';
import { isAdminAuthorization } from '../graphql/admin.js';
import { checkDocumentText, type OperationLimits } from '../graphql/limits/check.js';
import { ErrorCode } from '../common/errors.js';
import { LimitCode } from '../graphql/limits/errors.js';
import { variablesInJsonViolation, variablesViolation } from '../graphql/limits/variables.js';
import type { Logger } from '../log.js';
import type { Authenticator } from '../auth/authenticator.js';
import { ANONYMOUS, hasRole, type Principal } from '../auth/principal.js';
import { installAuthentication, principalOf } from './authentication.js';
import { trustFunction, type TrustFunction } from './client-address.js';
import { installPreChecks, type PreCheck } from './pre-checks.js';
import { clientKey, rateLimitCheck, type RateLimitOptions } from './rate-limit.js';
import { sendGraphqlError } from './replies.js';

export interface HttpGuardOptions {
  production: boolean;
  adminToken: string | undefined;
  bodyLimitBytes: number;
  operationTimeoutMs: number;
  rateLimit: RateLimitOptions;
  limits: OperationLimits;
  /** The trusted reverse proxies (client-address.ts); undefined: the socket's peer is the client. */
  trust?: TrustFunction | undefined;
  logger?: Logger;
  /** Who is calling (http/authentication.ts); undefined: everyone is anonymous (unit tests of other guards). */
  authenticator?: Authenticator;
  /** ANONYMOUS_READS. */
  anonymousReads?: boolean;
}

export interface HttpGuards {
  /** The trusted reverse proxies, for Fastify's `request.ip` (the same answer the fast lane's rate limit uses). */
  readonly trust: TrustFunction | undefined;
  /** Installs the rate limiter, error shaping, the strict JSON parser, the URL check and the document check. Once. */
  install(app: FastifyInstance): void;
  /** Whether this request may see the GraphiQL page (everyone outside production; the admin in production). */
  graphiqlAllowed(request: FastifyRequest): boolean;
  /**
   * Runs `work` under the operation deadline: settles with it, or rejects with OperationTimeoutError once the
   * operation timeout has passed, after which `work` starts no more SQL statements (db/deadline.ts).
   */
  withDeadline<T>(work: () => Promise<T>): Promise<T>;
  /**
   * For the fast lane (fast-lane.ts), which answers cache hits before Fastify's hooks run: the rate limit's verdict on
   * a raw request (counting it, as the hook does) and the headers an admitted one carries; undefined when rate
   * limiting is off. A refused request is handed to Fastify, whose hook refuses it in the usual words.
   */
  /**
   * For the fast lane: the principal of a raw request when it is known without waiting (no credentials, the admin
   * token, or a credential verified within the cache TTL) and may read; undefined: the full path decides.
   */
  peekPrincipal(request: IncomingMessage): Principal | undefined;
  /** Whether this caller may see the cache explain (x-beacon-cache-debug): admins, or anyone outside production. */
  debugAllowed(principal: Principal): boolean;
  /**
   * What a request must pass before it is served (pre-checks.ts), in order: Fastify runs them in one hook after
   * authentication, the fast lane before it sends a cache hit. Today: the rate limit (same buckets, same headers).
   */
  readonly preChecks: readonly PreCheck[];
}

/** The operation took longer than OPERATION_TIMEOUT_MS; answered as 504 TIMEOUT. */
export class OperationTimeoutError extends Error {
  override name = 'OperationTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`operation exceeded ${timeoutMs} ms`);
  }
}

export function createHttpGuards(options: HttpGuardOptions): HttpGuards {
  const rateLimit = rateLimitCheck(options.rateLimit, options.trust);
  const buckets = rateLimit?.buckets;
  const preChecks: PreCheck[] = rateLimit ? [rateLimit.check] : [];
  return {
    preChecks,
    trust: options.trust,
    install(app) {
      // Authentication first (a cached verification is a map lookup), so that the rate limit counts verified
      // principals; then the pre-checks (pre-checks.ts: the rate limit), the same list the fast lane runs.
      if (options.authenticator) {
        const rate = options.rateLimit;
        installAuthentication(app, {
          authenticator: options.authenticator,
          anonymousReads: options.anonymousReads ?? true,
          chargeRefusal(request, reply) {
            if (!buckets) return true;
            const admission = buckets.take(clientKey(undefined, () => request.ip));
            if (admission.allowed) return true;
            const retryAfter = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
            reply.header('retry-after', String(retryAfter));
            sendGraphqlError(reply, 429, 'RATE_LIMITED', `Too many requests: this client may make ${rate.perMinute} requests per minute (bursts of ${rate.burst}). Retry in ${retryAfter} s.`, { retryAfterSeconds: retryAfter });
            return false;
          },
        });
      }
      installPreChecks(app, preChecks);
      installErrorShapes(app, options);
      installStrictJsonParser(app);
      installUrlCheck(app);
      installCsrfCheck(app);
      installOperationCheck(app, options.limits, options.logger);
    },
    graphiqlAllowed(request) {
      if (!options.production || isAdminAuthorization(request.headers.authorization, options.adminToken)) return true;
      const principal = principalOf(request.raw);
      return principal !== undefined && hasRole(principal, 'admin');
    },
    withDeadline(work) {
      return withDeadline(work, options.operationTimeoutMs);
    },
    debugAllowed(principal) {
      return !options.production || hasRole(principal, 'admin');
    },
    peekPrincipal(request) {
      if (!options.authenticator) return ANONYMOUS;
      const found = options.authenticator.peek(request.headers.authorization);
      if (found === undefined || found === 'invalid') return undefined;
      if (found.kind === 'anonymous' && !(options.anonymousReads ?? true)) return undefined;
      return found;
    },
  };
}

export function withDeadline<T>(run: () => Promise<T>, timeoutMs: number): Promise<T> {
  const work = runWithDeadline(Date.now() + timeoutMs, run);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new OperationTimeoutError(timeoutMs)), timeoutMs);
  });
  // The abandoned work still settles later (its database statements are cancelled by statement_timeout, its
  // remaining resolvers refuse to start): its outcome is dropped, and must not become an unhandled rejection.
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Fastify's own rejections, by error code: status, our code, our message. */
function describeFrameworkError(error: FastifyError, options: HttpGuardOptions, request: FastifyRequest) {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `Request body is larger than the limit of ${options.bodyLimitBytes} bytes.` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'BAD_REQUEST', message: `Unsupported content type ${showHeader(request.headers['content-type'])}: send application/json.` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'BAD_REQUEST', message: 'Request body is empty: send a JSON object with a "query".' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'BAD_REQUEST', message: 'Request body is not valid JSON.' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'BAD_REQUEST', message: 'Request body length does not match its Content-Length header.' };
    default:
      return undefined;
  }
}

function installErrorShapes(app: FastifyInstance, options: HttpGuardOptions): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof OperationTimeoutError) {
      options.logger?.warn('operation timed out', { timeoutMs: error.timeoutMs, url: request.url.split('?', 1)[0] });
      return sendGraphqlError(reply, 504, LimitCode.TIMEOUT, `Operation did not finish within the time limit of ${error.timeoutMs} ms and was cancelled.`, {
        timeoutMs: error.timeoutMs,
      });
    }
    if (error instanceof BodyRejection) return sendGraphqlError(reply, error.status, error.errorCode, error.message, error.extensions);
    const known = describeFrameworkError(error, options, request);
    if (known) return sendGraphqlError(reply, known.status, known.code, known.message);
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Another client error Fastify raised (e.g. prototype poisoning in the JSON, a malformed header): its message
      // is not ours to show, its status is.
      return sendGraphqlError(reply, status, 'BAD_REQUEST', 'The request could not be read.');
    }
    options.logger?.error('unhandled HTTP error', { err: { name: error.name, message: error.message, stack: error.stack } });
    return sendGraphqlError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0];
    if (path === '/graphql') {
      return sendGraphqlError(reply.header('allow', 'GET, POST'), 405, 'METHOD_NOT_ALLOWED', `Method ${request.method} is not allowed on /graphql: use POST (or GET for queries).`);
    }
    return sendGraphqlError(reply, 404, 'NOT_FOUND', 'Not found: the API is at /graphql.');
  });
}

/** A client error found while reading the body; `message` is written for the client. */
class BodyRejection extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode = 'BAD_REQUEST',
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * application/json bodies: declared charset (if any) must be UTF-8, the bytes must decode as UTF-8, a /graphql body
 * may not carry more variables than the limit (counted in the text: parsing them is the cost to avoid), and then
 * Fastify's own parser (which refuses __proto__ and constructor.prototype keys) reads the text.
 */
function installStrictJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new BodyRejection(415, `Unsupported charset ${showHeader(charset)}: JSON bodies must be UTF-8.`), undefined);
      return;
    }
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      done(new BodyRejection(400, 'Request body is not valid UTF-8.'), undefined);
      return;
    }
    const tooMany = request.url.split('?', 1)[0] === '/graphql' ? variablesInJsonViolation(text) : undefined;
    if (tooMany) {
      const { http: _http, code, ...details } = tooMany.extensions;
      done(new BodyRejection(400, tooMany.message, String(code), details), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/** Query strings (GET operations and variables) must percent-decode to UTF-8, like bodies. */
function installUrlCheck(app: FastifyInstance): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const queryStart = request.url.indexOf('?');
    if (queryStart === -1) return;
    try {
      decodeURIComponent(request.url.slice(queryStart + 1).replace(/\+/g, ' '));
    } catch {
      return sendGraphqlError(reply, 400, 'BAD_REQUEST', 'The query string is not valid percent-encoded UTF-8.');
    }
  });
}

/**
 * A POST that a browser would send cross-site without asking first (no content type, or text/plain, a form's
 * urlencoded or multipart) is refused unless it carries a header only a preflighted request can have: the refusal
 * Apollo's csrfPrevention gave, in its words, for POSTs only. Runs once the body is read, so that the content types
 * Fastify cannot read at all keep their 415.
 */
const NON_PREFLIGHTED_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * The CSRF rule: a POST must be one a browser preflights, so a cross-site form cannot send it; a GET needs nothing,
 * since over GET only queries run and Beacon's credentials are bearer keys a browser never attaches on its own
 * (docs/clients.md). Apollo's rule (its csrfPrevention, now off) asked GETs for a preflight header too, which
 * urql's and graphql-request's GETs do not send. The fast lane answers only JSON POSTs, which pass it.
 */
export function passesCsrfCheck(request: { method: string; headers: Record<string, string | string[] | undefined> }): boolean {
  if (request.method === 'GET') return true;
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const contentType = header('content-type');
  if (contentType !== undefined) {
    const essence = contentType.split(';')[0]!.trim().toLowerCase();
    if (essence !== '' && !NON_PREFLIGHTED_CONTENT_TYPES.includes(essence)) return true;
  }
  return ['x-apollo-operation-name', 'apollo-require-preflight'].some((name) => (header(name) ?? '') !== '');
}

function installCsrfCheck(app: FastifyInstance): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    // Only POSTs: GETs pass by the rule, and other methods (HEAD) are Apollo's to refuse (405).
    if (request.method !== 'POST' || request.routeOptions.url !== '/graphql' || passesCsrfCheck(request)) return;
    return sendGraphqlError(
      reply,
      400,
      'BAD_REQUEST',
      "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header " +
        "(with a type that is not one of application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide a non-empty value " +
        'for one of the following headers: x-apollo-operation-name, apollo-require-preflight',
    );
  });
}

/** Documents that passed, remembered so that the dashboards' repeated queries are checked once. */
const MAX_REMEMBERED_DOCUMENTS = 2_000;
const MAX_REMEMBERED_LENGTH = 20_000;

/** Checks the document of every /graphql request (POST body or GET query string) once the body is read. */
function installOperationCheck(app: FastifyInstance, limits: OperationLimits, logger: Logger | undefined): void {
  const passed = new LRUCache<string, true>({ max: MAX_REMEMBERED_DOCUMENTS });
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.url !== '/graphql') return;
    const params = request.method === 'GET' ? request.query : request.body;
    if (request.method === 'POST' && isRecord(request.body)) {
      // The response cache reads bodies before Apollo does: a body Apollo would refuse must not be answered from it.
      // (Other bodies, text/plain strings among them, are Apollo's: its CSRF check speaks first.)
      const malformed = malformedBody(request.body);
      if (malformed) return sendGraphqlError(reply, 400, 'BAD_REQUEST', malformed);
    }
    const record = isRecord(params) ? params : undefined;
    // Variables before anything walks them (the response cache's key, the cost, coercion): limits/variables.ts.
    const variables = request.method === 'GET' ? parsedQueryVariables(record?.variables) : record?.variables;
    const tooLarge = variablesViolation(variables);
    if (tooLarge) {
      const { http: _http, code, ...details } = tooLarge.extensions;
      return sendGraphqlError(reply, 400, String(code), tooLarge.message, details);
    }
    const mismatch = persistedQueryMismatch(record);
    if (mismatch) {
      // The client's mistake, not the server's: logged below error level.
      logger?.debug('persisted query hash mismatch', { url: request.url.split('?', 1)[0] });
      return sendGraphqlError(reply, 400, ErrorCode.PERSISTED_QUERY_HASH_MISMATCH, mismatch);
    }
    const source = record ? record.query : undefined;
    // Anything else (no query, a batch, a persisted-query hash) is Apollo's to accept or refuse.
    if (typeof source !== 'string' || passed.has(source)) return;
    const violation = checkDocumentText(source, limits);
    if (!violation) {
      if (source.length <= MAX_REMEMBERED_LENGTH) passed.set(source, true);
      return;
    }
    const { http: _http, code, ...details } = violation.extensions;
    return sendGraphqlError(reply, 400, String(code), violation.message, details);
  });
}

/** A GET request's `variables` parameter, parsed (undefined when absent or not JSON: Apollo reports that). */
function parsedQueryVariables(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * Why a request's persisted-query hash does not name its query text (the message to answer with), or undefined.
 * Apollo would answer the same with no error code, which our error masking turned into an internal error.
 */
function persistedQueryMismatch(params: Record<string, unknown> | undefined): string | undefined {
  if (!params || typeof params.query !== 'string') return undefined;
  let extensions = params.extensions;
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions);
    } catch {
      return undefined;
    }
  }
  const hash = isRecord(extensions) && isRecord(extensions.persistedQuery) ? extensions.persistedQuery.sha256Hash : undefined;
  if (typeof hash !== 'string') return undefined;
  if (createHash('sha256').update(params.query).digest('hex') === hash.toLowerCase()) return undefined;
  return 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query text: send the hash of exactly this query.';
}

/**
 * Why a POST body is not a GraphQL request (the same rules, and words, as Apollo's), or undefined. Batches are left
 * to Apollo, which refuses them (batching is off).
 */
function malformedBody(body: Record<string, unknown>): string | undefined {
  if (Object.keys(body).length === 0) return 'POST body missing, invalid Content-Type, or JSON object has no keys.';
  const { query, variables, extensions, operationName } = body;
  if (query !== undefined && typeof query !== 'string') return 'GraphQL queries must be strings.';
  if (variables !== undefined && variables !== null && !isRecord(variables)) return '`variables` in a POST body must be an object if provided.';
  if (extensions !== undefined && extensions !== null && !isRecord(extensions)) return '`extensions` in a POST body must be an object if provided.';
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return '`operationName` in a POST body must be a string if provided.';
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A header value shown in a message: quoted, clipped, printable. */
function showHeader(value: string | undefined): string {
  if (value === undefined) return '(none)';
  const clipped = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(clipped.replace(/[^\x20-\x7e]/g, '?'));
}

/** The guards' options from the config. */
export function httpGuardOptions(config: Config, logger?: Logger): HttpGuardOptions {
  return {
    production: config.env === 'production',
    adminToken: config.adminToken,
    bodyLimitBytes: config.bodyLimitBytes,
    operationTimeoutMs: config.limits.operationTimeoutMs,
    rateLimit: { perMinute: config.limits.rateLimitPerMinute, burst: config.limits.rateLimitBurst },
    limits: config.limits,
    trust: trustFunction(config.limits.trustProxy),
    logger,
    anonymousReads: config.auth.anonymousReads,
  };
}
