// The CSV format of `npm run import:io`: what it accepts and how it names each problem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImportCommand } from '../../src/cli/import-io.js';
import { IoCsvError, parseIoCsv } from '../../src/assessments/io-csv.js';

const GOOD = [
  ',USA_C01T02,USA_C10T12,CHN_C01T02,CHN_C10T12',
  'USA_C01T02,0.1,0.2,0,0.05',
  'USA_C10T12,0,0.1,0,0',
  'CHN_C01T02,0.02,0,0.15,0.3',
  'CHN_C10T12,0,0.01,0,0.1',
].join('\n');

function problemsOf(text: string): string[] {
  try {
    parseIoCsv(text);
  } catch (error) {
    if (error instanceof IoCsvError) return error.problems;
    throw error;
  }
  throw new Error('expected the table to be rejected');
}

describe('parseIoCsv', () => {
  it('reads a good table: labels, grid order and only the non-zero coefficients', () => {
    const table = parseIoCsv(GOOD);
    expect(table.countries).toEqual(['USA', 'CHN']);
    expect(table.sectorCodes).toEqual(['C01T02', 'C10T12']);
    expect(table.sectorNames).toEqual(['Agriculture', 'Food products']);
    const cells = table.values.map((value, k) => [table.rowIdx[k], table.colIdx[k], value]);
    expect(cells).toEqual([
      [0, 0, 0.1], [0, 1, 0.2], [0, 3, 0.05],
      [1, 1, 0.1],
      [2, 0, 0.02], [2, 2, 0.15], [2, 3, 0.3],
      [3, 1, 0.01], [3, 3, 0.1],
    ]);
    expect(table.largestColumnSum).toBeCloseTo(0.45, 12);
  });

  it('maps labels to the country x sector grid whatever order the file lists them in', () => {
    const table = parseIoCsv([
      ',CHN_B,USA_A,USA_B,CHN_A',
      'CHN_B,0,0,0,0.5',
      'USA_A,0,0,0,0',
      'USA_B,0,0,0,0',
      'CHN_A,0,0,0,0',
    ].join('\n'));
    // Countries and sectors are numbered in order of first appearance: CHN = 0, USA = 1; B = 0, A = 1.
    expect(table.countries).toEqual(['CHN', 'USA']);
    expect(table.sectorCodes).toEqual(['B', 'A']);
    // CHN_B (0 * 2 + 0) supplies CHN_A (0 * 2 + 1).
    expect([table.rowIdx, table.colIdx, table.values]).toEqual([[0], [1], [0.5]]);
  });

  it('accepts quotes, CRLF line ends, a byte-order mark, blank lines, spaces, exponents and sector codes with underscores', () => {
    const table = parseIoCsv(
      '\ufeff"",X_S_1,"X_S_2"\r\n\r\nX_S_1, 1e-3 ,0\r\n"X_S_2",0.5,.25\r\n',
    );
    expect(table.sectorCodes).toEqual(['S_1', 'S_2']);
    expect(table.values).toEqual([0.001, 0.5, 0.25]);
  });

  it('names the line of a ragged row', () => {
    const text = GOOD.replace('USA_C10T12,0,0.1,0,0', 'USA_C10T12,0,0.1,0');
    expect(problemsOf(text)).toEqual(['line 3: expected 5 cells (a label and 4 values), got 4']);
  });

  it('names the line, column and coefficient of a bad number', () => {
    const text = GOOD.replace('CHN_C01T02,0.02,0,0.15,0.3', 'CHN_C01T02,0.02,abc,0.15,');
    expect(problemsOf(text)).toEqual([
      'line 4, column 3 (CHN_C01T02 -> USA_C10T12): expected a number, got "abc"',
      'line 4, column 5 (CHN_C01T02 -> CHN_C10T12): expected a number, got an empty cell',
    ]);
  });

  it('rejects coefficients below 0, of 1 or more, and non-finite ones', () => {
    const text = GOOD.replace('USA_C10T12,0,0.1,0,0', 'USA_C10T12,-0.1,1,1e999,NaN');
    expect(problemsOf(text)).toEqual([
      'line 3, column 2 (USA_C10T12 -> USA_C01T02): a coefficient must be >= 0 and < 1, got "-0.1"',
      'line 3, column 3 (USA_C10T12 -> USA_C10T12): a coefficient must be >= 0 and < 1, got "1"',
      'line 3, column 4 (USA_C10T12 -> CHN_C01T02): a coefficient must be >= 0 and < 1, got "1e999"',
      'line 3, column 5 (USA_C10T12 -> CHN_C10T12): expected a number, got "NaN"',
    ]);
  });

  it('names a row label that does not match the header', () => {
    const text = GOOD.replace('CHN_C10T12,0,0.01', 'CHN_C99,0,0.01');
    expect(problemsOf(text)).toEqual([
      'line 5, column 1: expected row label "CHN_C10T12" (rows list the header\'s labels in the same order), got "CHN_C99"',
    ]);
  });

  it('rejects labels that are not COUNTRY_SECTOR, repeated, or not a full grid', () => {
    expect(problemsOf(',USA,_X,Y_\nUSA,0,0,0')).toEqual([
      'line 1, column 2: label "USA" is not COUNTRY_SECTOR (e.g. USA_C10T12)',
      'line 1, column 3: label "_X" is not COUNTRY_SECTOR (e.g. USA_C10T12)',
      'line 1, column 4: label "Y_" is not COUNTRY_SECTOR (e.g. USA_C10T12)',
    ]);
    expect(problemsOf(',A_x,A_x\nA_x,0,0\nA_x,0,0')).toEqual(['line 1, column 3: label "A_x" repeats column 2']);
    expect(problemsOf(',A_x,A_y,B_x\nA_x,0,0,0\nA_y,0,0,0\nB_x,0,0,0')).toEqual([
      'line 1: the labels do not form a full country x sector grid: 2 countries x 2 sectors need 4 labels, got 3; missing B_y',
    ]);
  });

  it('rejects a header without an empty first cell', () => {
    expect(problemsOf(GOOD.replace(/^,/, 'label,'))).toEqual([
      'line 1, column 1: the header must start with an empty cell, got "label" (an OECD ICIO table is recognised by its ' +
        'final-demand and OUT columns; --format icio reads it as one)',
    ]);
  });

  it('names missing and extra rows', () => {
    const lines = GOOD.split('\n');
    expect(problemsOf(lines.slice(0, 3).join('\n'))).toEqual([
      'the table has 2 rows of values after the header, but 4 labels: rows for CHN_C01T02, CHN_C10T12 are missing',
    ]);
    expect(problemsOf(`${GOOD}\nUSA_C01T02,0,0,0,0`)).toEqual([
      'line 6: more rows than labels; the table has 4 columns, so 4 rows',
    ]);
  });

  it('rejects a column that sums to 1 or more (a non-productive table)', () => {
    const text = GOOD.replace('CHN_C01T02,0.02,0,0.15,0.3', 'CHN_C01T02,0.02,0,0.15,0.95');
    expect(problemsOf(text)).toEqual([
      'column 5 (CHN_C10T12): the values sum to 1.1; every column must sum below 1 (the inputs per unit of output), ' +
        'or the table is not productive',
    ]);
  });

  it('rejects an empty file and an unclosed quote', () => {
    expect(problemsOf('')).toEqual(['the file holds no rows: expected a header of COUNTRY_SECTOR labels']);
    expect(problemsOf(',"A_x\nA_x,0')).toEqual(['line 1: a quoted field is never closed']);
  });

  it('stops listing after 20 problems', () => {
    const size = 30;
    const labels = Array.from({ length: size }, (_, k) => `C_S${k}`);
    const rows = labels.map((label) => [label, ...labels.map(() => 'x')].join(','));
    const problems = problemsOf([`,${labels.join(',')}`, ...rows].join('\n'));
    expect(problems).toHaveLength(21);
    expect(problems[20]).toMatch(/more problems not shown/);
  });
});

