// Checks of the datasets domain's input at the API edge. Each error names the argument (and, for rows, the row) and
// shows the bad value, and every check runs before anything is written.
import type { DatasetUpdateInput } from '../generated/graphql.js';
import type { ColumnSpec } from '../db/tables.js';
import { badInput, showValue } from '../common/errors.js';

export const LIMITS = {
  name: 200,
  description: 2_000,
  category: 100,
  tags: 20,
  tag: 50,
  search: 200,
  rowsPerAppend: 1_000,
  /** Serialized size of one appended row, in bytes. */
  rowBytes: 16 * 1024,
} as const;

/** The columns an update may change, already checked and normalized (trimmed). */
export interface DatasetChanges {
  name?: string;
  description?: string;
  category?: string;
  tags?: string[];
}

export function parseDatasetUpdate(input: DatasetUpdateInput, argument = 'input'): DatasetChanges {
  const changes: DatasetChanges = {};
  if (input.name !== undefined) changes.name = text(input.name, `${argument}.name`, 1, LIMITS.name);
  if (input.description !== undefined) {
    changes.description = text(input.description, `${argument}.description`, 0, LIMITS.description);
  }
  if (input.category !== undefined) changes.category = text(input.category, `${argument}.category`, 1, LIMITS.category);
  if (input.tags !== undefined) changes.tags = tags(input.tags, `${argument}.tags`);
  if (Object.keys(changes).length === 0) {
    throw badInput(`"${argument}" must set at least one of name, description, category, tags`, argument);
  }
  return changes;
}

/** An optional text filter: absent or blank means no filter. */
export function optionalFilter(value: string | null | undefined, argument: string, maxLength: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed.length === 0) return undefined;
  if (trimmed.length > maxLength) {
    throw badInput(`"${argument}" must be at most ${maxLength} characters, got ${trimmed.length}`, argument);
  }
  rejectNul(trimmed, argument);
  return trimmed;
}

function text(value: string | null, argument: string, min: number, max: number): string {
  // An explicit null cannot mean "unchanged" (that is what leaving the field out means) nor "empty".
  if (value === null) throw badInput(`"${argument}" cannot be null; leave it out to keep the current value`, argument);
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) {
    throw badInput(`"${argument}" must be ${min} to ${max} characters, got ${trimmed.length}: ${showValue(trimmed)}`, argument);
  }
  rejectNul(trimmed, argument);
  return trimmed;
}

/** Tags are labels: trimmed, each 1-50 characters, at most 20, and a repeated tag is kept once. */
function tags(values: readonly string[] | null, argument: string): string[] {
  if (values === null) throw badInput(`"${argument}" cannot be null; pass [] to remove every tag`, argument);
  const unique = [...new Set(values.map((value, i) => text(value, `${argument}[${i}]`, 1, LIMITS.tag)))];
  if (unique.length > LIMITS.tags) {
    throw badInput(`"${argument}" takes at most ${LIMITS.tags} tags, got ${unique.length}`, argument);
  }
  return unique;
}

// PostgreSQL text and jsonb cannot hold U+0000: let it through and the database fails with a driver error.
function rejectNul(value: string, argument: string): void {
  if (value.includes('\u0000')) throw badInput(`"${argument}" cannot contain the NUL character`, argument);
}

export type StoredRow = Record<string, string | number | boolean | null>;

/**
 * Checks the shape of rows to append, before looking at the dataset: 1-1000 JSON objects whose values are scalars,
 * each at most 16 KB serialized. Which keys are allowed depends on the dataset: see assertKnownColumns.
 */
export function parseAppendedRows(rows: readonly unknown[], argument = 'rows'): StoredRow[] {
  if (rows.length < 1 || rows.length > LIMITS.rowsPerAppend) {
    throw badInput(`"${argument}" must hold 1 to ${LIMITS.rowsPerAppend} rows, got ${rows.length}`, argument);
  }
  return rows.map((row, index) => parseRow(row, `${argument}[${index}]`, argument));
}

function parseRow(row: unknown, where: string, argument: string): StoredRow {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw badInput(`${where} must be an object keyed by column name, got ${showValue(row)}`, argument);
  }
  for (const [key, value] of Object.entries(row)) {
    const scalar =
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && !value.includes('\u0000'));
    if (!scalar) {
      throw badInput(
        `${where}.${key} must be a string, a finite number, a boolean or null (no objects, arrays or NUL characters), got ${showValue(value)}`,
        argument,
      );
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(row), 'utf8');
  if (bytes > LIMITS.rowBytes) {
    throw badInput(`${where} is ${bytes} bytes as JSON; a row may be at most ${LIMITS.rowBytes}`, argument);
  }
  return row as StoredRow;
}

/** Every key of every row must be one of the dataset's columns. */
export function assertKnownColumns(rows: readonly StoredRow[], columns: readonly ColumnSpec[], argument = 'rows'): void {
  const known = new Set(columns.map((column) => column.name));
  rows.forEach((row, index) => {
    const unknown = Object.keys(row).find((key) => !known.has(key));
    if (unknown !== undefined) {
      throw badInput(
        `${argument}[${index}] has unknown column ${showValue(unknown)}; the columns are ${[...known].join(', ')}`,
        argument,
      );
    }
  });
}
