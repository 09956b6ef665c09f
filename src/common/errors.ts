// The errors every domain raises at the API edge: stable codes a client can branch on, and constructors whose
// message is written for the client (it names the argument and shows the bad value, clipped).
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  /** No valid credentials where the operation needs some (HTTP 401; auth/principal.ts). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A persisted query whose text does not hash to the sha256 the client sent (HTTP 400). */
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Hardening (graphql/limits, graphql/faults.ts, http/guards.ts, http/rate-limit.ts).
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  TIMEOUT: 'TIMEOUT',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function notFound(type: string, id: string | number): GraphQLError {
  return new GraphQLError(`${type} ${JSON.stringify(String(id))} does not exist`, {
    extensions: { code: ErrorCode.NOT_FOUND, type, id: String(id) },
  });
}

export function badInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argument ? { argument } : {}) },
  });
}

export function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.CONFLICT } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

/** Shows a client-supplied value in a message without letting a huge or hostile value through whole. */
export function showValue(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(clipped);
}
