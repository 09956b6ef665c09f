import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '../../src/db/tables.js';
import { assessQuality, canonicalJson, fitsType } from '../../src/datasets/quality.js';

const COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'INTEGER' },
  { name: 'amount', type: 'FLOAT' },
  { name: 'name', type: 'STRING' },
  { name: 'ok', type: 'BOOLEAN' },
  { name: 'day', type: 'DATE' },
];

// Worked by hand: 4 rows x 5 columns = 20 cells, 16 present, 12 of them valid, 1 duplicate row.
const ROWS = [
  { id: 1, amount: 1.5, name: 'a', ok: true, day: '2026-01-02' },
  { id: 2, amount: 'n/a', name: null, ok: false, day: '2026-02-30' },
  { day: '2026-01-02', ok: true, name: 'a', amount: 1.5, id: 1 }, // the first row with its keys in another order
  { id: 2.5, ok: 'yes' },
];

describe('assessQuality', () => {
  const quality = assessQuality(COLUMNS, ROWS);

  it('measures each column: completeness over rows, type validity over present cells, distinct present values', () => {
    expect(quality.columns).toEqual([
      { name: 'id', type: 'INTEGER', completeness: 1, typeValidity: 0.75, distinctValues: 3 },
      { name: 'amount', type: 'FLOAT', completeness: 0.75, typeValidity: 2 / 3, distinctValues: 2 },
      { name: 'name', type: 'STRING', completeness: 0.5, typeValidity: 1, distinctValues: 1 },
      { name: 'ok', type: 'BOOLEAN', completeness: 1, typeValidity: 0.75, distinctValues: 3 },
      { name: 'day', type: 'DATE', completeness: 0.75, typeValidity: 2 / 3, distinctValues: 2 },
    ]);
  });

  it('weights overall completeness and type validity by cells', () => {
    expect(quality.completeness).toBe(16 / 20);
    expect(quality.typeValidity).toBe(12 / 16);
  });

  it('counts a row equal to an earlier one as a duplicate whatever its key order', () => {
    expect(quality.rowCount).toBe(4);
    expect(quality.duplicateRows).toBe(1);
  });

  it('scores the mean of completeness, type validity and uniqueness as a percentage with 2 decimals', () => {
    // (0.8 + 0.75 + 0.75) / 3 * 100 = 76.666...
    expect(quality.score).toBe(76.67);
  });

  it('gives a flawless table 100', () => {
    const clean = assessQuality(COLUMNS.slice(0, 2), [{ id: 1, amount: 2 }, { id: 2, amount: 2.5 }]);
    expect(clean).toMatchObject({ score: 100, completeness: 1, typeValidity: 1, duplicateRows: 0 });
    expect(clean.columns.map((c) => c.distinctValues)).toEqual([2, 2]);
  });

  it('scores an empty dataset 100 with rowCount 0: no cell is missing, invalid or repeated', () => {
    const empty = assessQuality(COLUMNS, []);
    expect(empty).toMatchObject({ score: 100, rowCount: 0, duplicateRows: 0, completeness: 1, typeValidity: 1 });
    expect(empty.columns[0]).toEqual({ name: 'id', type: 'INTEGER', completeness: 1, typeValidity: 1, distinctValues: 0 });
  });

  it('gives a column with no present value type validity 1 and completeness 0', () => {
    const result = assessQuality([{ name: 'x', type: 'STRING' }], [{ x: null }, {}]);
    expect(result.columns[0]).toMatchObject({ completeness: 0, typeValidity: 1, distinctValues: 0 });
    expect(result.completeness).toBe(0);
    // A null cell and a missing key are different rows, so neither is a duplicate.
    expect(result.duplicateRows).toBe(0);
    expect(result.score).toBe(66.67);
  });

  it('counts every repeat of a row, not only the first', () => {
    const row = { id: 1 };
    expect(assessQuality([{ name: 'id', type: 'INTEGER' }], [row, row, { id: 2 }, row]).duplicateRows).toBe(2);
  });

  it('treats 1 and "1" as different values', () => {
    const result = assessQuality([{ name: 'v', type: 'INTEGER' }], [{ v: 1 }, { v: '1' }]);
    expect(result.columns[0]).toMatchObject({ distinctValues: 2, typeValidity: 0.5 });
    expect(result.duplicateRows).toBe(0);
  });
});

describe('fitsType', () => {
  it.each([
    ['INTEGER', 3, true],
    ['INTEGER', 3.5, false],
    ['INTEGER', '3', false],
    ['FLOAT', 3, true],
    ['FLOAT', -0.25, true],
    ['FLOAT', '0.25', false],
    ['FLOAT', Number.POSITIVE_INFINITY, false],
    ['STRING', '', true],
    ['STRING', 1, false],
    ['BOOLEAN', false, true],
    ['BOOLEAN', 'true', false],
    ['DATE', '2024-02-29', true],
    ['DATE', '2023-02-29', false],
    ['DATE', '2026-13-01', false],
    ['DATE', '2026-1-02', false],
    ['DATE', '2026-01-02T00:00:00Z', false],
    ['DATE', 20260102, false],
  ] as const)('%s accepts %j: %s', (type, value, expected) => {
    expect(fitsType(type, value)).toBe(expected);
  });
});

describe('canonicalJson', () => {
  it('spells equal objects the same whatever their key order, at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});
