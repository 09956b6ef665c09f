// Collects the calls made in one tick and answers them as one batch, all in the same microtask. The engine reads L2
// through it: the field-cache lookups of one GraphQL execution level (a hundred `featureImportance` fields, say) are
// issued in the same tick, and if their Redis replies settled one by one, the computations that follow the misses
// would start at different times and split the DataLoader batches behind them (one SQL statement becomes several).
// Answered together, the misses compute in the same tick and the loaders batch exactly as without Redis.
//
// A tick ends as DataLoader's does: after the promise jobs queued so far, at the next process.nextTick. Calls for the
// same key in one batch share one slot of it.

export type BatchRead<K, V> = (keys: readonly K[]) => Promise<readonly V[]>;

interface Waiter<V> {
  resolve(value: V): void;
  reject(error: unknown): void;
}

export class TickBatcher<K, V> {
  private pending: Map<K, Waiter<V>[]> | undefined;
  /** Batches sent so far (for tests and stats). */
  batches = 0;

  /** `read` gets each key once and must answer with one value per key, in order. */
  constructor(private readonly read: BatchRead<K, V>) {}

  load(key: K): Promise<V> {
    let pending = this.pending;
    if (!pending) {
      pending = this.pending = new Map();
      // After the promise jobs already queued (the other lookups of this tick), then one more tick: DataLoader's rule.
      void Promise.resolve().then(() => process.nextTick(() => this.dispatch()));
    }
    return new Promise<V>((resolve, reject) => {
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
    });
  }

  private dispatch(): void {
    const batch = this.pending;
    this.pending = undefined;
    if (!batch || batch.size === 0) return;
    this.batches += 1;
    const keys = [...batch.keys()];
    let reading: Promise<readonly V[]>;
    try {
      reading = this.read(keys);
    } catch (error) {
      reading = Promise.reject(error);
    }
    // Every waiter is settled in one synchronous loop, so all their continuations run in the same microtask drain.
    reading.then(
      (values) => {
        keys.forEach((key, index) => {
          for (const waiter of batch.get(key)!) {
            if (index < values.length) waiter.resolve(values[index] as V);
            else waiter.reject(new Error(`batch read answered ${values.length} of ${keys.length} keys`));
          }
        });
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}
