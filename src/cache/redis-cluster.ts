// Redis Cluster behind the same small surface as one Redis (redis-connection.ts RedisCommands / RedisSubscriber), on
// node-redis's cluster client. What the cluster client does not do by itself, and this module adds:
//
//  - Follow a failover. node-redis refreshes its slot map only on a MOVED reply; a master that dies never answers
//    MOVED, so its slots would stay pointed at a dead address. When a node's link drops, the map is re-read (CLUSTER
//    SLOTS, from a live node or a seed) every few hundred milliseconds until every master answers again: a promoted
//    replica is found within one poll of its promotion.
//  - Keep the invalidation channel subscribed. On a cluster it is a sharded channel (SSUBSCRIBE/SPUBLISH): it lives
//    on the master of its slot, and messages do not cross the cluster bus to every node as PUBLISH's do. When that
//    master changes, node-redis drops the old subscription without re-subscribing anywhere; the subscriber here
//    subscribes again on the new master and reports it as 'ready' (versions.ts then re-baselines: messages sent in
//    between may be lost).
//
// Every command names one key and goes to the master of its slot (no replica reads: a replica may lag behind the
// clock). Nothing is queued while a node is unreachable: a command for its slots fails at once, like one Redis down.
import { EventEmitter } from 'node:events';
import { createCluster, type RedisClientType, type RedisClusterType } from '@keyv/redis';
import type { RedisCommands, RedisSubscriber } from './redis-commands.js';

export interface ClusterLinkOptions {
  /** Seed nodes, redis:// or rediss:// URLs; the other nodes are discovered from them. */
  nodes: readonly string[];
  connectTimeoutMs: number;
  /** Delay before the next reconnect of a node, or false never to reconnect (a short-lived process). */
  reconnectStrategy: false | ((retries: number) => number);
  onError(error: unknown): void;
}

/** One node as cacheStats shows it. */
export interface ClusterNodeState {
  address: string;
  role: 'master' | 'replica';
  state: 'ready' | 'down';
}

const REFRESH_FIRST_MS = 100;
const REFRESH_MAX_MS = 500;

/** The command side: every RedisCommands method routed by its key's slot; PUBLISH is SPUBLISH. */
export class ClusterLink extends EventEmitter implements RedisCommands {
  readonly cluster: RedisClusterType;
  readonly subscriber: ClusterSubscriber;
  private connected = false;
  private closed = false;
  private wasReady = false;
  private refreshing = false;

  constructor(private readonly options: ClusterLinkOptions) {
    super();
    const seed = new URL(options.nodes[0]!);
    this.cluster = createCluster({
      rootNodes: options.nodes.map((url) => ({ url })),
      // Discovered nodes take these: the seeds' credentials and scheme, no offline queue, our reconnect strategy.
      defaults: {
        username: seed.username ? decodeURIComponent(seed.username) : undefined,
        password: seed.password ? decodeURIComponent(seed.password) : undefined,
        disableOfflineQueue: true,
        socket: {
          connectTimeout: options.connectTimeoutMs,
          reconnectStrategy: options.reconnectStrategy,
          ...(seed.protocol === 'rediss:' ? { tls: true as const } : {}),
        },
      },
    }) as RedisClusterType;
    this.cluster.on('error', options.onError);
    this.cluster.on('node-error', (error: unknown) => {
      options.onError(error);
      this.refreshSoon();
    });
    this.cluster.on('node-reconnecting', () => this.refreshSoon());
    this.cluster.on('node-disconnect', () => this.refreshSoon());
    this.subscriber = new ClusterSubscriber(this);
  }

