// Version-stamped tags: how Beacon never serves a stale read after a write.
//
// One clock orders reads and writes: a counter in Redis (`<ns>:clock`), or a local counter without Redis.
//  - Before an operation reads any data it takes a stamp: the clock's current value.
//  - An invalidation increments the clock (v = INCR) and records v as the version of each tag it names.
//  - An entry keeps its tags, each with the clock it was read under (tags.ts TagClocks); it is valid iff no tag has
//    a version above its clock.
// Because the stamp is read before the data, an entry computed from data read before a mutation committed always
// has a clock below that mutation's version, even when its computation finishes after the invalidation (the classic
// set-after-invalidate race): it is born invalid. Every Redis command touches one key, so this works on Cluster.
//
// Reads do not ask Redis for tag versions: each instance keeps a mirror (tag -> latest version), filled by its own
// invalidations and by the invalidation channel. INCR hands out consecutive versions, so the instance knows up to
// which version it has heard of every invalidation (`applied`, the watermark) since its baseline (the clock read once
// the subscription was live). Entries stamped at or after the baseline are checked against the mirror; older ones
// (from L2, or after a re-baseline) are checked once with a pipelined GET of their tags' versions, and their L1 copy
// remembers that Redis confirmed them (Stamp.verified).
//
// Read after write, on every instance (sync()): a mutation answers only after Redis holds its version, so a read that
// starts later must see the clock at or above it. Before a read checks an entry, it waits for a clock read issued
// after the read started (one per event-loop turn, shared by every request of that turn), then for the mirror to have
// heard of every version up to that clock (the messages are normally already in the socket). A message that does not
// come in time sends the checks to Redis instead; a gap that lasts is a lost message: the mirror re-baselines and
// its entries are re-verified, not dropped. A clock that went backwards, vanished or jumped past anything this
// instance could have missed is a lost clock: nothing older is trusted (a new epoch: L1 dropped, and every older
// entry in Redis invalidated through the tag every entry carries).
//
// A missing version key is not "never invalidated": Redis may have evicted it or restarted empty. An entry written to
// Redis first makes sure each of its tags has a version key (0 when never bumped) that outlives it, so a remote check
// that finds no key judges the entry invalid.
//
// Failing open: reads never wait for Redis longer than the read budget; a failed clock read serves L1 from the mirror
// for at most `outageTrustMs`, then misses. An invalidation (a write) has its own, longer budget and no breaker;
// when Redis still cannot take it, this instance honours it at once through local versions (a separate counter every
// stamp also carries), queues the tags, and replays them to Redis when it comes back. Other instances cannot hear of
// such a write until then: that window is bounded by their outage trust (they cannot reach Redis either) or by the
// replay (the writer alone was cut off).
import type { CacheLogger, CacheOptions } from './options.js';
import type { KeySpace } from './keys.js';
import { FAILED, type RedisCommands, type RedisConnection } from './redis-connection.js';
import { clockOfTag, type TagClocks } from './tags.js';

/** Every entry implicitly carries this tag: invalidating it invalidates everything (clearCache(scope: ALL)). */
export const ALL_TAG = '*';

export interface Stamp {
  /** The clock (Redis's, or local without Redis) at or before the moment the data was read. */
  clock: number;
  /** The local invalidation counter at that moment. */
  local: number;
  /** The reset epoch: entries of an older epoch never enter L1. */
  epoch: number;
  /**
   * In process only: for a stamp older than the mirror's baseline, the baseline at which Redis confirmed (tag
   * versions read) that nothing invalidated it. Invalidations after that reach the mirror, so within the same epoch
   * the entry is checked against the mirror alone from then on, not against Redis on every L1 hit.
   */
  verified?: number;
}

/** Up to which clock an entry with this stamp needs no check beyond the mirror's. */
function confirmedUpTo(stamp: Stamp): number {
  return Math.max(stamp.clock, stamp.verified ?? -Infinity);
}

/**
 * The stamp of something built from two things read under `a` and `b`: as old as the older. Of different epochs,
 * it belongs to none (epoch -1), so it is never valid: an entry built across a reset is not kept. It is confirmed
 * (see `verified`) as far as both parts are.
 */
