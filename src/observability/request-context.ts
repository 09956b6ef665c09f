// The request a line of code runs for, carried implicitly (common/async-context.ts) from the first HTTP hook down to
// the cache, Apollo and the database, so that every log line written on its behalf names it and the Apollo plugin
// can tell the HTTP layer what only Apollo knows (operation type, errors, cache policy) without passing anything
// through the layers in between.
import { randomUUID } from 'node:crypto';
import { contextSlot } from '../common/async-context.js';
import { addLineFields } from '../log.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const MAX_REQUEST_ID_LENGTH = 128;
/** Printable ASCII, no spaces: safe in a header, a log line and a Prometheus exemplar alike. */
const REQUEST_ID = /^[\x21-\x7e]+$/;

/** What one request's observers learn about it on its way through. */
export interface RequestRecord {
  readonly requestId: string;
  /** Set by the Apollo plugin once the operation is resolved (undefined for cache hits, which skip Apollo). */
  operationName?: string;
  operationType?: 'query' | 'mutation' | 'subscription';
  /** Codes of the errors Apollo answered with (empty: none). */
  errorCodes?: string[];
  /** Whether the response could have been stored: a query with a cache policy above 0 s and nothing forbidding it. */
  cacheable?: boolean;
}

const current = contextSlot<RequestRecord>();

/**
 * The request id a client sent in X-Request-Id when it is usable (printable ASCII without spaces, at most 128
 * characters), else a fresh UUID: a client's id is kept so that its logs and ours join, but never an id that could
 * forge log lines or bloat them.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  if (given !== undefined && given.length <= MAX_REQUEST_ID_LENGTH && REQUEST_ID.test(given)) return given;
  return randomUUID();
}

/** Fastify's request id generator (its `genReqId` option): X-Request-Id when usable, else a fresh UUID. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  return requestIdFrom(request.headers[REQUEST_ID_HEADER]);
}

/** Runs `work` (and everything it starts) on behalf of `record`. */
export function runInRequest<T>(record: RequestRecord, work: () => T): T {
  return current.run(record, work);
}

/** The request the caller runs for, or undefined outside any request (start-up, background timers). */
export function currentRequest(): RequestRecord | undefined {
  return current.get();
}

// Every log line written on behalf of a request names it.
addLineFields(() => {
  const request = currentRequest();
  return request ? { requestId: request.requestId } : undefined;
});
