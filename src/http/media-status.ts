// The HTTP status of a GraphQL error response, per the GraphQL-over-HTTP spec's two response media types.
//
// `application/graphql-response+json` (a client that asks for it): a request error (the document does not parse or
// validate, a variable does not coerce, a limit refuses the operation) is a 4xx, as Beacon has always answered.
// `application/json` (the legacy type, and what a client gets that sends no Accept or `*/*`, as Apollo Client and
// urql do): the spec says a server SHOULD answer a well-formed request with 200 whatever GraphQL error it raised,
// and clients are built for that: Apollo Client shows a 200's `errors` (message, `extensions.code`) but turns a 400
// into "Response not successful: Received status code 400".
//
// What stays a 4xx/5xx for both: a request that is not well-formed GraphQL-over-HTTP (code BAD_REQUEST: bad JSON,
// no query, wrong content type, a blocked CSRF attempt), and refusals that are about HTTP, not the document: 403
// without the admin token, 405, 413, 429, 503, 504. `extensions.code` is the same under both media types.
import Negotiator from 'negotiator';
import { ErrorCode } from '../common/errors.js';

export const GRAPHQL_RESPONSE_MEDIA_TYPE = 'application/graphql-response+json';

/** Codes of request errors in a well-formed request: 400 under graphql-response+json, 200 under application/json. */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.QUERY_TOO_COMPLEX,
]);

/**
 * The status to send for a response of `status` in `mediaType` (its Content-Type, or the negotiated type) whose first
 * error has `code`.
 */
export function statusForMediaType(status: number, mediaType: string | undefined, code: string | undefined): number {
  if (status !== 400 || code === undefined || !REQUEST_ERROR_CODES.has(code)) return status;
  return mediaType?.toLowerCase().startsWith(GRAPHQL_RESPONSE_MEDIA_TYPE) ? status : 200;
}

/** The first error's `extensions.code` in a GraphQL response body; undefined if there is none or it is not JSON. */
export function firstErrorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors?.[0]?.extensions?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

// Apollo's own choice of content type for a single result, made the same way (negotiator), before Apollo runs: the
// response cache keys by it, since two requests may share an entry only if they get the same content type.
const MEDIA_TYPES = ['application/json; charset=utf-8', 'application/graphql-response+json; charset=utf-8'];

const MAX_REMEMBERED_ACCEPTS = 256;
/** Clients send a handful of Accept values over and over: each is negotiated once (undefined: none acceptable). */
const negotiated = new Map<string, string | undefined>();

/** The media type a GraphQL response to this Accept header is sent in; undefined when none is acceptable. */
export function responseMediaType(accept: string | undefined): string | undefined {
  if (!accept) return MEDIA_TYPES[0];
  if (negotiated.has(accept)) return negotiated.get(accept);
  const chosen = new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES);
  if (negotiated.size >= MAX_REMEMBERED_ACCEPTS) negotiated.clear();
  negotiated.set(accept, chosen);
  return chosen;
}