export function earliestStamp(a: Stamp | undefined, b: Stamp): Stamp {
  if (!a) return b;
  const stamp: Stamp = { clock: Math.min(a.clock, b.clock), local: Math.min(a.local, b.local), epoch: a.epoch === b.epoch ? a.epoch : -1 };
  const confirmed = Math.min(confirmedUpTo(a), confirmedUpTo(b));
  if (confirmed > stamp.clock) stamp.verified = confirmed;
  return stamp;
}

/**
 * How long Redis keeps a tag's version: it must outlive every entry stamped before it, so the longest TTL plus the
 * longest grace (stale-while-revalidate or stale-if-error), plus a margin. One rule for every process that
 * invalidates (a server, the import CLI), so they all write versions that live as long.
 */
export function tagVersionTtlMs(config: Pick<CacheOptions, 'maxTtlMs' | 'staleWhileRevalidateMs' | 'staleIfErrorMs'>): number {
  return config.maxTtlMs + Math.max(config.staleWhileRevalidateMs, config.staleIfErrorMs) + 60_000;
}

export interface VersionsOptions {
  /** How long a tag's version is kept in Redis: longer than any entry can live in a store. */
  tagVersionTtlMs: number;
  /** Bound of the local mirror; past it, the mirror re-baselines. */
  maxMirrorTags?: number;
  /** Bound of the tags queued for replay; past it, the replay invalidates everything instead. */
  maxPendingTags?: number;
  /** Budget of an invalidation's Redis commands, retried within it (a write's, not the read path's). */
  writeTimeoutMs?: number;
  /**
   * Read after write: before an entry is checked, wait for a clock read issued after the read started and for the
   * mirror to catch up with it (see sync()). Off: the mirror alone (an instance may answer a read that starts just
   * after another instance's write from its L1 until the message arrives, typically a millisecond).
   */
  readAfterWrite?: boolean;
  /** While Redis cannot be reached, L1 entries are served from the mirror for at most this long. */
  outageTrustMs?: number;
  /** Told of a lost clock (warn: every instance recomputes what it serves). */
  logger?: Pick<CacheLogger, 'warn'>;
}

export type ResetListener = () => void;
/** `version`: what the tags were bumped to; undefined for an invalidation only this instance knows of (Redis down). */
export type InvalidationListener = (tags: readonly string[], origin: 'local' | 'remote', version: number | undefined) => void;

const DEFAULT_MAX_MIRROR_TAGS = 100_000;
const DEFAULT_MAX_PENDING_TAGS = 10_000;
const DEFAULT_WRITE_TIMEOUT_MS = 2_000;
const DEFAULT_OUTAGE_TRUST_MS = 10_000;
const REPLAY_INTERVAL_MS = 1_000;
/** How long a read waits for the messages up to the clock it read before asking Redis about its entries instead. */
const MESSAGE_WAIT_MS = 100;
/** A gap in the versions heard that lasts this long is a lost message: the mirror re-baselines. */
const GAP_REBASELINE_MS = 1_000;
/** More versions than this between what was heard and the clock: not messages in flight but a lost clock. */
const MAX_VERSION_GAP = 100_000;
/**
 * A version key made sure of is not made sure of again for this long. It lives tagVersionTtlMs, which exceeds the
 * longest entry life by 60 s (tagVersionTtlMs()), so an entry stored within this memo still dies before the key.
 */
const ENSURED_MEMO_MS = 30_000;
/** How long a write waits for a replica to acknowledge its versions (cluster only; past it, the write goes on). */
const REPLICA_WAIT_MS = 100;
/** What a check found: valid; invalid (may be dropped); unverified (Redis could not answer in time: a miss, kept). */
export type Verdict = 'valid' | 'invalid' | 'unverified';

/** Between two tries of an invalidation whose Redis link is down, within the write budget. */
const WRITE_RETRY_MS = 25;

interface InvalidationMessage {
  v: number;
  tags: string[];
}

interface SyncWaiter {
  clock: number;
  resolve(): void;
}

