// The Redis link, built to fail open. Two clients (commands, and a subscriber for the invalidation channel) connect
// in the background: start() never waits for Redis. There is no offline queue, so a command sent while the link is
// down fails at once instead of waiting for a reconnect; every call is raced against a small time budget; failures
// and timeouts come back as FAILED (the caller treats them as a miss), are counted, and are logged at most once a
// second. Reconnection is node-redis's, with a capped backoff.
//
// One Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES, redis-cluster.ts) behind one small surface: the
// commands Beacon sends (each names one key, so each goes to one slot) and a subscriber. On a cluster, publish is
// SPUBLISH and the subscription SSUBSCRIBE: the channel lives on one slot's master.
import { createClient, type RedisClientType } from '@keyv/redis';
import type { CacheLogger } from './options.js';
import type { RedisCommands, RedisSubscriber } from './redis-commands.js';
import { ClusterLink, type ClusterNodeState } from './redis-cluster.js';

export type { RedisCommands, RedisSubscriber } from './redis-commands.js';

/** What a failed or timed-out call returns instead of throwing. */
export const FAILED = Symbol('redis call failed');
export type Failed = typeof FAILED;

export type RedisLinkState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface RedisConnectionOptions {
  /** One Redis. Exactly one of url and clusterNodes. */
  url?: string;
  /** Seed nodes of a Redis Cluster. */
  clusterNodes?: readonly string[];
  timeoutMs: number;
  logger: CacheLogger;
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
  readonly client: RedisCommands;
  readonly subscriber: RedisSubscriber;
  /** Set on a cluster. */
  readonly cluster: ClusterLink | undefined;
  /** Set on one Redis: the node-redis clients behind client and subscriber. */
  private readonly single: { client: RedisClientType; subscriber: RedisClientType } | undefined;
  private clientState: RedisLinkState = 'connecting';
  private breakerOpenUntil = 0;
  private lastLogAt = 0;
  private suppressedLogs = 0;
  lastError: string | undefined;
  private closed = false;

  constructor(private readonly options: RedisConnectionOptions) {
    if ((options.url === undefined) === (options.clusterNodes === undefined)) {
      throw new Error('RedisConnection needs exactly one of url (one Redis) and clusterNodes (a Redis Cluster)');
    }
    const reconnectStrategy =
      options.reconnect === false ? (false as const) : (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS);
    if (options.clusterNodes) {
      this.cluster = new ClusterLink({
        nodes: options.clusterNodes,
        connectTimeoutMs: 1_000,
        reconnectStrategy,
        onError: (error) => this.logFailure('redis cluster error', error),
      });
      this.client = this.cluster;
      this.subscriber = this.cluster.subscriber;
    } else {
      const client = createClient({
        url: options.url,
        disableOfflineQueue: true,
        socket: { connectTimeout: 1_000, reconnectStrategy },
      }) as RedisClientType;
      const subscriber = client.duplicate() as RedisClientType;
      client.on('error', (error: unknown) => this.logFailure('redis connection error', error));
      // The subscriber's errors are the same outage seen twice; its state is reported through its own events.
      subscriber.on('error', () => {});
      this.single = { client, subscriber };
      // node-redis's reply types are generic over RESP versions and type mappings; with the defaults they are these.
      this.client = client as unknown as RedisCommands;
      this.subscriber = subscriber as unknown as RedisSubscriber;
    }
    this.client.on('ready', () => (this.clientState = 'ready'));
    this.client.on('reconnecting', () => (this.clientState = 'reconnecting'));
    this.client.on('end', () => (this.clientState = 'closed'));
  }

  /** Connects in the background. Never rejects, never waits. */
  start(): void {
    if (this.cluster) {
      void this.cluster.connect();
      return;
    }
    for (const client of [this.single!.client, this.single!.subscriber]) {
      client.connect().catch((error: unknown) => {
        if (!this.closed) this.logFailure('redis connect failed', error);
      });
    }
  }

  /** On a cluster, each master's address and whether it answers; empty on one Redis. */
  nodes(): ClusterNodeState[] {
    return this.cluster?.nodes() ?? [];
  }

  /**
   * For a process that sends but does not listen (the import CLI): connects the command client only, and waits until
   * it is ready, at most `budgetMs`. Resolves false (lastError says why) instead of throwing. Use with
   * `reconnect: false`, so that a refused connection answers at once rather than after the budget.
   */
  async connectClient(budgetMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const connecting: Promise<unknown> = this.cluster
      ? this.cluster.connect().then((ok) => {
          if (!ok) throw new Error(this.lastError ?? 'no cluster node answered');
        })
      : this.single!.client.connect();
    const connected = connecting.then(
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
  async call<T>(operation: (client: RedisCommands) => Promise<T>): Promise<T | Failed> {
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
  async callWithin<T>(budgetMs: number, operation: (client: RedisCommands) => Promise<T>): Promise<T | Failed> {
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
    this.cluster?.destroy();
    await Promise.all(
      (this.single ? [this.single.client, this.single.subscriber] : []).map(async (client) => {
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
