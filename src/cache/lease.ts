// Single-flight across instances: a short lease in Redis per key. Within an instance, concurrent identical misses
// already share one computation (engine.ts flight); the lease extends that to every instance on the same Redis. The
// instance that takes it computes; the others wait for the entry it stores in L2 instead of computing the same value
// at the same time (the stampede after a deploy or a write, times the number of instances). Used by the field cache,
// whose computations are the expensive ones (an assessment's LU solve, comparisons, rankings).
//
// It never costs correctness and never stalls a request for long. An entry found while waiting is checked like any
// other, its tags' versions against its stamp (engine.ts), so one computed from data older than a write this request
// must see is refused and the waiter computes. The waiter also computes when Redis fails, or when the lease outlives
// its time without an entry appearing (its holder died, failed or is slow). One command per key (SET NX PX to take;
// a compare-and-delete script to give back, so an expired lease retaken by another instance is not released by the
// first), so it works on Redis Cluster.
//
// The takes of one tick go out together and are answered together (tick-batcher.ts), as L2 reads are: on a Redis
// Cluster their replies come from several masters, and misses that went on to compute as each master's reply landed
// would split the DataLoader batches behind them (one SQL statement becoming two or three).
import { randomBytes } from 'node:crypto';
import { FAILED, type Failed, type RedisConnection } from './redis-connection.js';
import { TickBatcher } from './tick-batcher.js';

const RELEASE_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

export type LeaseAttempt =
  /** This caller holds the lease: compute, store, then release. */
  | { status: 'taken'; release(): Promise<void> }
  /** Another caller (another instance, usually) holds it: wait for its entry. */
  | { status: 'held' }
  /** Redis did not answer: compute without a lease. */
  | { status: 'unavailable' };

export class Leases {
  /** Tells this process's leases from others', so a release never deletes a lease another instance took over. */
  private readonly owner = randomBytes(9).toString('base64url');
  private sequence = 0;
  private readonly takes = new TickBatcher<string, { reply: string | null | Failed; token: string }>((keys) => this.takeMany(keys));

  constructor(
    private readonly redis: RedisConnection,
    /** How long a lease lasts if its holder never releases it; also how long a waiter waits at most. */
    readonly ttlMs: number,
  ) {}

  async take(leaseKey: string): Promise<LeaseAttempt> {
    const { reply, token } = await this.takes.load(leaseKey);
    if (reply === FAILED) return { status: 'unavailable' };
    if (reply === null) return { status: 'held' };
    return {
      status: 'taken',
      release: async () => {
        await this.redis.call((client) => client.eval(RELEASE_SCRIPT, { keys: [leaseKey], arguments: [token] }));
      },
    };
  }

  /** One SET NX PX per lease (one key each: Cluster-safe), sent in the same tick, raced against one time budget. */
  private async takeMany(leaseKeys: readonly string[]): Promise<Array<{ reply: string | null | Failed; token: string }>> {
    const tokens = leaseKeys.map(() => `${this.owner}.${(this.sequence += 1)}`);
    const replies = await this.redis.call((client) =>
      Promise.all(leaseKeys.map((leaseKey, k) => client.set(leaseKey, tokens[k]!, { NX: true, PX: this.ttlMs }))),
    );
    return tokens.map((token, k) => ({ reply: replies === FAILED ? FAILED : (replies[k] ?? null), token }));
  }
}