export class Versions {
  private mirror = new Map<string, number>();
  private localVersions = new Map<string, number>();
  /** Stamps at or above this are checked against the mirror alone. Infinity while no baseline is known. */
  private baseline: number;
  /** Every version up to this was heard of (or is below the baseline). -Infinity while no baseline is known. */
  private applied = -Infinity;
  /** Versions heard above `applied` + 1, waiting for the ones between. */
  private early = new Set<number>();
  /** The highest clock a sync read: the mirror is complete for reads while `applied` has reached it. */
  private syncedClock = -Infinity;
  /** Since when `applied` has been short of `syncedClock`, if it is. */
  private gapSince: number | undefined;
  private syncWaiters: SyncWaiter[] = [];
  /** The clock read the next sync() callers share, not yet sent, as a promise, and who waits for it (whenSynced). */
  private nextSync: Promise<void> | undefined;
  private turnWaiters: Array<() => void> | undefined;
  /** Since when clock reads fail (Redis unreachable or slow), if they do. */
  private failingSince: number | undefined;
  /** The highest clock value seen: a safe (never too late) stamp when Redis cannot be asked. */
  private knownClock: number;
  /** The highest clock value Redis itself answered (read, bumped or published): a floor for later reads. */
  private redisClock = -Infinity;
  private localCounter = 0;
  private currentEpoch = 0;
  /** Bumped by every invalidation seen (own or remote): single-flight only joins work started in the same sequence. */
  private sequence = 0;
  private pending = new Set<string>();
  private pendingOverflow = false;
  private subscribed = false;
  private subscriberLive = false;
  private replayTimer: NodeJS.Timeout | undefined;
  /** The clock read in flight, which concurrent stamps share. */
  private clockRead: Promise<number | typeof FAILED> | undefined;
  /** Tags whose version key this process made sure of recently (see ensureVersionKeys), and when. */
  private ensured = new Map<string, number>();
  private readonly resetListeners: ResetListener[] = [];
  private readonly invalidationListeners: InvalidationListener[] = [];
  private readonly maxMirrorTags: number;
  private readonly maxPendingTags: number;
  private readonly writeTimeoutMs: number;
  private readonly readAfterWrite: boolean;
  private readonly outageTrustMs: number;
  invalidations = 0;
  rebaselines = 0;
  clockLosses = 0;
  /** Invalidations Redis could not take within the write budget (honoured locally, replayed later). */
  invalidationsDeferred = 0;
  /** Reads whose messages had not arrived in time, checked against Redis instead. */
  syncsChecked = 0;

  constructor(
    private readonly keys: KeySpace,
    private readonly redis: RedisConnection | undefined,
    private readonly options: VersionsOptions,
  ) {
    this.maxMirrorTags = options.maxMirrorTags ?? DEFAULT_MAX_MIRROR_TAGS;
    this.maxPendingTags = options.maxPendingTags ?? DEFAULT_MAX_PENDING_TAGS;
    this.writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.readAfterWrite = options.readAfterWrite ?? true;
    this.outageTrustMs = options.outageTrustMs ?? DEFAULT_OUTAGE_TRUST_MS;
    // Without Redis the local clock is the truth. With Redis, 0 until Redis answers: a stamp may be too early (the
    // entry is then invalidated by more than it needs) but never too late, and the Redis clock starts at the current
    // time in microseconds, far above 0.
    this.knownClock = redis ? 0 : nowMicros();
    // The mirror is complete from the start without Redis (there is nobody else); with Redis, once a baseline is read.
    this.baseline = redis ? Infinity : this.knownClock;
    if (redis) {
      redis.subscriber.on('ready', () => void this.onSubscriberReady());
      redis.subscriber.on('reconnecting', () => (this.subscriberLive = false));
      redis.subscriber.on('end', () => (this.subscriberLive = false));
      redis.client.on('ready', () => void this.replayPending());
    }
  }

  get epoch(): number {
    return this.currentEpoch;
  }

  get invalidationSequence(): number {
    return this.sequence;
  }

  get mirrorSize(): number {
    return this.mirror.size;
  }

  get pendingReplay(): number {
    return this.pendingOverflow ? Infinity : this.pending.size;
  }

  get subscriptionLive(): boolean {
    return this.subscriberLive;
  }

  onReset(listener: ResetListener): void {
    this.resetListeners.push(listener);
  }

  onInvalidation(listener: InvalidationListener): void {
    this.invalidationListeners.push(listener);
  }