describe('runImport without a database', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'beacon-import-'));
  // An address nothing listens on: a run that tried to write would fail with exit code 1, not 2.
  const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };

  async function run(argv: string[]) {
    let out = '';
    let err = '';
    const code = await runImportCommand(argv, env, { out: (text) => (out += text), err: (text) => (err += text) });
    return { code, out, err };
  }

  it('exits 2 with the usage on missing or unknown arguments', async () => {
    expect(await run(['--file', 'x.csv'])).toMatchObject({ code: 2, out: '', err: expect.stringContaining('--model is required') });
    expect(await run(['--model', 'M'])).toMatchObject({ code: 2, err: expect.stringContaining('--file is required') });
    expect(await run(['--model', 'M', '--file', 'x.csv', '--force'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("Unknown option '--force'"),
    });
    expect(await run(['--model', 'no spaces', '--file', 'x.csv'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--model must start with a letter'),
    });
  });

  it('exits 2 naming a file it cannot read', async () => {
    const result = await run(['--model', 'M', '--file', path.join(dir, 'missing.csv')]);
    expect(result).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read .*missing\.csv: ENOENT/) });
  });

  it('exits 2 listing the problems of a bad table, before touching the database', async () => {
    const file = path.join(dir, 'ragged.csv');
    writeFileSync(file, GOOD.replace('USA_C10T12,0,0.1,0,0', 'USA_C10T12,0,0.1,0'));
    const result = await run(['--model', 'M', '--file', file]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('was not imported (1 problem)');
    expect(result.err).toContain('line 3: expected 5 cells (a label and 4 values), got 4');
  });
});
