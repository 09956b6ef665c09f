// The cache engine: the tiers (L1 in process, L2 Redis) behind one lookup/store, with version-stamped tags
// (versions.ts), single-flight, background refresh and stats. It knows nothing of GraphQL or the domains: callers
// hand it keys, tags, bodies and TTLs.
//
// L2 is read in batches (tick-batcher.ts): the lookups of one tick share one pipelined round trip, are validated
// together (including the extra round trip an entry older than the mirror's baseline needs), and are answered in the
// same microtask, so the misses of one tick compute together and the DataLoader batches behind them stay whole.
//
// The fast lane sends its L2 reads ahead (readAhead): those of one event-loop turn go out together, in the pipeline
// of the turn's clock read, and each entry is judged once synced. An L2 hit then waits one round trip, not two, and
// shares one command (MGET on one Redis) with the other hits of its turn.
import { errorFields, type CacheLogger } from './options.js';
import type { Leases } from './lease.js';
import type { MemoryTier } from './memory-tier.js';
import type { CacheStats } from './stats.js';
import { type CacheEntry, type CacheTier, storeLifetimeMs, type TierName } from './store.js';
import { type TagClocks, TagClockSet, typeOfTag } from './tags.js';
import { endOfTurn, TickBatcher, type Waiter } from './tick-batcher.js';
import { ALL_TAG, type Stamp, type Versions } from './versions.js';

/** fresh: within its TTL. stale: within the grace after it (serve, refresh in the background). reserve: only a
 * fallback when a recompute fails (stale-if-error). */
export type Freshness = 'fresh' | 'stale' | 'reserve';

export interface Found {
  entry: CacheEntry;
  tier: TierName;
  freshness: Freshness;
  ageMs: number;
  /** What the entry was checked as: a value built from it is no more recent than this. */
  stamp: Stamp;
}

export interface EngineOptions {
  l1: MemoryTier | undefined;
  l2: CacheTier | undefined;
  versions: Versions;
  stats: CacheStats;
  logger: CacheLogger;
  /** Stale-while-revalidate window after expiry. */
  graceMs: number;
  /** Stale-if-error window after expiry. */
  reserveMs: number;
  /** No entry lives longer than this, whatever its hints say. */
  maxTtlMs: number;
  /** Single-flight across instances (lease.ts); undefined without Redis or with leases off. */
  leases?: Leases | undefined;
  /** The time entries are stamped and judged fresh by, in ms since the epoch (default Date.now; tests move it). */
  now?: () => number;
}

/** One get-or-compute (CacheEngine.getOrCompute). */
export interface GetOrCompute<T> {
  key: string;
  /** For the per-name stats. */
  kind: 'operation' | 'field';
  name: string;
  /** When the request started (performance.now()), for the latency stats. */
  startedAt: number;
  /** Concurrent identical misses share one computation under this key (default: `key`). */
  flightKey?: string;
  /** The caller looked `key` up a moment ago and missed: a second lookup (a second round trip) would find the same. */
  skipLookup?: boolean;
  compute(): Promise<T>;
  /** Recomputes and stores, detached from the request, after a stale entry was served. */
  refresh(): Promise<unknown>;
  /** A computed value that is a server failure (database down): served from the last good entry when there is one. */
  failed?(value: T): boolean;
}

/** An entry (stale: past its TTL, or a fallback after a failed recompute), or what this or a shared flight computed. */
export type Got<T> = { kind: 'found'; found: Found; stale: boolean } | { kind: 'computed'; value: T; shared: boolean };

/** What a miss does before computing (leaseOrWait): use the entry another instance stored, or compute. */
export type BeforeCompute = { kind: 'found'; found: Found } | { kind: 'compute'; release(): void };

export interface StoreInput {
  body: string;
  contentType?: string;
  /** The tags, each with the clock its data was read under (plain tags, or an unknown clock: the stamp's). */
  tags: TagClockSet | Iterable<string>;
  ttlMs: number;
  name: string;
}