  /**
   * Read before reading any data. Never fails: without an answer from Redis, the highest clock seen is safe.
   * Concurrent stamps share one read of the clock: a value read before a caller asked is only older, and a stamp
   * may be too early (its entry is then invalidated by more than it needs), never too late, since every caller reads
   * its data after the answer arrives. So a burst of misses costs one round trip, and they all resume together.
   */
  async stamp(): Promise<Stamp> {
    // The epoch before the read: a clock lost while it was out makes the value it brings back (the old clock's)
    // meaningless, and the entry it stamps is then of an old epoch, never valid.
    const epoch = this.currentEpoch;
    let clock: number | typeof FAILED = this.knownClock;
    if (this.redis) {
      let read = this.clockRead;
      if (!read) {
        read = this.clockRead = this.readClock();
        void read.finally(() => {
          if (this.clockRead === read) this.clockRead = undefined;
        });
      }
      clock = await read;
    }
    return { clock: clock === FAILED ? this.knownClock : clock, local: this.localCounter, epoch };
  }

  /**
   * Resolves when checks may judge entries for a read that started before this call: a clock read sent after the
   * call has answered, and the mirror has heard of every version up to it (or the wait ran out: checks then ask
   * Redis, see check()). The callers of one event-loop turn share one read, sent once the turn's I/O callbacks have
   * run (setImmediate). Never rejects; a failed read leaves the checks to the outage rules.
   */
  sync(): Promise<void> {
    if (!this.syncsReads) return RESOLVED;
    this.nextSync ??= new Promise<void>((resolve) => this.whenSynced(resolve));
    return this.nextSync;
  }

  /**
   * sync() as a callback, for the fast lane: a cache hit then costs no promise of its own. Promises are not free on
   * Node 20, where the async context (common/async-context.ts) runs a hook for each one, and a hit's microtasks and
   * hooks were a few percent of its CPU. Runs `done` at once when reads wait for nothing. `done` must not throw.
   */
  whenSynced(done: () => void): void {
    if (!this.syncsReads) return done();
    let waiters = this.turnWaiters;
    if (!waiters) {
      waiters = this.turnWaiters = [];
      setImmediate(() => {
        this.turnWaiters = undefined;
        this.nextSync = undefined;
        void this.syncOnce().then(() => {
          for (const waiter of waiters!) waiter();
        });
      });
    }
    waiters.push(done);
  }

  /**
   * sync() for a last resort (stale-if-error): a clock read of its own within the write budget, past the read budget
   * and the breaker. On a loaded machine a read budget of a few tens of milliseconds runs out, and the alternative
   * here is an error, not a hit: waiting longer is worth it, and the entry is still served only once verified.
   */
  async syncPatiently(): Promise<void> {
    if (!this.redis || !this.readAfterWrite) return;
    await this.syncOnce(this.writeTimeoutMs);
  }

