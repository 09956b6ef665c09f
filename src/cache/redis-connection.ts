// The Redis link, built to fail open. Two clients (commands, and a subscriber for the invalidation channel) connect
// in the background: start() never waits for Redis. There is no offline queue, so a command sent while the link is
// down fails at once instead of waiting for a reconnect; every call is raced against a small time budget; failures
// and timeouts come back as FAILED (the caller treats them as a miss), are counted, and are logged at most once a
// second. Reconnection is node-redis's, with a capped backoff.
import { createClient, type RedisClientType } from '@keyv/redis';
import type { Logger } from '../log.js';

/** What a failed or timed-out call returns instead of throwing. */
export const FAILED = Symbol('redis call failed');
export type Failed = typeof FAILED;

export type RedisLinkState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface RedisConnectionOptions {
  url: string;
  timeoutMs: number;
  logger: Logger;
  /** Called once per failed or timed-out call. */
  onFailure?(kind: 'timeout' | 'error'): void;
  /**
   * false: never reconnect; a failed connect fails at once and a dropped link stays down. For a short-lived process
   * (the import CLI), where a pending retry timer would only keep the process alive after its work is done.
   */
  reconnect?: boolean;
}

/** After a call times out, calls are skipped (failing at once) for this long, so a stalled Redis costs one budget. */
const BREAKER_OPEN_MS = 500;
const MAX_RECONNECT_DELAY_MS = 2_000;

export class RedisConnection {
  readonly client: RedisClientType;
  readonly subscriber: RedisClientType;
  private clientState: RedisLinkState = 'connecting';
  private breakerOpenUntil = 0;
  private lastLogAt = 0;
  private suppressedLogs = 0;
  lastError: string | undefined;
  private closed = false;

  constructor(private readonly options: RedisConnectionOptions) {
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 1_000,
        reconnectStrategy:
          options.reconnect === false ? false : (retries) => Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS),
      },
    }) as RedisClientType;
    this.subscriber = this.client.duplicate() as RedisClientType;
    this.client
      .on('ready', () => (this.clientState = 'ready'))
      .on('reconnecting', () => (this.clientState = 'reconnecting'))
      .on('end', () => (this.clientState = 'closed'))
      .on('error', (error: unknown) => this.logFailure('redis connection error', error));
    // The subscriber's errors are the same outage seen twice; its state is reported through its own events.
    this.subscriber.on('error', () => {});
  }

  /** Connects both clients in the background. Never rejects, never waits. */
  start(): void {
    for (const client of [this.client, this.subscriber]) {
      client.connect().catch((error: unknown) => {
        if (!this.closed) this.logFailure('redis connect failed', error);
      });
    }
  }

  /**
   * For a process that sends but does not listen (the import CLI): connects the command client only, and waits until
   * it is ready, at most `budgetMs`. Resolves false (lastError says why) instead of throwing. Use with
   * `reconnect: false`, so that a refused connection answers at once rather than after the budget.
   */
  async connectClient(budgetMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const connected = this.client.connect().then(
      () => true,
      (error: unknown) => {
        this.lastError = describeError(error);
        return false;
      },
    );
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        this.lastError = `no connection within ${budgetMs} ms${this.lastError ? ` (${this.lastError})` : ''}`;
        resolve(false);
      }, budgetMs);
    });
    try {
      return await Promise.race([connected, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get state(): RedisLinkState {
    return this.clientState;
  }

  /** True when a command has a chance: connected and not inside a breaker window after a timeout. */
  get usable(): boolean {
    return this.client.isReady && Date.now() >= this.breakerOpenUntil;
  }

  /**
   * Runs one Redis operation within the time budget. Returns FAILED (never throws) when the link is down, the
   * breaker is open, the call errors, or the budget runs out.
   */
  async call<T>(operation: (client: RedisClientType) => Promise<T>): Promise<T | Failed> {
    if (!this.usable) {
      this.options.onFailure?.('error');
      return FAILED;
    }
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const work = operation(this.client).then(
      (value) => {
        settled = true;
        return value;
      },
      (error: unknown): Failed => {
        settled = true;
        this.options.onFailure?.('error');
        this.logFailure('redis command failed', error);
        return FAILED;
      },
    );
    const timeout = new Promise<Failed>((resolve) => {
      timer = setTimeout(() => {
        // When the event loop was busy, the reply may already be waiting in the socket: let one I/O phase run
        // before declaring a timeout, so a loaded process does not mistake its own lateness for Redis's.
        setImmediate(() => {
          if (settled) return;
          this.breakerOpenUntil = Date.now() + BREAKER_OPEN_MS;
          this.options.onFailure?.('timeout');
          this.logFailure('redis command timed out', new Error(`no reply within ${this.options.timeoutMs} ms`));
          resolve(FAILED);
        });
      }, this.options.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs one operation with its own budget and no breaker: for writes (an invalidation), which must not give up after
   * the read path's budget nor be skipped because a read timed out. Needs the link up; never throws.
   */
  async callWithin<T>(budgetMs: number, operation: (client: RedisClientType) => Promise<T>): Promise<T | Failed> {
    if (!this.client.isReady) return FAILED;
    let timer: NodeJS.Timeout | undefined;
    const work = operation(this.client).catch((error: unknown): Failed => {
      this.logFailure('redis command failed', error);
      return FAILED;
    });
    const timeout = new Promise<Failed>((resolve) => (timer = setTimeout(() => resolve(FAILED), budgetMs)));
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [this.client, this.subscriber].map(async (client) => {
        try {
          if (client.isOpen) client.destroy();
        } catch {
          // Already closed.
        }
      }),
    );
    this.clientState = 'closed';
  }

  private logFailure(message: string, error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    if (now - this.lastLogAt < 1_000) {
      this.suppressedLogs += 1;
      return;
    }
    this.options.logger.warn(message, {
      error: this.lastError,
      ...(this.suppressedLogs > 0 ? { suppressedSinceLastLog: this.suppressedLogs } : {}),
    });
    this.lastLogAt = now;
    this.suppressedLogs = 0;
  }
}

/** An error's message; for an AggregateError (a connect tried on several addresses), which has none, its parts'. */
function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return [...new Set(error.errors.map(describeError))].join('; ');
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}
