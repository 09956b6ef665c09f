// Collects the calls made in one tick and answers them as one batch, all in the same microtask. The engine reads L2
// through it: the field-cache lookups of one GraphQL execution level (a hundred `featureImportance` fields, say) are
// issued in the same tick, and if their Redis replies settled one by one, the computations that follow the misses
// would start at different times and split the DataLoader batches behind them (one SQL statement becomes several).
// Answered together, the misses compute in the same tick and the loaders batch exactly as without Redis.
//
// A tick ends as DataLoader's does: after the promise jobs queued so far, at the next process.nextTick. Calls for the
// same key in one batch share one slot of it.

export type BatchRead<K, V> = (keys: readonly K[]) => Promise<readonly V[]>;

/** Who waits for one key's value: a promise's settlers (load), or any object with the same two methods (add). */
export interface Waiter<V> {
  resolve(value: V): void;
  reject(error: unknown): void;
}

export class TickBatcher<K, V> {
  private pending: Map<K, Waiter<V>[]> | undefined;
  /** Batches sent so far (for tests and stats). */
  batches = 0;

  /**
   * `read` gets each key once and must answer with one value per key, in order. `schedule` starts the dispatch of a
   * batch opened now; by default at the end of this tick (above).
   */
  constructor(
    private readonly read: BatchRead<K, V>,
    private readonly schedule: (dispatch: () => void) => void = endOfTick,
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => this.add(key, { resolve, reject }));
  }

  /**
   * load() without a promise: `waiter` is called when the batch is answered (engine.ts AheadRead). Its methods must
   * not throw: the batch's other waiters are settled in the same loop.
   */
  add(key: K, waiter: Waiter<V>): void {
    let pending = this.pending;
    if (!pending) {
      pending = this.pending = new Map();
      this.schedule(() => this.dispatch());
    }
    const waiters = pending.get(key);
    if (waiters) waiters.push(waiter);
    else pending.set(key, [waiter]);
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

/** After the promise jobs already queued (the other lookups of this tick), then one more tick: DataLoader's rule. */
function endOfTick(dispatch: () => void): void {
  void Promise.resolve().then(() => process.nextTick(dispatch));
}

/**
 * At the end of this event-loop turn (setImmediate): every request whose body was read in this turn's I/O phase is in
 * the batch, where each I/O callback is a tick of its own.
 */
export function endOfTurn(dispatch: () => void): void {
  setImmediate(dispatch);
}
