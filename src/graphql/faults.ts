// Failures of the infrastructure, told apart from bugs so a client learns what it can do about them: retry later
// (SERVICE_UNAVAILABLE: the database cannot be reached or the pool has no connection to give) or ask for less
// (TIMEOUT: a statement ran past the time limit). The driver's own text never reaches the client; the formatter
// logs it.

export type Fault = { code: 'SERVICE_UNAVAILABLE' | 'TIMEOUT'; message: string };

const DATABASE_UNAVAILABLE: Fault = {
  code: 'SERVICE_UNAVAILABLE',
  message: 'The database is unavailable at the moment; retry later.',
};
const STATEMENT_TIMEOUT: Fault = {
  code: 'TIMEOUT',
  message: 'The operation took longer than the time limit and was cancelled.',
};

/** Network errors of the socket to PostgreSQL. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** node-postgres and pg-pool errors that carry no code, by message. */
const DRIVER_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end/i,
];

export function infrastructureFault(error: unknown): Fault | undefined {
  // Walk the cause chain: loaders, Kysely and our own wrappers may wrap the driver's error.
  for (let current = error, hops = 0; current instanceof Error && hops < 5; current = current.cause, hops += 1) {
    if (current.name === 'DeadlineExceededError') return STATEMENT_TIMEOUT;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      // 57014 query_canceled: statement_timeout (or a cancel request) stopped the statement.
      if (code === '57014') return STATEMENT_TIMEOUT;
      // Class 08 connection exception; 57P01-57P03 admin shutdown, crash shutdown, cannot connect now;
      // 53300 too many connections.
      if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300' || NETWORK_CODES.has(code)) {
        return DATABASE_UNAVAILABLE;
      }
    }
    if (DRIVER_MESSAGES.some((pattern) => pattern.test(current instanceof Error ? current.message : ''))) return DATABASE_UNAVAILABLE;
  }
  return undefined;
}
