// The one place where errors are masked. A client sees a code it can branch on (common/errors.ts) and a message
// written for it; never a stack, a file path, SQL or a driver's text.
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode } from '../common/errors.js';
import { infrastructureFault } from './faults.js';
import { withoutSuggestions } from './limits/errors.js';

/** Codes whose message was written for the client and may be shown as is. */
const CLIENT_FACING = new Set<string>([
  ErrorCode.NOT_FOUND,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.CONFLICT,
  ErrorCode.FORBIDDEN,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.TIMEOUT,
  // Apollo's own request errors: they describe the request, not the server.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export type ErrorLogger = (error: unknown) => void;

/**
 * Apollo's formatError hook. Errors we raised on purpose keep their message; anything else (a bug, a database
 * or Redis failure) becomes a generic INTERNAL_SERVER_ERROR and the original goes to the log instead.
 */
export function createErrorFormatter(logInternal: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    // Apollo raises this one without a code; it is the client's mistake (the HTTP layer answers it first).
    if (code === undefined && formatted.message === 'provided sha does not match query') {
      return { message: 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query text.', extensions: { code: ErrorCode.PERSISTED_QUERY_HASH_MISMATCH } };
    }
    // graphql-js ends its list of variable errors with this one once it has 50 (Apollo gives it the internal error's
    // code): the same mistake as the 50 before it.
    if ((code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR) && formatted.message === 'Too many errors processing variables, error limit reached. Execution aborted.') {
      return { message: 'Too many invalid variable values: the first 50 are reported above.', extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    const original = unwrapResolverError(error);
    const raisedOnPurpose = original instanceof GraphQLError && original.extensions?.code === code;
    if (typeof code === 'string' && CLIENT_FACING.has(code) && (raisedOnPurpose || !isResolverError(error))) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: withoutSuggestions(formatted.message), extensions };
    }
    logInternal(original);
    const fault = infrastructureFault(original);
    if (fault) {
      return { message: fault.message, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: fault.code } };
    }
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

function isResolverError(error: unknown): boolean {
  return error instanceof GraphQLError && error.path !== undefined;
}