  /** Discovers the cluster; on failure retries with the reconnect strategy (unless it is false). Never rejects. */
  async connect(): Promise<boolean> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await this.cluster.connect();
        this.connected = true;
        await this.countReplicas();
        this.updateReadiness();
        return true;
      } catch (error) {
        this.options.onError(error);
        const delay = this.options.reconnectStrategy === false ? false : this.options.reconnectStrategy(attempt);
        if (delay === false) return false;
        await sleep(delay);
      }
    }
    return false;
  }

  /** Discovered, and at least one master answers: commands have a chance (those for a down master fail at once). */
  get isReady(): boolean {
    return this.connected && !this.closed && this.cluster.masters.some((node) => node.client?.isReady === true);
  }

  /** Every master answers and every slot has one. */
  get healthy(): boolean {
    return this.connected && this.cluster.masters.length > 0 && this.cluster.masters.every((node) => node.client?.isReady === true);
  }

  nodes(): ClusterNodeState[] {
    if (!this.connected) return [];
    return this.cluster.masters.map((node) => ({
      address: node.address,
      role: 'master' as const,
      state: node.client?.isReady ? ('ready' as const) : ('down' as const),
    }));
  }

  get(key: string): Promise<string | null> {
    return this.cluster.get(key) as Promise<string | null>;
  }

  set(key: string, value: string, options?: { NX?: true; PX?: number }): Promise<string | null> {
    return this.cluster.set(key, value, options) as Promise<string | null>;
  }

  del(key: string): Promise<number> {
    return this.cluster.del(key) as Promise<number>;
  }

  incr(key: string): Promise<number> {
    return this.cluster.incr(key) as Promise<number>;
  }

  pExpire(key: string, milliseconds: number, mode?: 'GT'): Promise<number> {
    return this.cluster.pExpire(key, milliseconds, mode) as Promise<number>;
  }

  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return this.cluster.eval(script, options);
  }

  publish(channel: string, message: string): Promise<number> {
    return this.cluster.sPublish(channel, message) as Promise<number>;
  }

  /** Asks one master (the one holding `key`'s slot): a cluster's nodes are configured alike. */
  async configGet(parameter: string): Promise<Record<string, string>> {
    return (await this.cluster.sendCommand(this.anyKey(), true, ['CONFIG', 'GET', parameter]).then(pairsToRecord)) as Record<string, string>;
  }

  /**
   * WAIT on the masters holding `keys`: resolves with the fewest replicas that acknowledged every write sent to them
   * so far (one connection per node, so this covers the writes just made), or 0 past `timeoutMs`.
   */
  async waitForReplicas(keys: readonly string[], timeoutMs: number): Promise<void> {
    const nodes = new Set<RedisClientType>();
    for (const key of keys) {
      const { client } = await this.cluster._slots.getClientAndSlotNumber(key, false);
      // A master without a replica has nobody to wait for (and nothing to fail over to).
      if ((this.replicasOf.get(client as RedisClientType) ?? 0) > 0) nodes.add(client as RedisClientType);
    }
    await Promise.all([...nodes].map((client) => client.sendCommand(['WAIT', '1', String(Math.max(1, Math.round(timeoutMs)))])));
  }

  /** Each master's connected replicas (INFO replication), read when the cluster is (re)discovered. */
  private readonly replicasOf = new WeakMap<RedisClientType, number>();

  private async countReplicas(): Promise<void> {
    await Promise.all(
      this.cluster.masters.map(async (node) => {
        const client = node.client as RedisClientType | undefined;
        if (!client?.isReady) return;
        try {
          const info = String(await client.sendCommand(['INFO', 'replication']));
          this.replicasOf.set(client, Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0));
        } catch {
          // Unknown: no WAIT on it until the next discovery.
        }
      }),
    );
  }

  destroy(): void {
    this.closed = true;
    if (this.cluster.isOpen) this.cluster.destroy();
    this.connected = false;
    this.updateReadiness();
  }

  /** Re-reads the slot map until every master answers again (a failover promotes a replica within seconds). */
  private refreshSoon(): void {
    this.updateReadiness();
    if (this.refreshing || !this.connected || this.closed) return;
    this.refreshing = true;
    void (async () => {
      let delay = REFRESH_FIRST_MS;
      try {
        while (this.connected && !this.closed) {
          await sleep(delay);
          if (this.closed) return;
          const anchor = this.cluster.masters.find((node) => node.client?.isReady)?.client ?? this.cluster.masters[0]?.client;
          try {
            // From a live master if there is one; node-redis falls back to the seeds.
            if (anchor) await this.cluster._slots.rediscover(anchor as RedisClientType);
          } catch (error) {
            this.options.onError(error);
          }
          await this.countReplicas();
          this.updateReadiness();
          this.emit('topology');
          if (this.healthy) {
            // Whole again (a replica promoted): what waits for a ready link (the replay of deferred invalidations,
            // versions.ts) runs now rather than at its next timer.
            if (this.isReady) this.emit('ready');
            return;
          }
          delay = Math.min(delay * 2, REFRESH_MAX_MS);
        }
      } finally {
        this.refreshing = false;
      }
    })();
  }

  private updateReadiness(): void {
    const ready = this.isReady;
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    this.emit(ready ? 'ready' : this.closed ? 'end' : 'reconnecting');
  }

  /** Some key for a keyless command: node-redis routes it to that key's master. */
  private anyKey(): string {
    return 'beacon';
  }
}

/**
 * The invalidation channel on a cluster: SSUBSCRIBE on the master of the channel's slot, followed across failovers.
 * Emits 'ready' when the subscription is live (first connect, a reconnect, a move to a new master), 'reconnecting'
 * when its link drops.
 */
export class ClusterSubscriber extends EventEmitter implements RedisSubscriber {
  private readonly channels = new Map<string, (message: string) => void>();
  private current: RedisClientType | undefined;
  private following = false;

  constructor(private readonly link: ClusterLink) {
    super();
    // Before anything is subscribed, the cluster being reachable is what 'ready' means (versions.ts subscribes then).
    link.on('ready', () => (this.channels.size === 0 ? this.emit('ready') : void this.follow()));
    link.on('topology', () => void this.follow());
    link.on('end', () => this.emit('end'));
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    this.channels.set(channel, listener);
    await this.link.cluster.sSubscribe(channel, listener);
    this.track(await this.link.cluster._slots.getShardedPubSubClient(channel));
  }

  /** Subscribes again where the channel's slot now lives, if its master changed. */
  private async follow(): Promise<void> {
    if (this.following || this.channels.size === 0) return;
    this.following = true;
    try {
      for (const [channel, listener] of this.channels) {
        const client = (await this.link.cluster._slots.getShardedPubSubClient(channel)) as RedisClientType;
        if (client === this.current) continue;
        await this.link.cluster.sSubscribe(channel, listener);
        this.track(client);
        this.emit('ready');
      }
    } catch {
      // The channel's master is not reachable yet: the next topology refresh tries again.
    } finally {
      this.following = false;
    }
  }

  private track(client: RedisClientType): void {
    if (client === this.current) return;
    this.current?.removeListener('ready', this.forwardReady).removeListener('reconnecting', this.forwardDown).removeListener('end', this.forwardDown);
    this.current = client;
    client.on('ready', this.forwardReady).on('reconnecting', this.forwardDown).on('end', this.forwardDown);
  }

  private readonly forwardReady = () => this.emit('ready');
  private readonly forwardDown = () => this.emit('reconnecting');
}

function pairsToRecord(reply: unknown): Record<string, string> {
  if (!Array.isArray(reply)) return (reply ?? {}) as Record<string, string>;
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = String(reply[i + 1]);
  return record;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
