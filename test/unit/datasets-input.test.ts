import { describe, expect, it } from 'vitest';
import { decodeDatasetCursor, encodeDatasetCursor } from '../../src/datasets/ordering.js';
import { escapeLike } from '../../src/datasets/repository.js';
import { assertKnownColumns, parseAppendedRows, parseDatasetUpdate } from '../../src/datasets/validation.js';

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
}

describe('dataset cursors', () => {
  it('round-trip a position under the ordering they were made for', () => {
    const cursor = encodeDatasetCursor('UPDATED_AT_DESC', { value: '2026-01-02T03:04:05.123456Z', id: 7 });
    expect(decodeDatasetCursor(cursor, 'UPDATED_AT_DESC')).toEqual({ value: '2026-01-02T03:04:05.123456Z', id: 7 });
  });

  it('refuse a cursor of another ordering', () => {
    const cursor = encodeDatasetCursor('NAME', { value: 'Lima', id: 3 });
    expect(() => decodeDatasetCursor(cursor, 'ROW_COUNT_DESC')).toThrow(/cursor for orderBy NAME, not ROW_COUNT_DESC/);
  });

  it.each([
    ['garbage', 'NAME', 'not-a-cursor'],
    ['a sort value of the wrong type', 'ROW_COUNT_DESC', encodeDatasetCursor('ROW_COUNT_DESC', { value: 'many', id: 1 })],
    ['an impossible timestamp', 'CREATED_AT_DESC', encodeDatasetCursor('CREATED_AT_DESC', { value: '2026-02-30T00:00:00.000000Z', id: 1 })],
    ['a negative id', 'NAME', encodeDatasetCursor('NAME', { value: 'x', id: -1 })],
  ] as const)('refuse %s as BAD_USER_INPUT', (_what, order, cursor) => {
    expect(codeOf(() => decodeDatasetCursor(cursor, order))).toBe('BAD_USER_INPUT');
  });
});

describe('escapeLike', () => {
  it('makes %, _ and backslash literal', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });
});

describe('parseDatasetUpdate', () => {
  it('trims, keeps only the fields given and keeps a repeated tag once', () => {
    expect(parseDatasetUpdate({ name: '  New name ', tags: ['a', 'b', 'a'] })).toEqual({ name: 'New name', tags: ['a', 'b'] });
  });

  it('allows an empty description and an empty tag list', () => {
    expect(parseDatasetUpdate({ description: '', tags: [] })).toEqual({ description: '', tags: [] });
  });

  it.each([
    ['an empty input', {}],
    ['a blank name', { name: '   ' }],
    ['a null name', { name: null }],
    ['a 201-character name', { name: 'x'.repeat(201) }],
    ['a 101-character category', { category: 'x'.repeat(101) }],
    ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
    ['a 51-character tag', { tags: ['x'.repeat(51)] }],
    ['an empty tag', { tags: [''] }],
    ['a NUL character', { description: 'a\u0000b' }],
  ])('rejects %s', (_what, input) => {
    expect(codeOf(() => parseDatasetUpdate(input))).toBe('BAD_USER_INPUT');
  });
});

describe('parseAppendedRows', () => {
  it('accepts objects of scalar values', () => {
    const rows = [{ a: 1, b: 'x', c: true, d: null }];
    expect(parseAppendedRows(rows)).toEqual(rows);
  });

  it.each([
    ['no rows', []],
    ['1001 rows', Array.from({ length: 1001 }, () => ({}))],
    ['an array as a row', [[1, 2]]],
    ['a string as a row', ['row']],
    ['a null row', [null]],
    ['a nested object', [{ a: { b: 1 } }]],
    ['a nested array', [{ a: [1] }]],
    ['a NUL character', [{ a: 'x\u0000' }]],
    ['a row over 16 KB', [{ a: 'x'.repeat(16 * 1024) }]],
  ])('rejects %s', (_what, rows) => {
    expect(codeOf(() => parseAppendedRows(rows))).toBe('BAD_USER_INPUT');
  });

  it('names the row and the key of a bad value', () => {
    expect(() => parseAppendedRows([{ a: 1 }, { b: [1] }])).toThrow(/rows\[1\]\.b must be/);
  });
});

describe('assertKnownColumns', () => {
  it('names the unknown column and the row holding it', () => {
    const columns = [{ name: 'id', type: 'INTEGER' as const }];
    expect(() => assertKnownColumns([{ id: 1 }, { id: 2, colour: 'red' }], columns)).toThrow(/rows\[1\] has unknown column "colour"/);
    expect(() => assertKnownColumns([{ id: 1 }, {}], columns)).not.toThrow();
  });
});