interface Flight<T> {
  promise: Promise<T>;
  sequence: number;
}

/** What one key's L2 read found: the tier failed, no entry, an entry no longer valid, or a valid entry. */
type L2Read =
  | { status: 'failed' }
  | { status: 'absent' }
  | { status: 'invalid' }
  | { status: 'valid'; entry: CacheEntry; epoch: number; verified: number | undefined };

/** Between two looks for the entry a lease holder is computing. */
const LEASE_POLL_MS = 15;
const COMPUTE_WITHOUT_LEASE: BeforeCompute = { kind: 'compute', release: () => {} };

/** What an L2 read brought back, not yet judged: an entry, none, or the tier failed (already counted and logged). */
type Fetched = CacheEntry | undefined | typeof FETCH_FAILED;
const FETCH_FAILED = Symbol('L2 read failed');
const NOT_BACK = Symbol('L2 read not back');

/**
 * One key's L2 read sent ahead of the sync (readAhead), waited for by callback: the fast lane's L2 hit then makes no
 * promise of its own (versions.ts whenSynced says why that matters on Node 20). One waiter.
 */
export class AheadRead implements Waiter<Fetched> {
  private fetched: Fetched | typeof NOT_BACK = NOT_BACK;
  private waiter: ((fetched: Fetched) => void) | undefined;

  /** `failed`: where an error thrown by the waiter goes, since the batcher settles the batch's others after it. */
  constructor(private readonly failed: (error: unknown) => void) {}

  resolve(fetched: Fetched): void {
    this.fetched = fetched;
    const waiter = this.waiter;
    this.waiter = undefined;
    try {
      waiter?.(fetched);
    } catch (error) {
      this.failed(error);
    }
  }

  /** The batch failed as a whole (fetchL2 never rejects; a batch answered short does): a failed read, a miss. */
  reject(): void {
    this.resolve(FETCH_FAILED);
  }

  /** Calls `done` with what the read brought back: now if it is back, else when it is. */
  whenRead(done: (fetched: Fetched) => void): void {
    if (this.fetched === NOT_BACK) this.waiter = done;
    else done(this.fetched);
  }
}

const L2_FAILED: L2Read = { status: 'failed' };
const L2_ABSENT: L2Read = { status: 'absent' };
const L2_INVALID: L2Read = { status: 'invalid' };

