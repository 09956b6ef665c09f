// CORS: which browser pages on other origins may call Beacon and read its answers (docs/clients.md).
//
// @fastify/cors does the work on the full path, with an allowlist (CORS_ORIGINS, config.ts) instead of `*` or a
// reflection of any origin. An origin on the list gets `Access-Control-Allow-Origin: <that origin>`, the response
// headers a dashboard reads exposed, and its preflights answered (204, with a max-age so that a browser asks once
// per ten minutes, not before every query). Any other origin, and a request without one, gets no CORS header at
// all: the browser then keeps the response from the page (the request itself may still have run: what a page must
// not do, write, is refused before that, guards.ts). No credentials: Beacon authenticates with bearer keys, which a
// page sends explicitly, never with cookies.
//
// The fast lane (fast-lane.ts) answers cache hits before Fastify's hooks run, so it adds the same headers itself:
// `headersFor` is the plugin's rule for a request that is not a preflight, header for header (test/integration/
// cache-fast-lane.test.ts compares the two paths with and without an Origin).
import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { CACHE_HEADER } from './cache-replies.js';
import { REQUEST_ID_HEADER } from '../observability/request-context.js';

/** Response headers a page may read besides the CORS-safelisted ones: the cache's outcome and validators, the rate limit. */
export const CORS_EXPOSED_HEADERS = [CACHE_HEADER, 'etag', 'age', REQUEST_ID_HEADER, 'ratelimit-limit', 'ratelimit-remaining', 'retry-after'] as const;
/** How long a browser may reuse a preflight's answer. Chromium caps it at 2 hours; 10 minutes lets a change of the list apply soon. */
export const CORS_MAX_AGE_SECONDS = 600;
const EXPOSED = CORS_EXPOSED_HEADERS.join(', ');

export interface Cors {
  /** Registers @fastify/cors; awaited before any other hook is added, so that every reply (a 429 too) carries its headers. */
  install(app: FastifyInstance): Promise<void>;
  /** The headers the plugin puts on an actual (not preflight) request from `origin`, in its order. */
  headersFor(origin: string | undefined): Array<[string, string]>;
}

/** undefined when no origin is allowed: then nothing about CORS is added anywhere, not even `Vary: Origin`. */
export function createCors(origins: readonly string[]): Cors | undefined {
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  const isAllowed = (origin: string | undefined): origin is string => origin !== undefined && allowed.has(origin);
  return {
    async install(app) {
      await app.register(fastifyCors, {
        // A function, not the list itself: with a list, the plugin still sends Access-Control-Expose-Headers to
        // origins it refuses; `false` turns CORS off for the request altogether (and its preflight is not answered).
        origin: (origin, callback) => callback(null, isAllowed(origin) ? origin : false),
        methods: ['GET', 'POST'],
        // allowedHeaders unset: a preflight's requested headers are allowed (Authorization, Content-Type, Apollo's and
        // urql's own); which page may ask is what the origin list decides.
        exposedHeaders: [...CORS_EXPOSED_HEADERS],
        maxAge: CORS_MAX_AGE_SECONDS,
        credentials: false,
      });
    },
    headersFor(origin) {
      // The plugin adds Vary: Origin to every response when its origin option is a function (the answer depends on it).
      if (!isAllowed(origin)) return [['vary', 'Origin']];
      return [
        ['vary', 'Origin'],
        ['access-control-allow-origin', origin],
        ['access-control-expose-headers', EXPOSED],
      ];
    },
  };
}
