// Error replies that Apollo never sees (rejected by the HTTP layer) in the same shape as Apollo's own:
// `{ "errors": [{ "message", "extensions": { "code", ... } }] }`, so a client parses every failure the same way.
import type { FastifyReply } from 'fastify';

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
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(graphqlErrorBody(code, message, extensions));
}
