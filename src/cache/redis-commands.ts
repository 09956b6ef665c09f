// The slice of a Redis client Beacon uses, shared by the single-node connection (redis-connection.ts) and the
// cluster link (redis-cluster.ts): its own file so that neither imports the other for it.

/** The commands Beacon sends: each names one key (Redis Cluster-safe). node-redis's client and ClusterLink have them. */
export interface RedisCommands {
  readonly isReady: boolean;
  on(event: 'ready' | 'reconnecting' | 'end', listener: () => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  get(key: string): Promise<string | null>;
  /** MGET: only on one Redis (node-redis's client), since on a cluster the keys of one call may lie in several slots. */
  mGet?(keys: readonly string[]): Promise<Array<string | null>>;
  set(key: string, value: string, options?: { NX?: true; PX?: number }): Promise<string | null>;
  del(key: string): Promise<number>;
  incr(key: string): Promise<number>;
  pExpire(key: string, milliseconds: number, mode?: 'GT'): Promise<number>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** PUBLISH on one Redis; SPUBLISH on a cluster (the channel's slot's master). */
  publish(channel: string, message: string): Promise<number>;
  configGet(parameter: string): Promise<Record<string, string>>;
}

/** The invalidation channel's listener side: 'ready' whenever the subscription is (again) live. */
export interface RedisSubscriber {
  on(event: 'ready' | 'reconnecting' | 'end', listener: () => void): unknown;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
}
