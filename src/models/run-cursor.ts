// Cursors of run pages. Runs are listed newest first (id descending), so a cursor is the last id seen, marked with
// the ordering it belongs to: a cursor of another list or ordering is refused instead of silently skipping rows.
import { badInput } from '../common/errors.js';
import { decodeCursor, encodeCursor } from '../common/pagination.js';

const ORDERING = 'ModelRun.id desc';

export function runCursor(run: { id: number }): string {
  return encodeCursor([ORDERING, run.id]);
}

/** The id to continue after, or null for the first page. */
export function parseRunCursor(after: string | null | undefined, argument = 'after'): number | null {
  if (after === null || after === undefined) return null;
  const [ordering, id] = decodeCursor(after, 2, argument);
  if (ordering !== ORDERING || typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
    throw badInput(`"${argument}" is not a cursor of a model run list`, argument);
  }
  return id;
}
