// Data quality of a stored table, from its column types and every stored row. Pure: no I/O, so the numbers can be
// checked by hand on small tables and the result can be cached as a whole.
//
// Definitions (shares are 0-1):
// - a cell is *present* when its key is in the row and its value is not null;
// - column completeness = present cells / rows; column type validity = present cells that fit the type / present;
// - distinct values = different present values of the column (1 and "1" differ);
// - a duplicate row repeats an earlier row exactly (compared as canonical JSON, keys sorted);
// - overall completeness and type validity are weighted by cells, so a wide table's columns count per cell;
// - score = mean of completeness, type validity and uniqueness (1 - duplicates / rows), as a percentage, 2 decimals.
//
// Every share whose denominator is zero is 1: it measures defects, and where there is nothing to measure there is
// no defect. So an empty dataset scores 100 with rowCount 0 (the row count says there is nothing to trust), and a
// column with no present values has type validity 1 (its completeness of 0 already reports the problem).
import type { ColumnSpec } from '../db/tables.js';

export interface ColumnQuality {
  name: string;
  type: ColumnSpec['type'];
  completeness: number;
  typeValidity: number;
  distinctValues: number;
}

export interface DatasetQuality {
  score: number;
  rowCount: number;
  duplicateRows: number;
  completeness: number;
  typeValidity: number;
  columns: ColumnQuality[];
}

export function assessQuality(columns: readonly ColumnSpec[], rows: readonly Record<string, unknown>[]): DatasetQuality {
  let presentCells = 0;
  let validCells = 0;
  const columnResults = columns.map((column) => {
    let present = 0;
    let valid = 0;
    const distinct = new Set<string>();
    for (const row of rows) {
      const value = Object.hasOwn(row, column.name) ? row[column.name] : null;
      if (value === null || value === undefined) continue;
      present += 1;
      if (fitsType(column.type, value)) valid += 1;
      distinct.add(canonicalJson(value));
    }
    presentCells += present;
    validCells += valid;
    return {
      name: column.name,
      type: column.type,
      completeness: share(present, rows.length),
      typeValidity: share(valid, present),
      distinctValues: distinct.size,
    };
  });
  const duplicateRows = countDuplicates(rows);
  const completeness = share(presentCells, rows.length * columns.length);
  const typeValidity = share(validCells, presentCells);
  const uniqueness = share(rows.length - duplicateRows, rows.length);
  return {
    score: round2(((completeness + typeValidity + uniqueness) / 3) * 100),
    rowCount: rows.length,
    duplicateRows,
    completeness,
    typeValidity,
    columns: columnResults,
  };
}

/** Whether a present value fits a column type. */
export function fitsType(type: ColumnSpec['type'], value: unknown): boolean {
  switch (type) {
    case 'INTEGER':
      return typeof value === 'number' && Number.isInteger(value);
    case 'FLOAT':
      return typeof value === 'number' && Number.isFinite(value);
    case 'STRING':
      return typeof value === 'string';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'DATE':
      return typeof value === 'string' && isCalendarDate(value);
  }
}

/** 'YYYY-MM-DD' naming a real day (2026-02-30 does not). */
function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function countDuplicates(rows: readonly Record<string, unknown>[]): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const row of rows) {
    const key = canonicalJson(row);
    if (seen.has(key)) duplicates += 1;
    else seen.add(key);
  }
  return duplicates;
}

/** JSON with object keys sorted, so that equal values have one spelling whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function share(part: number, whole: number): number {
  return whole === 0 ? 1 : part / whole;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