  /**
   * Resolves once entries stored from now on are checked against the mirror alone (no Redis; or subscribed with a
   * baseline), or after `timeoutMs`, whichever is first. Never rejects.
   */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.redis && !(this.subscriberLive && Number.isFinite(this.baseline)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Whether reads wait for sync() (Redis, and read after write on). */
  get syncsReads(): boolean {
    return this.redis !== undefined && this.readAfterWrite;
  }

  /**
   * What an entry that check() just found valid may record as `verified`: the baseline, while the subscription is
   * live and a baseline is known (every later invalidation then reaches the mirror); otherwise nothing.
   */
  get verifiedMark(): number | undefined {
    return this.subscriberLive && Number.isFinite(this.baseline) ? this.baseline : undefined;
  }

  /** A stamp that is valid now without asking Redis (for L2 entries, whose local part is unknown: see check()). */
  get foreignLocal(): number {
    return -1;
  }

  /**
   * Whether an entry with these tags (each at its clock) and this stamp is still valid. Synchronous (mirror only)
   * unless the mirror cannot answer for it, then one pipelined GET; a failed GET means not valid (a miss, never
   * stale data).
   */
  check(deps: TagClocks, stamp: Stamp): boolean | Promise<boolean> {
    const verdict = this.verdict(deps, stamp);
    return typeof verdict === 'string' ? verdict === 'valid' : verdict.then((v) => v === 'valid');
  }

  /**
   * check(), telling apart an entry known to be invalid (a newer version of one of its tags, or another epoch) from
   * one that cannot be verified now (Redis slow or down past the outage trust): the first may be dropped, the second
   * must be kept, since a later check (or the stale-if-error fallback, which waits longer) may still verify it.
   * `patient`: the stale-if-error fallback's check, which may wait up to the write budget for Redis.
   */
  verdict(deps: TagClocks, stamp: Stamp, patient = false): Verdict | Promise<Verdict> {
    if (stamp.epoch !== this.currentEpoch) return 'invalid';
    const { tags } = deps;
    if (this.localVersions.size > 0) {
      if ((this.localVersions.get(ALL_TAG) ?? -Infinity) > stamp.local) return 'invalid';
      for (const tag of tags) if ((this.localVersions.get(tag) ?? -Infinity) > stamp.local) return 'invalid';
    }
    if ((this.mirror.get(ALL_TAG) ?? 0) > deps.stamp) return 'invalid';
    for (let index = 0; index < tags.length; index++) {
      if ((this.mirror.get(tags[index]!) ?? 0) > clockOfTag(deps, index)) return 'invalid';
    }
    if (!this.redis) return 'valid';
    // Fail open only for what the mirror vouches for: an entry confirmed since the current baseline (a rebaseline
    // forgets the mirror, and until its new baseline is read nothing older is vouched for).
    const outage = this.outage();
    if (outage !== undefined && !(patient && this.redis.client.isReady)) {
      return outage && confirmedUpTo(stamp) >= this.baseline ? 'valid' : 'unverified';
    }
    if (confirmedUpTo(stamp) >= this.baseline && this.mirrorComplete()) return 'valid';
    return this.checkRemote(deps, patient ? this.writeTimeoutMs : undefined);
  }

  /**
   * Records the tags as changed now. Resolves once this instance and Redis know it, or, when Redis cannot take it
   * within the write budget, once this instance honours it (and has queued it for Redis).
   */
  async invalidate(tags: readonly string[]): Promise<void> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return;
    this.sequence += 1;
    this.invalidations += 1;
    let recorded: number | undefined;
    if (!this.redis) {
      this.knownClock += 1;
      recorded = this.knownClock;
      this.recordVersions(unique, recorded);
    } else {
      const version = await this.bumpWithinWriteBudget(unique);
      if (version === FAILED) {
        this.invalidationsDeferred += 1;
        this.options.logger?.warn('invalidation deferred: Redis did not record it within the write budget; replayed when it can', {
          tags: unique.length,
          writeTimeoutMs: this.writeTimeoutMs,
        });
        this.localCounter += 1;
        for (const tag of unique) this.localVersions.set(tag, this.localCounter);
        this.queueReplay(unique);
      } else {
        recorded = version;
        this.recordVersions(unique, version);
        this.heard(version);
      }
    }
    for (const listener of this.invalidationListeners) listener(unique, 'local', recorded);
    this.boundMirror();
  }

  /**
   * Makes sure each tag has a version key in Redis that lives at least as long as a new entry depending on it: a
   * missing key then means a lost one (check() judges the entry invalid), never "not bumped yet". Called before an
   * entry is written to Redis. A tag made sure of within ENSURED_MEMO_MS is skipped.
   */
  async ensureVersionKeys(tags: readonly string[]): Promise<boolean> {
    if (!this.redis) return true;
    const now = Date.now();
    const due = [ALL_TAG, ...tags].filter((tag) => !(now - (this.ensured.get(tag) ?? -Infinity) < ENSURED_MEMO_MS));
    if (due.length === 0) return true;
    const ttl = Math.ceil(this.options.tagVersionTtlMs);
    const done = await this.redis.call((client) =>
      Promise.all(
        due.flatMap((tag) => {
          const key = this.keys.tagVersion(tag);
          // 0: below every stamp. GT: only ever lengthens the life a bump gave the key.
          return [client.set(key, '0', { NX: true, PX: ttl }), client.pExpire(key, ttl, 'GT')];
        }),
      ),
    );
    if (done === FAILED) return false;
    if (this.ensured.size > this.maxMirrorTags) this.ensured.clear();
    for (const tag of due) this.ensured.set(tag, now);
    return true;
  }

  close(): void {
    clearInterval(this.replayTimer);
  }

