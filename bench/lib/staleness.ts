// The truth check of the mixed workload (bench/lib/mixed.ts): was a read stale? Judged by causality, as in
// test/integration/cache-read-after-write.test.ts, never by a time threshold: a read is stale when it was SENT after a
// write to an entity it shows was ACKNOWLEDGED (its response fully received), yet it shows that entity as it was
// before the write. Every write stamps a version that only grows per entity (a dataset name ending in `w<seq>`, the
// id of a newly completed run), so "before the write" is "a version lower than the write's". Writes to one entity
// are never in flight together (the load generator locks the entity), so their versions commit in the order sent.
// Pure and clock-free (times are passed in), so it is unit-tested without servers.

export interface Shown {
  /** What the read shows, e.g. `Dataset:7` or `CompletedRuns:7`. */
  entity: string;
  /** The version of it the read shows (0: none of this run's writes). */
  version: number;
}

export interface Verdict {
  /** The read was sent after at least one acknowledged write to something it shows. */
  followedWrite: boolean;
  /** It shows at least one such entity at a version older than that write's. */
  stale: boolean;
  /** The first stale entity, for the report's example (`leftOut`: a list omitted it; shown is then 0). */
  example?: { entity: string; shown: number; required: number; ackedMsBeforeSend: number; leftOut?: boolean };
}

export class StalenessTracker {
  /** Per entity, its acknowledged writes in acknowledgement order: [version, ack time]. Short (a few per run). */
  private readonly acked = new Map<string, Array<[number, number]>>();

  /** A write to `entity` that sets `version` was acknowledged at `at` (ms, any monotonic clock the reads share). */
  acknowledge(entity: string, version: number, at: number): void {
    let history = this.acked.get(entity);
    if (!history) this.acked.set(entity, (history = []));
    history.push([version, at]);
  }

  /** The version a read sent at `sentAt` must show at least: the highest acknowledged before it (0: none). */
  required(entity: string, sentAt: number): { version: number; ackedAt: number } | undefined {
    const history = this.acked.get(entity);
    if (!history) return undefined;
    let found: { version: number; ackedAt: number } | undefined;
    for (const [version, ackedAt] of history) {
      // Strictly before: a write acknowledged while the read was on its way may or may not be in it.
      if (ackedAt < sentAt && (!found || version > found.version)) found = { version, ackedAt };
    }
    return found;
  }

  judge(sentAt: number, shown: readonly Shown[]): Verdict {
    const verdict: Verdict = { followedWrite: false, stale: false };
    for (const { entity, version } of shown) {
      const need = this.required(entity, sentAt);
      if (!need) continue;
      verdict.followedWrite = true;
      if (version < need.version && !verdict.stale) {
        verdict.stale = true;
        verdict.example = { entity, shown: version, required: need.version, ackedMsBeforeSend: sentAt - need.ackedAt };
      }
    }
    return verdict;
  }
}

/**
 * The same rule for a list of the `limit` most recently written entities (`topUpdatedDatasets`), where a stale answer
 * does not show an old version of the written entity: it leaves it out. After a write W was acknowledged, a read must
 * list W's entity unless `limit` other entities were written after W began (PostgreSQL's now() is the transaction's
 * start, after W was sent): writes acknowledged before W was sent cannot push W's entity out, nor can writes sent
 * after the read's answer arrived. Counting every other write in between as one that could is generous: a read
 * flagged stale is certainly stale.
 */
export class RecentWritesCheck {
  private readonly writes: Array<{ entity: string; sentAt: number; ackedAt: number }> = [];

  constructor(private readonly limit: number) {}

  /** A write to `entity` is about to be sent at `at`; call the returned function with its acknowledgement time. */
  sent(entity: string, at: number): (ackedAt: number) => void {
    const write = { entity, sentAt: at, ackedAt: Infinity };
    this.writes.push(write);
    return (ackedAt) => void (write.ackedAt = ackedAt);
  }

  judge(sentAt: number, doneAt: number, listed: readonly string[]): Verdict {
    let last: { entity: string; sentAt: number; ackedAt: number } | undefined;
    for (const write of this.writes) if (write.ackedAt < sentAt && (!last || write.ackedAt > last.ackedAt)) last = write;
    if (!last) return { followedWrite: false, stale: false };
    if (listed.includes(last.entity)) return { followedWrite: true, stale: false };
    const others = new Set<string>();
    for (const write of this.writes) {
      if (write.entity !== last.entity && write.ackedAt > last.sentAt && write.sentAt < doneAt) others.add(write.entity);
    }
    if (others.size >= this.limit) return { followedWrite: true, stale: false };
    return { followedWrite: true, stale: true, example: { entity: last.entity, shown: 0, required: 0, ackedMsBeforeSend: sentAt - last.ackedAt, leftOut: true } };
  }
}
