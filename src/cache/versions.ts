// Version-stamped tags: how Beacon never serves a stale read after a write.
//
// One clock orders reads and writes: a counter in Redis (`<ns>:clock`), or a local counter without Redis.
//  - Before an operation reads any data it takes a stamp: the clock's current value.
//  - An invalidation increments the clock (v = INCR) and records v as the version of each tag it names.
//  - An entry keeps its tags and its stamp; it is valid iff no tag has a version above the stamp.
// Because the stamp is read before the data, an entry computed from data read before a mutation committed always
// has stamp < that mutation's version, even when its computation finishes after the invalidation (the classic
// set-after-invalidate race): it is born invalid. Every Redis command touches one key, so this works on Cluster.
//
// Reads do not ask Redis for tag versions: each instance keeps a mirror (tag -> latest version), filled by its own
// invalidations and by the invalidation channel. The mirror is complete for every version above its baseline (the
// clock read once the subscription was live), so entries stamped at or after the baseline are checked locally;
// older ones (from L2) are checked with one pipelined GET of their tags' versions, once: the L1 copy remembers that
// Redis confirmed it (Stamp.verified), and later invalidations reach the mirror.
//
// The mirror is bounded: past its size, or whenever messages may have been missed (the subscriber reconnected, Redis
// restarted), it is reset to a new baseline and L1 is dropped.
//
// A stamp must be known before the data is read, not merely requested (a response waits for it). Concurrent stamps
// share one read of the clock. Whatever is built from cached values (a response from a field entry, a field from a
// nested one) is stored under the earliest of their stamps: it is no more recent than its oldest part.
//
// Failing open: when an invalidation cannot reach Redis, this instance still honours it at once through local
// versions (a separate counter every stamp also carries), queues the tags, and replays them to Redis when it comes
// back, then resets. Other instances cannot hear of a write while Redis is unreachable; that is the price of
// failing open, bounded by the replay.
import type { CacheConfig } from '../config.js';
import type { KeySpace } from './keys.js';
import { FAILED, type RedisConnection } from './redis-connection.js';

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
export function tagVersionTtlMs(config: Pick<CacheConfig, 'maxTtlMs' | 'staleWhileRevalidateMs' | 'staleIfErrorMs'>): number {
  return config.maxTtlMs + Math.max(config.staleWhileRevalidateMs, config.staleIfErrorMs) + 60_000;
}

export interface VersionsOptions {
  /** How long a tag's version is kept in Redis: longer than any entry can live in a store. */
  tagVersionTtlMs: number;
  /** Bound of the local mirror; past it, the mirror is reset. */
  maxMirrorTags?: number;
  /** Bound of the tags queued for replay; past it, the replay invalidates everything instead. */
  maxPendingTags?: number;
}

export type ResetListener = () => void;
/** `version`: what the tags were bumped to; undefined for an invalidation only this instance knows of (Redis down). */
export type InvalidationListener = (tags: readonly string[], origin: 'local' | 'remote', version: number | undefined) => void;

const DEFAULT_MAX_MIRROR_TAGS = 100_000;
const DEFAULT_MAX_PENDING_TAGS = 10_000;
const REPLAY_INTERVAL_MS = 1_000;

interface InvalidationMessage {
  v: number;
  tags: string[];
}

export class Versions {
  private mirror = new Map<string, number>();
  private localVersions = new Map<string, number>();
  /** Stamps at or above this are checked against the mirror alone. Infinity while no baseline is known. */
  private baseline: number;
  /** The highest clock value seen: a safe (never too late) stamp when Redis cannot be asked. */
  private knownClock: number;
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
  private readonly resetListeners: ResetListener[] = [];
  private readonly invalidationListeners: InvalidationListener[] = [];
  private readonly maxMirrorTags: number;
  private readonly maxPendingTags: number;
  invalidations = 0;
  resets = 0;

