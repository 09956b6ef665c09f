// The deadline of the operation on whose behalf the database is being asked, carried implicitly
// (common/async-context.ts) from the HTTP handler down to the pool, so that no layer in between needs to pass it.
// Once an operation's deadline has passed (its client has already been answered 504), its code may still try to run
// statements, a DataLoader batch dispatched late, the next query of a resolver; those are refused before they take
// a connection.
import { contextSlot } from '../common/async-context.js';

const current = contextSlot<{ deadline: number }>();

/** Runs `work` with `deadline` (epoch milliseconds) as the deadline of every statement it starts. */
export function runWithDeadline<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  return current.run({ deadline }, work);
}

/** Thrown instead of starting a statement for an operation whose deadline has passed. */
export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
  constructor() {
    super('the operation deadline passed before this statement started');
  }
}

/** Throws DeadlineExceededError when the current operation's deadline has passed. */
export function assertBeforeDeadline(): void {
  const store = current.get();
  if (store && Date.now() > store.deadline) throw new DeadlineExceededError();
}
