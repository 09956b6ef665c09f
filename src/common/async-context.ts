// What code runs on behalf of (the request, the operation's deadline, the open field recordings), carried implicitly
// through awaits. One AsyncLocalStorage holds every slot, rather than one per purpose, because on Node 20 each storage
// in use writes its value onto every promise and async resource the process creates: with three of them, the hooks
// were about 3% of a cache hit's CPU (npm run bench:profile: _propagate, lookupPublicResource, emitInitScript). A
// frame is a small array, copied when a slot is set; a slot set for a function is seen by everything that function
// starts, as with a storage of its own.
import { AsyncLocalStorage } from 'node:async_hooks';

type Frame = readonly unknown[];

const storage = new AsyncLocalStorage<Frame>();
let slots = 0;

export interface ContextSlot<T> {
  /** Runs `work` (and everything it starts) with `value` in this slot; the other slots keep their values. */
  run<R>(value: T, work: () => R): R;
  /** The value set by the nearest enclosing run(), or undefined outside any. */
  get(): T | undefined;
}

/** A new slot: call once per purpose, at module level. */
export function contextSlot<T>(): ContextSlot<T> {
  const index = slots++;
  return {
    run(value, work) {
      const frame = storage.getStore();
      const next = frame ? frame.slice() : [];
      next[index] = value;
      return storage.run(next, work);
    },
    get() {
      return storage.getStore()?.[index] as T | undefined;
    },
  };
}
