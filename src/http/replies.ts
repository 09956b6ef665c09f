// Error replies that Apollo never sees (rejected by the HTTP layer) in the same shape as Apollo's own:
// `{ "errors": [{ "message", "extensions": { "code", ... } }] }`, so a client parses every failure the same way.
// Its status and content type follow the media type the client accepts, as Apollo's do (media-status.ts).
import type { FastifyReply } from 'fastify';
import { responseMediaType, statusForMediaType } from './media-status.js';

export function graphqlErrorBody(code: string, message: string, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}

export function sendGraphqlError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  // A client that accepts neither JSON type still gets the error, in the legacy one.
  const mediaType = responseMediaType(reply.request.headers.accept) ?? 'application/json; charset=utf-8';
  return reply
    .code(statusForMediaType(status, mediaType, code))
    .header('content-type', mediaType)
    .send(graphqlErrorBody(code, message, extensions));
}

/**
 * The same error body for an endpoint that is not GraphQL over HTTP (the import upload): the status as given, since
 * the spec's 200-for-application/json rule is about GraphQL responses, and a failed upload is not one.
 */
export function sendEndpointError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(graphqlErrorBody(code, message, extensions));
}
