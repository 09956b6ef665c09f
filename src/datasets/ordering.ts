// The orderings of the datasets connection and their cursors. A cursor is the keyset position of a row under one
// ordering: [ordering, sort value, id]. The ordering is part of the cursor because a position under one ordering
// means nothing under another: resuming NAME order from an UPDATED_AT_DESC cursor would silently skip or repeat rows.
import type { DatasetOrder } from '../generated/graphql.js';
import { badInput } from '../common/errors.js';
import { decodeCursor, encodeCursor } from '../common/pagination.js';

export type { DatasetOrder };

export interface OrderSpec {
  column: 'name' | 'updated_at' | 'created_at' | 'row_count';
  direction: 'asc' | 'desc';
  /** How the sort value travels in a cursor; timestamps as text so that microseconds survive the round trip. */
  value: 'text' | 'timestamp' | 'integer';
}

export const ORDERS: Record<DatasetOrder, OrderSpec> = {
  NAME: { column: 'name', direction: 'asc', value: 'text' },
  UPDATED_AT_DESC: { column: 'updated_at', direction: 'desc', value: 'timestamp' },
  CREATED_AT_DESC: { column: 'created_at', direction: 'desc', value: 'timestamp' },
  ROW_COUNT_DESC: { column: 'row_count', direction: 'desc', value: 'integer' },
};

/** Where a page starts: strictly after the row with this sort value and id. */
export interface KeysetPosition {
  value: string | number;
  id: number;
}

// UTC with microseconds, as the repository renders timestamps for cursors (PostgreSQL keeps microseconds; a JS
// Date keeps milliseconds, and a truncated position would skip rows written within the same millisecond).
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const MAX_INT = 2_147_483_647;

export function encodeDatasetCursor(order: DatasetOrder, position: KeysetPosition): string {
  return encodeCursor([order, position.value, position.id]);
}

/** Decodes `after` for `order`; a cursor of another ordering, or anything not made by this API, is the client's error. */
export function decodeDatasetCursor(cursor: string, order: DatasetOrder, argument = 'after'): KeysetPosition {
  const [cursorOrder, value, id] = decodeCursor(cursor, 3, argument);
  if (cursorOrder !== order) {
    throw badInput(
      `"${argument}" is a cursor for orderBy ${typeof cursorOrder === 'string' && cursorOrder in ORDERS ? cursorOrder : '(unknown)'}, ` +
        `not ${order}: restart the list without "${argument}" when changing the order`,
      argument,
    );
  }
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_INT || !fitsOrder(ORDERS[order], value)) {
    throw badInput(`"${argument}" is not a cursor returned by this API`, argument);
  }
  return { value: value as string | number, id };
}

function fitsOrder(spec: OrderSpec, value: unknown): boolean {
  switch (spec.value) {
    case 'text':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= MAX_INT;
    case 'timestamp':
      return typeof value === 'string' && TIMESTAMP.test(value) && isRealInstant(value);
  }
}

// Date.parse rolls 2026-02-30 over to March; PostgreSQL rejects it. Only an instant that formats back to the same
// date and time is one PostgreSQL will accept.
function isRealInstant(value: string): boolean {
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19);
}
