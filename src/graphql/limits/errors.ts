// The rejections of the hardening layer. Each names the limit, the measured value and the bound, carries a stable
// code, and sets its HTTP status (Apollo reads `extensions.http` and strips it from the response).
import { GraphQLError } from 'graphql';

export const LimitCode = {
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  TIMEOUT: 'TIMEOUT',
  RATE_LIMITED: 'RATE_LIMITED',
  FORBIDDEN: 'FORBIDDEN',
} as const;

/** Shows a measured count; a fragment bomb's expansion can exceed what a number prints sensibly. */
export function showCount(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? String(Math.round(n)) : 'more than 10^15';
}

/** `shown` replaces the plain count in the message when there is more to say (a lower bound, an explanation). */
export function tooComplex(limit: string, actual: number, max: number, shown = showCount(actual)): GraphQLError {
  return new GraphQLError(`Operation ${limit} is ${shown}; the limit is ${max}.`, {
    extensions: {
      code: LimitCode.QUERY_TOO_COMPLEX,
      limit,
      max,
      actual: Number.isFinite(actual) ? Math.min(Math.round(actual), Number.MAX_SAFE_INTEGER) : null,
      http: { status: 400 },
    },
  });
}

export function operationTimedOut(timeoutMs: number): GraphQLError {
  return new GraphQLError(`Operation did not finish within the time limit of ${timeoutMs} ms and was cancelled.`, {
    extensions: { code: LimitCode.TIMEOUT, timeoutMs, http: { status: 504 } },
  });
}

/**
 * Removes graphql-js's "Did you mean ...?" hints: they turn error messages into a schema oracle (field, argument,
 * type and enum value names) even where introspection is off. Applied to every error, in every environment.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

export function unsupportedOperation(type: string): GraphQLError {
  return new GraphQLError(`This API has no ${type} operations.`, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
  });
}

export function nulInString(where: string): GraphQLError {
  return new GraphQLError(`${where} contains the NUL character (U+0000), which strings here may not contain.`, {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}
