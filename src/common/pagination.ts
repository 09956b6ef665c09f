// Cursor connections. A cursor is the opaque, base64url-encoded sort key of a row (its sort value and id), so a
// page continues exactly after the last row seen even while rows are added before it.
import { badInput } from './errors.js';

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  cursorOf(node: T): string;
  /** Counted only when a client asks for totalCount. */
  totalCount(): Promise<number>;
}

export type CursorValue = string | number | null;

export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor with `arity` values; anything else is the client's error. */
export function decodeCursor(cursor: string, arity: number, argument = 'after'): CursorValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  const valid =
    Array.isArray(values) &&
    values.length === arity &&
    values.every((v) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
  if (!valid || cursor.length > 512) {
    throw badInput(`"${argument}" is not a cursor returned by this API`, argument);
  }
  return values as CursorValue[];
}

/** Builds a page from rows fetched with limit + 1: the extra row only says whether there is a next page. */
export function toPage<T>(
  rows: T[],
  limit: number,
  cursorOf: (node: T) => string,
  totalCount: () => Promise<number>,
): Page<T> {
  return { nodes: rows.slice(0, limit), hasNextPage: rows.length > limit, cursorOf, totalCount };
}

/** Resolvers shared by every *Connection type. */
export function connectionResolvers<T>() {
  return {
    nodes: (page: Page<T>) => page.nodes,
    edges: (page: Page<T>) => page.nodes.map((node) => ({ cursor: page.cursorOf(node), node })),
    pageInfo: (page: Page<T>) => {
      const last = page.nodes[page.nodes.length - 1];
      return { hasNextPage: page.hasNextPage, endCursor: last === undefined ? null : page.cursorOf(last) };
    },
    totalCount: (page: Page<T>) => page.totalCount(),
  };
}