export class CacheEngine {
  readonly versions: Versions;
  readonly stats: CacheStats;
  private readonly flights = new Map<string, Flight<unknown>>();
  private readonly refreshing = new Set<string>();
  private readonly backgroundWork = new Set<Promise<unknown>>();
  private readonly l2Reads: TickBatcher<string, L2Read> | undefined;
  private readonly l2Fetches: TickBatcher<string, Fetched> | undefined;
  private readonly now: () => number;
  /** A bug in a read-ahead's continuation costs its request (logged), never the other reads of its batch. */
  private readonly aheadFailed = (error: unknown) => this.options.logger.error('cache read-ahead continuation failed', errorFields(error));

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? Date.now;
    this.versions = options.versions;
    this.stats = options.stats;
    const l2 = options.l2;
    if (l2) {
      this.l2Reads = new TickBatcher((keys) => this.readL2(l2, keys));
      // A turn's fast-lane requests each read their body in an I/O callback of its own: batched by turn, they share
      // one MGET, sent with the turn's clock read.
      this.l2Fetches = new TickBatcher((keys) => this.fetchL2(l2, keys), endOfTurn);
    }
    // A lost clock (versions.ts clockLost): nothing in L1 can be trusted.
    this.versions.onReset(() => options.l1?.clear());
    // An invalidation, this instance's or another's (over the channel), drops the affected L1 entries at once.
    // Lookups would find them invalid anyway; dropping them frees their memory and keeps `entries` honest.
    this.versions.onInvalidation((tags, _origin, version) => {
      if (tags.includes(ALL_TAG)) options.l1?.clear();
      else options.l1?.dropTagged(tags, version);
    });
  }

  get l1(): MemoryTier | undefined {
    return this.options.l1;
  }

  get l2(): CacheTier | undefined {
    return this.options.l2;
  }

  get graceMs(): number {
    return this.options.graceMs;
  }

  get reserveMs(): number {
    return this.options.reserveMs;
  }

  get maxTtlMs(): number {
    return this.options.maxTtlMs;
  }

  stamp(): Promise<Stamp> {
    return this.versions.stamp();
  }

  /**
   * Calls `done` once entries may be judged for a read that started before this call: the mirror has caught up with a
   * clock read sent after it (read after write across instances; versions.ts whenSynced). Lookups wait for it
   * themselves; the fast lane waits for it before peekFresh, by callback so that a hit makes no promise.
   */
  whenSynced(done: () => void): void {
    this.versions.whenSynced(done);
  }

  /**
   * The freshest valid entry for `key`, from L1, else L2 (copied into L1). Invalid entries are dropped from L1 and
   * never returned, however fresh. Never throws: a failing L2 is a miss. L2 lookups of one tick are answered together.
   * `synced`: the caller has just waited for the sync itself (whenSynced). `patient`: the last resort of a failed recompute (stale-if-error), which may wait up to the write budget for
   * Redis to verify the entry (versions.syncPatiently) instead of missing when the read budget runs out.
   * `ahead`: this key's L2 read, sent before the sync (readAhead); judged here like any other.
   */
  async lookup(key: string, counted = true, synced = false, patient = false, ahead?: AheadRead): Promise<Found | undefined> {
    if (patient) await this.versions.syncPatiently();
    else if (!synced) await this.versions.sync();
    const { l1 } = this.options;
    const now = this.now();
    let found: Found | undefined;
    const local = l1?.peek(key);
    if (local) {
      const stamp = stampOf(local);
      // Read before the check: a remote check confirms the entry up to a baseline already in force when it asked.
      const mark = this.versions.verifiedMark;
      const pending = this.versions.verdict(local, stamp, patient);
      const verdict = typeof pending === 'string' ? pending : await pending;
      if (verdict === 'valid') {
        // Confirmed by Redis (an entry stamped before the baseline, e.g. computed just after start): later
        // invalidations reach the mirror, so its next hits are checked locally, not with a round trip each.
        if (pending !== 'valid' && mark !== undefined && !(stamp.verified !== undefined && stamp.verified >= mark)) local.verified = mark;
        found = classify(local, 'L1', now, stamp);
      } else if (verdict === 'invalid') {
        // Only what is known invalid is dropped: an entry Redis could not vouch for in time stays for a later check
        // and for the stale-if-error fallback (which waits longer), instead of being lost to a slow moment.
        l1!.delete(key);
      }
      if (found?.freshness === 'fresh') return found;
    }
    if (l1 && counted) this.stats.tiers.L1.misses += 1;
    if (!this.l2Reads) return found;
    const read = ahead ? await this.judgeL2(await new Promise<Fetched>((resolve) => ahead.whenRead(resolve))) : await this.l2Reads.load(key);
    const fromL2 = this.foundInL2(read, counted);
    if (!fromL2 || (found && found.entry.createdAt >= fromL2.entry.createdAt)) return found;
    this.copyToL1(key, read);
    return fromL2;
  }

  /**
   * lookup() for a key whose L2 read was sent ahead (readAhead), by callback: when L1 holds nothing under `key`, the
   * entry is judged as soon as it is back, with no promise of its own; otherwise lookup() decides between the tiers.
   * The caller has synced. `done` must not throw.
   */
  lookupAhead(key: string, ahead: AheadRead, done: (found: Found | undefined) => void): void {
    const { l1 } = this.options;
    if (l1?.holds(key)) {
      this.lookup(key, true, true, false, ahead).then(done, () => done(undefined));
      return;
    }
    if (l1) this.stats.tiers.L1.misses += 1;
    ahead.whenRead((fetched) => {
      const read = this.judgeL2(fetched);
      if (!(read instanceof Promise)) return done(this.takeFromL2(key, read));
      read.then(
        (judged) => done(this.takeFromL2(key, judged)),
        () => done(undefined),
      );
    });
  }

  /** A valid L2 entry as found (copied into L1), or undefined. */
  private takeFromL2(key: string, read: L2Read): Found | undefined {
    const found = this.foundInL2(read, true);
    if (found) this.copyToL1(key, read);
    return found;
  }

  /** What an L2 read gives a lookup: a valid entry, classified; else undefined (an L2 miss, counted if `counted`). */
  private foundInL2(read: L2Read, counted: boolean): Found | undefined {
    // Already counted (as an L2 error) and logged by the connection when it failed: fail open.
    if (read.status === 'failed') return undefined;
    const found =
      read.status === 'valid'
        ? classify(read.entry, 'L2', this.now(), {
            clock: read.entry.stamp,
            local: this.versions.foreignLocal,
            epoch: read.epoch,
            ...(read.verified !== undefined ? { verified: read.verified } : {}),
          })
        : undefined;
    if (!found && counted) this.stats.tiers.L2.misses += 1;
    return found;
  }

  private copyToL1(key: string, read: L2Read): void {
    const { l1 } = this.options;
    if (!l1 || read.status !== 'valid') return;
    const remote = read.entry;
    // Found valid just now: an entry older than the baseline need not be checked against Redis again.
    const copy: CacheEntry = { ...remote, local: -1, epoch: read.epoch, ...(read.verified !== undefined ? { verified: read.verified } : {}) };
    void l1.set(key, copy, remote.createdAt + storeLifetimeMs(remote) - this.now());
  }

  /**
   * Synchronously, a fresh valid L1 entry for `key`, for a caller whose lookup missed and that is about to start a
   * computation. With L2, a lookup waits a round trip after missing L1: an identical computation may have finished
   * (stored its entry in L1, and left the single-flight table) meanwhile. Checked with no await before flight(), it
   * closes that gap: concurrent identical misses still compute once. Without L2 the lookup never waited.
   */
  storedMeanwhile(key: string): Found | undefined {
    if (!this.l2Reads) return undefined;
    return this.peekFresh(key);
  }

  /**
   * A fresh valid L1 entry for `key`, answered synchronously (no promise), or undefined when that cannot be known
   * without waiting: no entry, not fresh, or its validity needs Redis (an entry needing a remote check is left to
   * lookup()). The fast lane's first look (response-cache.ts lookupRaw), after whenSynced. Counts nothing.
   */
  peekFresh(key: string): Found | undefined {
    const entry = this.options.l1?.peek(key);
    if (!entry) return undefined;
    const stamp = stampOf(entry);
    if (this.versions.verdict(entry, stamp) !== 'valid') return undefined;
    const found = classify(entry, 'L1', this.now(), stamp);
    return found?.freshness === 'fresh' ? found : undefined;
  }

  /**
   * Sends `key`'s L2 read now, for a lookup that judges the entry once synced (lookup's `ahead`): sent in the same
   * turn as the clock read of whenSynced, it goes out in the same pipeline, and an L2 hit waits one round trip instead
   * of a clock read and then a GET. Judging it after the sync keeps read after write: the mirror has then heard of
   * every write that finished before the request started, whenever the entry was fetched. Undefined without L2, or
   * when L1 holds the key (its hit needs no L2 read). Never rejects.
   */
  readAhead(key: string): AheadRead | undefined {
    if (!this.l2Fetches || this.options.l1?.holds(key)) return undefined;
    const read = new AheadRead(this.aheadFailed);
    this.l2Fetches.add(key, read);
    return read;
  }

  /**
   * One batch of L2 reads: every entry in one round trip, then every entry validated. Entries older than the
   * mirror's baseline need their tags' versions from Redis; those checks go out together and the batch waits for
   * them all.
   */
  private async readL2(l2: CacheTier, keys: readonly string[]): Promise<L2Read[]> {
    const fetched = await this.fetchL2(l2, keys);
    return Promise.all(fetched.map((entry) => this.judgeL2(entry)));
  }

  /** Every entry in one round trip; a failed tier is FETCH_FAILED for each key (fail open: a miss). */
  private async fetchL2(l2: CacheTier, keys: readonly string[]): Promise<Fetched[]> {
    try {
      return l2.getMany ? await l2.getMany(keys) : await Promise.all(keys.map((key) => l2.get(key)));
    } catch {
      return keys.map(() => FETCH_FAILED);
    }
  }

  /**
   * Whether an entry read from L2 may be served. It may come from any instance: its local part is unknown, so any
   * local version voids it. Synchronous unless its tags' versions must be read from Redis (versions.ts check).
   */
  private judgeL2(entry: Fetched): L2Read | Promise<L2Read> {
    if (entry === FETCH_FAILED) return L2_FAILED;
    if (!entry) return L2_ABSENT;
    const epoch = this.versions.epoch;
    const valid = this.versions.check(entry, { clock: entry.stamp, local: this.versions.foreignLocal, epoch });
    if (typeof valid === 'boolean') return this.judged(entry, epoch, valid);
    return valid.then((remotely) => this.judged(entry, epoch, remotely));
  }

  private judged(entry: CacheEntry, epoch: number, valid: boolean): L2Read {
    return valid ? { status: 'valid', entry, epoch, verified: this.versions.verifiedMark } : L2_INVALID;
  }

  /**
   * Stores a computed result under its tags (plus their type tags). An entry that is already invalid (an
   * invalidation landed after its stamp was taken) is discarded: that is the set-after-invalidate race, caught.
   * L1 is written at once; L2 in the background (awaited only by tests through settle()).
   */
  async store(key: string, input: StoreInput, stamp: Stamp): Promise<CacheEntry | undefined> {
    const ttlMs = Math.min(input.ttlMs, this.options.maxTtlMs);
    if (ttlMs <= 0) return undefined;
    const deps = this.tagClocks(input.tags, stamp);
    // The entry is as old as its oldest part.
    stamp = { ...stamp, clock: deps.stamp };
    const entry: CacheEntry = {
      body: input.body,
      ...(input.contentType ? { contentType: input.contentType } : {}),
      tags: deps.tags,
      stamp: deps.stamp,
      ...(deps.ahead ? { ahead: deps.ahead } : {}),
      createdAt: this.now(),
      ttlMs,
      graceMs: this.options.graceMs,
      reserveMs: this.options.reserveMs,
      name: input.name,
      local: stamp.local,
      epoch: stamp.epoch,
      ...(stamp.verified !== undefined ? { verified: stamp.verified } : {}),
    };
    // Known invalid already (a write landed after the stamp): discarded. Unverified (Redis slow): stored, since every
    // read checks it again before serving it; discarding it would leave nothing for stale-if-error on a busy machine.
    const pending = this.versions.verdict(entry, stamp);
    if ((typeof pending === 'string' ? pending : await pending) === 'invalid') {
      this.stats.discardedStale += 1;
      return undefined;
    }
    const lifetime = storeLifetimeMs(entry);
    const { l1, l2 } = this.options;
    // Its tags' version keys first, before any copy can be judged by them: an entry checked against Redis (from L2,
    // or in L1 before the mirror's baseline) whose version keys are missing is judged lost (versions.ts).
    const versionKeys = l2 ? await this.versions.ensureVersionKeys(entry.tags) : false;
    if (l1) {
      await l1.set(key, entry, lifetime);
      this.stats.tiers.L1.sets += 1;
    }
    if (l2 && versionKeys) {
      const { local: _local, epoch: _epoch, verified: _verified, ...shared } = entry;
      this.track(
        l2.set(key, shared, lifetime).then(
          () => void (this.stats.tiers.L2.sets += 1),
          () => {},
        ),
      );
    }
    return entry;
  }

  /**
   * The tags with their type tags, each at the clock it was read under, relative to the earliest: what an entry
   * computed under `stamp` records. A type tag is as old as the oldest tag of its type.
   */
  tagClocks(tags: TagClockSet | Iterable<string>, stamp: Stamp): TagClocks {
    const clocks = new Map<string, number>();
    const note = (tag: string, clock: number) => {
      const known = clocks.get(tag);
      if (known === undefined || clock < known) clocks.set(tag, clock);
    };
    let earliest = stamp.clock;
    const pairs: Iterable<[string, number]> = tags instanceof TagClockSet ? tags.entries() : [...tags].map((tag) => [tag, stamp.clock]);
    for (const [tag, read] of pairs) {
      const clock = Number.isFinite(read) ? read : stamp.clock;
      if (clock < earliest) earliest = clock;
      note(tag, clock);
      note(typeOfTag(tag), clock);
    }
    const all = [...clocks.keys()];
    const ahead = all.map((tag) => clocks.get(tag)! - earliest);
    return { tags: all, stamp: earliest, ...(ahead.some((lag) => lag > 0) ? { ahead } : {}) };
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return;
    this.stats.invalidation(unique.length);
    await this.versions.invalidate(unique);
  }

  /**
   * Single-flight: concurrent calls with the same key share one computation. A caller joins only a computation
   * that started after the last invalidation this instance saw; otherwise that computation may have read data
   * older than a write whose response was already sent, so it starts its own.
   */
  async flight<T>(key: string, compute: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
    const sequence = this.versions.invalidationSequence;
    const existing = this.flights.get(key) as Flight<T> | undefined;
    if (existing && existing.sequence === sequence) {
      this.stats.tiers.L1.dedupes += 1;
      return { value: await existing.promise, shared: true };
    }
    const flight: Flight<T> = { promise: compute(), sequence };
    this.flights.set(key, flight);
    try {
      return { value: await flight.promise, shared: false };
    } finally {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    }
  }

  /**
   * The one get-or-compute sequence, shared by the response cache and the field cache: look up; serve a fresh entry,
   * or a stale one while one background refresh runs; else take an entry an identical computation stored meanwhile;
   * else compute once per flight key (single-flight), and when the computation fails (throws, or returns a value
   * `failed` calls a server failure) fall back to the last good entry (stale-if-error). Hits are counted here;
   * the caller counts its miss (whether a shared computation is one depends on what it computed).
   */
  async getOrCompute<T>(request: GetOrCompute<T>): Promise<Got<T>> {
    const { key } = request;
    let found = request.skipLookup ? undefined : await this.lookup(key);
    // An identical computation may have finished (and stored its entry) while the lookup waited on Redis.
    if (!found || found.freshness === 'reserve') found = this.storedMeanwhile(key) ?? found;
    if (found && found.freshness !== 'reserve') {
      this.stats.hit(found.tier, request.kind, request.name, performance.now() - request.startedAt);
      if (found.freshness === 'stale') {
        this.stats.tiers[found.tier].staleServed += 1;
        this.refreshInBackground(key, request.refresh);
      }
      return { kind: 'found', found, stale: found.freshness === 'stale' };
    }
    let computed: { value: T; shared: boolean };
    try {
      computed = await this.flight(request.flightKey ?? key, request.compute);
    } catch (error) {
      const fallback = await this.staleIfError(key);
      if (!fallback) throw error;
      return { kind: 'found', found: fallback, stale: true };
    }
    if (request.failed?.(computed.value)) {
      const fallback = await this.staleIfError(key);
      if (fallback) return { kind: 'found', found: fallback, stale: true };
    }
    return { kind: 'computed', ...computed };
  }

  /**
   * Stale-if-error: the last good entry when a recompute failed. Looked up again, since an invalidation may have
   * landed while the compute ran, and lookup never returns an invalidated entry.
   */
  private async staleIfError(key: string): Promise<Found | undefined> {
    const found = await this.lookup(key, true, false, true);
    if (found) this.stats.tiers[found.tier].staleServed += 1;
    return found;
  }

  /**
   * Before computing `key` after a miss: takes its lease (`leaseKey`), or, while another instance holds it, waits for
   * the entry that instance stores, looked up and checked as any entry is. Resolves with that entry when a fresh
   * valid one appears; otherwise with 'compute' and how to give the lease back, a no-op when it was not taken (no
   * Redis, Redis failing, or the holder ran out of time). Callers run it inside flight(), so an instance has at most
   * one waiter per key. See lease.ts.
   */
  async leaseOrWait(key: string, leaseKey: string): Promise<BeforeCompute> {
    const leases = this.options.leases;
    if (!leases) return COMPUTE_WITHOUT_LEASE;
    const giveUpAt = Date.now() + leases.ttlMs;
    for (;;) {
      const lease = await leases.take(leaseKey);
      if (lease.status === 'unavailable') return COMPUTE_WITHOUT_LEASE;
      if (lease.status === 'held') {
        if (Date.now() >= giveUpAt) return COMPUTE_WITHOUT_LEASE;
        await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
      }
      // Looked for after waiting, and also just after taking the lease: the holder before may have stored its entry
      // and released just after this caller's first look. Looks are not counted as misses: the request is one miss.
      const found = await this.lookup(key, false);
      const release = lease.status === 'taken' ? () => this.track(lease.release()) : () => {};
      if (found?.freshness === 'fresh') {
        release();
        this.stats.tiers.L2.dedupes += 1;
        return { kind: 'found', found };
      }
      if (lease.status === 'taken') return { kind: 'compute', release };
    }
  }

  /** Runs `refresh` once per key at a time, detached from the request that noticed the entry was stale. */
  refreshInBackground(key: string, refresh: () => Promise<unknown>): void {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    this.stats.backgroundRefreshes += 1;
    this.track(
      refresh()
        .catch((error: unknown) => this.options.logger.warn('background cache refresh failed', errorFields(error)))
        .finally(() => this.refreshing.delete(key)),
    );
  }

  /** Resolves when background work started so far (L2 writes, refreshes) has finished. For tests and stop(). */
  async settle(): Promise<void> {
    while (this.backgroundWork.size > 0) await Promise.allSettled([...this.backgroundWork]);
  }

  private track(work: Promise<unknown>): void {
    this.backgroundWork.add(work);
    void work.finally(() => this.backgroundWork.delete(work));
  }
}

/** The stamp an L1 entry was stored or copied under, with its in-process parts. */
function stampOf(entry: CacheEntry): Stamp {
  const stamp: Stamp = { clock: entry.stamp, local: entry.local ?? -1, epoch: entry.epoch ?? -1 };
  if (entry.verified !== undefined) stamp.verified = entry.verified;
  return stamp;
}

function classify(entry: CacheEntry, tier: TierName, now: number, stamp: Stamp): Found | undefined {
  const ageMs = Math.max(0, now - entry.createdAt);
  let freshness: Freshness;
  if (ageMs < entry.ttlMs) freshness = 'fresh';
  else if (ageMs < entry.ttlMs + entry.graceMs) freshness = 'stale';
  else if (ageMs < entry.ttlMs + entry.reserveMs) freshness = 'reserve';
  else return undefined;
  return { entry, tier, freshness, ageMs, stamp };
}