  /**
   * Undefined while Redis answers. While the link is down: the mirror's answer (fail open, L1 keeps serving) for at
   * most outageTrustMs from the first failed clock read, then false. While the link is up but the clock read failed
   * (Redis slow, the breaker open): false, a miss, since the read budget ran out.
   */
  private outage(): boolean | undefined {
    const down = !this.redis!.client.isReady;
    if (!down) return this.failingSince === undefined ? undefined : false;
    return Date.now() - (this.failingSince ?? Date.now()) <= this.outageTrustMs;
  }

  /** The mirror has heard of every version up to the latest clock read (and the subscription is live). */
  private mirrorComplete(): boolean {
    return this.subscriberLive && this.applied >= this.syncedClock;
  }

  /** `budgetMs`: a read of its own within that budget and past the breaker (syncPatiently); else the read path's. */
  private async syncOnce(budgetMs?: number): Promise<void> {
    const floor = this.redisClock;
    const clock = await this.readClock(budgetMs);
    if (clock === FAILED) {
      this.failingSince ??= Date.now();
      return;
    }
    this.failingSince = undefined;
    if (clock < floor) {
      // Redis answered less than it answered before: restarted empty, or a replica that missed writes took over.
      await this.clockLost(`the clock went back from ${floor} to ${clock}`, true);
      return;
    }
    if (!Number.isFinite(this.applied)) return; // no baseline yet: every check asks Redis
    if (clock - this.applied > MAX_VERSION_GAP) {
      await this.clockLost(`the clock jumped from ${this.applied} to ${clock}`, false);
      return;
    }
    if (clock > this.syncedClock) this.syncedClock = clock;
    // Without the subscription no message comes: checks ask Redis (mirrorComplete is false).
    if (this.applied >= clock || !this.subscriberLive) return;
    this.gapSince ??= Date.now();
    if (Date.now() - this.gapSince > GAP_REBASELINE_MS) {
      // A version never heard of: its message was lost (or its writer died between INCR and PUBLISH).
      void this.rebaseline();
      return;
    }
    await new Promise<void>((resolve) => {
      const waiter: SyncWaiter = { clock, resolve };
      this.syncWaiters.push(waiter);
      setTimeout(() => {
        if (this.applied < clock) this.syncsChecked += 1;
        this.syncWaiters = this.syncWaiters.filter((other) => other !== waiter);
        resolve();
      }, MESSAGE_WAIT_MS).unref();
    });
  }

  /** Version `version` was heard of (a message, or this instance's own bump): advance the watermark. */
  private heard(version: number): void {
    if (version > this.redisClock) this.redisClock = version;
    if (version > this.knownClock) this.knownClock = version;
    if (version <= this.applied) return;
    if (!Number.isFinite(this.applied) || version !== this.applied + 1) {
      if (this.early.size < MAX_VERSION_GAP) this.early.add(version);
      return;
    }
    this.applied = version;
    while (this.early.delete(this.applied + 1)) this.applied += 1;
    this.caughtUp();
  }

  private caughtUp(): void {
    if (this.applied >= this.syncedClock) this.gapSince = undefined;
    if (this.syncWaiters.length === 0) return;
    const still: SyncWaiter[] = [];
    for (const waiter of this.syncWaiters) {
      if (this.applied >= waiter.clock) waiter.resolve();
      else still.push(waiter);
    }
    this.syncWaiters = still;
  }

  private recordVersions(tags: readonly string[], version: number): void {
    for (const tag of tags) {
      if ((this.mirror.get(tag) ?? 0) < version) this.mirror.set(tag, version);
    }
  }

  private boundMirror(): void {
    if (this.mirror.size > this.maxMirrorTags) void this.rebaseline();
  }

  /** GET clock; a missing clock (new or restarted Redis) starts at the current time, so it never goes backwards. */
  private async readClock(budgetMs?: number): Promise<number | typeof FAILED> {
    const redis = this.redis!;
    const key = this.keys.clock;
    const read = async (client: RedisCommands) => {
      const current = await client.get(key);
      if (current !== null) return current;
      await client.set(key, String(nowMicros()), { NX: true });
      return client.get(key);
    };
    const value = budgetMs === undefined ? await redis.call(read) : await redis.callWithin(budgetMs, read);
    if (value === FAILED || value === null) return FAILED;
    const clock = Number(value);
    if (!Number.isFinite(clock)) return FAILED;
    if (clock > this.knownClock) this.knownClock = clock;
    if (clock > this.redisClock) this.redisClock = clock;
    return clock;
  }