  constructor(
    private readonly keys: KeySpace,
    private readonly redis: RedisConnection | undefined,
    private readonly options: VersionsOptions,
  ) {
    this.maxMirrorTags = options.maxMirrorTags ?? DEFAULT_MAX_MIRROR_TAGS;
    this.maxPendingTags = options.maxPendingTags ?? DEFAULT_MAX_PENDING_TAGS;
    // Without Redis the local clock is the truth. With Redis, 0 until Redis answers: a stamp may be too early (the
    // entry is then invalidated by more than it needs) but never too late, and the Redis clock starts at the current
    // time in microseconds, far above 0.
    this.knownClock = redis ? 0 : nowMicros();
    // The mirror is complete from the start: without Redis there is nobody else; before Redis was ever reached,
    // nothing can be learnt from anyone, and L2 cannot be read either.
    this.baseline = this.knownClock;
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
    return { clock: clock === FAILED ? this.knownClock : clock, local: this.localCounter, epoch: this.currentEpoch };
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
   * Whether an entry with these tags and this stamp is still valid. Synchronous (mirror only) unless the stamp is
   * older than the baseline, then one pipelined GET; a failed GET makes the entry invalid (a miss, never stale data).
   */
  check(tags: readonly string[], stamp: Stamp): boolean | Promise<boolean> {
    if (stamp.epoch !== this.currentEpoch) return false;
    if (this.localVersions.size > 0) {
      if ((this.localVersions.get(ALL_TAG) ?? -Infinity) > stamp.local) return false;
      for (const tag of tags) if ((this.localVersions.get(tag) ?? -Infinity) > stamp.local) return false;
    }
    if ((this.mirror.get(ALL_TAG) ?? 0) > stamp.clock) return false;
    for (const tag of tags) if ((this.mirror.get(tag) ?? 0) > stamp.clock) return false;
    if (confirmedUpTo(stamp) >= this.baseline && this.mirrorTrusted()) return true;
    if (!this.redis) return false;
    return this.checkRemote(tags, stamp.clock);
  }

  /** Records the tags as changed now. Resolves once this instance and (when reachable) Redis know it. */
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
      const version = await this.bump(unique);
      if (version === FAILED) {
        this.localCounter += 1;
        for (const tag of unique) this.localVersions.set(tag, this.localCounter);
        this.queueReplay(unique);
      } else {
        this.knownClock = Math.max(this.knownClock, version);
        recorded = version;
        this.recordVersions(unique, version);
      }
    }
    for (const listener of this.invalidationListeners) listener(unique, 'local', recorded);
    this.boundMirror();
  }

  close(): void {
    clearInterval(this.replayTimer);
  }

  /**
   * The mirror can be trusted while the subscription is live, and also while Redis is unreachable altogether (no one
   * can publish, and L1 keeps serving); not while commands reach Redis but the subscription is down (messages are
   * being missed): then entries are checked against Redis.
   */
  private mirrorTrusted(): boolean {
    return this.subscriberLive || !this.redis?.client.isReady;
  }

  private recordVersions(tags: readonly string[], version: number): void {
    for (const tag of tags) {
      if ((this.mirror.get(tag) ?? 0) < version) this.mirror.set(tag, version);
    }
  }

  private boundMirror(): void {
    if (this.mirror.size > this.maxMirrorTags) void this.reset();
  }

  /** GET clock; a missing clock (new or restarted Redis) starts at the current time, so it never goes backwards. */
  private async readClock(): Promise<number | typeof FAILED> {
    const redis = this.redis!;
    const key = this.keys.clock;
    const value = await redis.call(async (client) => {
      const current = await client.get(key);
      if (current !== null) return current;
      await client.set(key, String(nowMicros()), { NX: true });
      return client.get(key);
    });
    if (value === FAILED || value === null) return FAILED;
    const clock = Number(value);
    if (!Number.isFinite(clock)) return FAILED;
    if (clock > this.knownClock) this.knownClock = clock;
    return clock;
  }

  /** v = INCR clock; SET each tag's version (one key per command); PUBLISH. */
  private async bump(tags: readonly string[]): Promise<number | typeof FAILED> {
    const { keys } = this;
    return this.redis!.call(async (client) => {
      // NX: only creates a missing clock; an existing one keeps counting.
      const [, version] = await Promise.all([client.set(keys.clock, String(nowMicros()), { NX: true }), client.incr(keys.clock)]);
      const ttl = Math.ceil(this.options.tagVersionTtlMs);
      await Promise.all(tags.map((tag) => client.set(keys.tagVersion(tag), String(version), { PX: ttl })));
      const message: InvalidationMessage = { v: version, tags: [...tags] };
      await client.publish(keys.invalidationChannel, JSON.stringify(message));
      return version;
    });
  }

  private async checkRemote(tags: readonly string[], clock: number): Promise<boolean> {
    const all = [ALL_TAG, ...tags];
    const versions = await this.redis!.call((client) => Promise.all(all.map((tag) => client.get(this.keys.tagVersion(tag)))));
    if (versions === FAILED) return false;
    return versions.every((version) => version === null || Number(version) <= clock);
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
    if (message.v > this.knownClock) this.knownClock = message.v;
    const tags = message.tags.filter((tag): tag is string => typeof tag === 'string');
    this.recordVersions(tags, message.v);
    for (const listener of this.invalidationListeners) listener(tags, 'remote', message.v);
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
    // (Re)subscribed: messages sent while we were away are lost, so start over from a new baseline.
    this.subscriberLive = true;
    await this.replayPending();
    await this.reset();
  }

  /**
   * Forgets what the mirror knew and drops L1 (through the listeners), then takes a new baseline: the clock read
   * while the subscription is live. Until then every stamp is below the baseline and checked against Redis.
   */
  private async reset(): Promise<void> {
    this.resets += 1;
    this.currentEpoch += 1;
    this.sequence += 1;
    this.baseline = this.redis ? Infinity : this.knownClock;
    this.mirror = new Map();
    // Local versions stand for invalidations Redis has not heard of yet: keep them until the replay succeeds.
    if (this.pending.size === 0 && !this.pendingOverflow) this.localVersions = new Map();
    for (const listener of this.resetListeners) listener();
    // Until a baseline is known, every check of an entry asks Redis. So a read that fails (a busy start, a slow
    // Redis) is retried, with backoff, as long as this reset is the latest and the subscription stays live: left
    // unset, the baseline would make every L1 hit a Redis round trip until the next reset.
    const epoch = this.currentEpoch;
    for (let attempt = 0; this.redis && this.subscriberLive && this.currentEpoch === epoch; attempt++) {
      const clock = await this.readClock();
      if (clock !== FAILED) {
        if (this.subscriberLive && this.currentEpoch === epoch) this.baseline = clock;
        return;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)).unref());
    }
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

  /** Sends the invalidations Redis missed; then the mirror starts over, since local and Redis versions differ. */
  private async replayPending(): Promise<void> {
    if (this.pending.size === 0 && !this.pendingOverflow) return;
    const tags = this.pendingOverflow ? [ALL_TAG] : [...this.pending];
    const version = await this.bump(tags);
    if (version === FAILED) return;
    this.pending = new Set();
    this.pendingOverflow = false;
    clearInterval(this.replayTimer);
    this.replayTimer = undefined;
    this.knownClock = Math.max(this.knownClock, version);
    await this.reset();
  }
}

function nowMicros(): number {
  return Date.now() * 1000;
}