  /**
   * The bump, retried until it lands or the write budget runs out. Not the read path's call(): a write must not give
   * up after 50 ms or be skipped by the breaker a slow read opened.
   */
  private async bumpWithinWriteBudget(tags: readonly string[]): Promise<number | typeof FAILED> {
    const deadline = Date.now() + this.writeTimeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return FAILED;
      if (this.redis!.client.isReady) {
        const version = await this.bump(tags, left);
        if (version !== FAILED) return version;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(WRITE_RETRY_MS, Math.max(0, deadline - Date.now()))));
    }
  }

  /** v = INCR clock; SET each tag's version (one key per command); PUBLISH. */
  private async bump(tags: readonly string[], budgetMs: number): Promise<number | typeof FAILED> {
    const { keys } = this;
    return this.redis!.callWithin(budgetMs, async (client) => {
      // NX: only creates a missing clock; an existing one keeps counting.
      const [, version] = await Promise.all([client.set(keys.clock, String(nowMicros()), { NX: true }), client.incr(keys.clock)]);
      const ttl = Math.ceil(this.options.tagVersionTtlMs);
      await Promise.all(tags.map((tag) => client.set(keys.tagVersion(tag), String(version), { PX: ttl })));
      // On a cluster whose masters have replicas: wait (bounded) until a replica holds the new versions, so a master
      // that dies right after this write acknowledged it does not take them with it (docs/scaling.md "Failover").
      await this.redis!.cluster?.waitForReplicas([keys.clock, ...tags.map((tag) => keys.tagVersion(tag))], REPLICA_WAIT_MS);
      const message: InvalidationMessage = { v: version, tags: [...tags] };
      await client.publish(keys.invalidationChannel, JSON.stringify(message));
      return version;
    });
  }

  /** Each tag's version from Redis against its clock; a missing version key is a lost one (ensureVersionKeys). */
  private async checkRemote(deps: TagClocks, budgetMs?: number): Promise<Verdict> {
    const all = [ALL_TAG, ...deps.tags];
    const read = (client: RedisCommands) => Promise.all(all.map((tag) => client.get(this.keys.tagVersion(tag))));
    const versions = budgetMs === undefined ? await this.redis!.call(read) : await this.redis!.callWithin(budgetMs, read);
    if (versions === FAILED) return 'unverified';
    const valid = versions.every((version, index) => version !== null && Number(version) <= (index === 0 ? deps.stamp : clockOfTag(deps, index - 1)));
    return valid ? 'valid' : 'invalid';
  }

  private onMessage(text: string): void {
    let message: InvalidationMessage;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message?.v !== 'number' || !Array.isArray(message.tags)) return;
    this.sequence += 1;
    const tags = message.tags.filter((tag): tag is string => typeof tag === 'string');
    this.recordVersions(tags, message.v);
    for (const listener of this.invalidationListeners) listener(tags, 'remote', message.v);
    this.heard(message.v);
    this.boundMirror();
  }

  private async onSubscriberReady(): Promise<void> {
    const redis = this.redis!;
    if (!this.subscribed) {
      try {
        await redis.subscriber.subscribe(this.keys.invalidationChannel, (message) => this.onMessage(message));
        this.subscribed = true;
      } catch {
        // The link dropped again; the next 'ready' retries.
        return;
      }
    }
    // (Re)subscribed: messages sent while we were away are lost, so start over from a new baseline. L1 stays: its
    // entries are re-verified against Redis, each once (a lost clock is caught by the baseline read).
    this.subscriberLive = true;
    await this.replayPending();
    await this.rebaseline();
  }

  /**
   * Forgets what the mirror knew and takes a new baseline: the clock read while the subscription is live. Entries
   * stay in L1; each is checked against Redis once (its tags' versions) before it is trusted again. Until the new
   * baseline is read, every check asks Redis. A clock that went back or jumped is a lost clock (clockLost).
   */
  private async rebaseline(): Promise<void> {
    this.rebaselines += 1;
    this.sequence += 1;
    const floor = this.redisClock;
    const heardUpTo = this.applied;
    this.baseline = Infinity;
    this.applied = -Infinity;
    this.syncedClock = -Infinity;
    this.gapSince = undefined;
    this.early = new Set();
    this.mirror = new Map();
    this.releaseSyncWaiters();
    // A read that fails (a busy start, a slow Redis) is retried, with backoff, as long as this rebaseline is the
    // latest and the subscription stays live: left unset, the baseline would make every check a Redis round trip.
    const round = this.rebaselines;
    for (let attempt = 0; this.subscriberLive && this.rebaselines === round; attempt++) {
      const clock = await this.readClock();
      if (clock !== FAILED) {
        if (!(this.subscriberLive && this.rebaselines === round)) return;
        const jumped = Number.isFinite(heardUpTo) && clock - heardUpTo > MAX_VERSION_GAP;
        if (clock < floor || jumped) {
          const wentBack = clock < floor;
          await this.clockLost(wentBack ? `the clock went back from ${floor} to ${clock}` : `the clock jumped from ${heardUpTo} to ${clock}`, wentBack);
          return;
        }
        this.setBaseline(clock);
        return;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)).unref());
    }
  }

  private setBaseline(clock: number): void {
    this.baseline = clock;
    this.applied = clock;
    for (const version of this.early) if (version <= clock) this.early.delete(version);
    while (this.early.delete(this.applied + 1)) this.applied += 1;
    this.caughtUp();
  }

  /**
   * The clock was lost: Redis restarted empty, evicted it, or a replica that missed writes took over. Versions this
   * instance heard of may be gone from Redis, so nothing computed before is trusted here: a new epoch (L1 dropped
   * through the listeners). Entries in Redis: a clock recreated from the current time (it jumped) comes with every
   * version either kept or gone, and a gone version key makes its entries invalid (ensureVersionKeys); a clock that
   * went back may come with versions that went back too, so then the tag every entry carries is bumped, and older
   * entries there are invalid for every instance. Recomputation is single-flighted per key (engine.ts).
   */
  private async clockLost(reason: string, wentBack: boolean): Promise<void> {
    this.clockLosses += 1;
    this.currentEpoch += 1;
    this.sequence += 1;
    this.mirror = new Map();
    this.ensured = new Map();
    this.early = new Set();
    this.baseline = Infinity;
    this.applied = -Infinity;
    this.syncedClock = -Infinity;
    this.redisClock = -Infinity;
    // The old clock may be ahead of the new one (it went back): a stamp from it would be too late.
    this.knownClock = 0;
    this.gapSince = undefined;
    this.releaseSyncWaiters();
    for (const listener of this.resetListeners) listener();
    this.options.logger?.warn('cache clock lost: nothing cached before is trusted', { reason });
    if (wentBack) {
      const version = await this.bumpWithinWriteBudget([ALL_TAG]);
      if (version === FAILED) this.queueReplay([ALL_TAG]);
      else this.recordVersions([ALL_TAG], version);
    }
    await this.rebaseline();
  }

  private releaseSyncWaiters(): void {
    for (const waiter of this.syncWaiters) waiter.resolve();
    this.syncWaiters = [];
  }

  private queueReplay(tags: readonly string[]): void {
    for (const tag of tags) {
      if (this.pending.size >= this.maxPendingTags) {
        this.pendingOverflow = true;
        break;
      }
      this.pending.add(tag);
    }
    this.replayTimer ??= setInterval(() => void this.replayPending(), REPLAY_INTERVAL_MS).unref();
  }

  /** Sends the invalidations Redis missed; once Redis has them, the local versions that stood for them can go. */
  private async replayPending(): Promise<void> {
    if (this.pending.size === 0 && !this.pendingOverflow) return;
    const tags = this.pendingOverflow ? [ALL_TAG] : [...this.pending];
    const version = await this.bumpWithinWriteBudget(tags);
    if (version === FAILED) return;
    this.pending = new Set();
    this.pendingOverflow = false;
    clearInterval(this.replayTimer);
    this.replayTimer = undefined;
    this.recordVersions(tags, version);
    this.heard(version);
    this.localVersions = new Map();
  }
}

const RESOLVED = Promise.resolve();

function nowMicros(): number {
  return Date.now() * 1000;
}

