// Reading the OECD ICIO table as published: files in the exact layout of the 2023 and the earlier editions, written
// by the test, read back into coefficients A[i][j] = Z[i][j] / output[j] with their labels; China and Mexico in parts
// (CN1, CN2, MX1, MX2) summed into CHN and MEX or kept apart; every problem named with its line and column.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IoCsvError, readIoTableFile, type ParsedTable, type ReadOptions } from '../../src/assessments/io-csv.js';
import { writeIcioTable, type IcioSpec, type WrittenIcio } from '../helpers/icio-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'beacon-icio-'));
const COUNTRIES = ['AUS', 'CN1', 'CN2', 'DEU', 'MX1', 'MX2', 'ROW'];
const INDUSTRIES = ['A01_02', 'C10T12', 'D35'];
let files = 0;

function write(spec: Partial<IcioSpec> = {}): { file: string; written: WrittenIcio } {
  const file = path.join(dir, `icio-${(files += 1)}.csv`);
  const written = writeIcioTable(file, { countries: COUNTRIES, industries: INDUSTRIES, edition: '2023', keep: true, ...spec });
  return { file, written };
}

async function problemsOf(file: string, options: ReadOptions = {}): Promise<string[]> {
  try {
    await readIoTableFile(file, options);
  } catch (error) {
    if (error instanceof IoCsvError) return error.problems;
    throw error;
  }
  throw new Error('expected the table to be rejected');
}

/** Expected A from what the file holds, with countries mapped (e.g. CN1 -> CHN) and summed as the reader should. */
function expectedCoefficients(written: WrittenIcio, countryOf: (country: string) => string, countries: string[]) {
  const n = written.labels.length;
  const size = countries.length * INDUSTRIES.length;
  const target = written.labels.map((label) => {
    const [country, ...rest] = label.split('_');
    return countries.indexOf(countryOf(country)) * INDUSTRIES.length + INDUSTRIES.indexOf(rest.join('_'));
  });
  const z = new Float64Array(size * size);
  const output = new Float64Array(size);
  for (let j = 0; j < n; j += 1) output[target[j]] += written.output[j];
  for (let i = 0; i < n; i += 1) for (let j = 0; j < n; j += 1) z[target[i] * size + target[j]] += written.z![i * n + j];
  return { size, at: (i: number, j: number) => (output[j] === 0 ? 0 : z[i * size + j] / output[j]) };
}

function expectCoefficients(table: ParsedTable, expected: ReturnType<typeof expectedCoefficients>) {
  expect(table.matrix.size).toBe(expected.size);
  let checked = 0;
  for (let i = 0; i < expected.size; i += 1) {
    for (let j = 0; j < expected.size; j += 1) {
      const want = expected.at(i, j);
      const got = table.matrix.get(i, j);
      if (want === 0) expect(got).toBe(0);
      else expect(Math.abs(got - want) / want).toBeLessThan(1e-12);
      checked += want === 0 ? 0 : 1;
    }
  }
  expect(checked).toBeGreaterThan(expected.size); // the check saw a real table, not an empty one
}

describe('reading an OECD ICIO table (2023 layout)', () => {
  it('derives A = Z / output, keeps the labels, and sums CN1+CN2 into CHN and MX1+MX2 into MEX by default', async () => {
    const { file, written } = write({ zeroOutput: ['DEU_D35'] });
    const table = await readIoTableFile(file);
    expect(table.format).toBe('icio');
    expect(table.countries).toEqual(['AUS', 'CHN', 'DEU', 'MEX', 'ROW']);
    expect(table.sectorCodes).toEqual(INDUSTRIES);
    expect(table.sectorNames[1]).toBe('Food products');
    const whole = (country: string) => ({ CN1: 'CHN', CN2: 'CHN', MX1: 'MEX', MX2: 'MEX' })[country] ?? country;
    expectCoefficients(table, expectedCoefficients(written, whole, table.countries));
    // DEU_D35 has no output: its column is zeros (and so is its row).
    const deuD35 = 2 * INDUSTRIES.length + 2;
    expect(table.matrix.columnSums[deuD35]).toBe(0);
    expect(table.largestColumnSum).toBeGreaterThan(0.2);
    expect(table.largestColumnSum).toBeLessThan(1);
  });

  it('keeps CN1, CN2, MX1 and MX2 apart when asked', async () => {
    const { file, written } = write();
    const table = await readIoTableFile(file, { splitRegions: 'keep' });
    expect(table.countries).toEqual(COUNTRIES);
    expectCoefficients(table, expectedCoefficients(written, (country) => country, table.countries));
  });

  it('adds CN1 and CN2 to a CHN that is published beside them', async () => {
    const countries = ['CHN', 'CN1', 'CN2', 'USA'];
    const file = path.join(dir, 'with-chn.csv');
    const written = writeIcioTable(file, { countries, industries: INDUSTRIES, edition: '2023', keep: true });
    const table = await readIoTableFile(file);
    expect(table.countries).toEqual(['CHN', 'USA']);
    expectCoefficients(
      table,
      expectedCoefficients(written, (country) => (country.startsWith('CN') ? 'CHN' : country), table.countries),
    );
  });
});

describe('reading an earlier edition (empty corner, COUNTRY_TAXSUB rows, VALU, OUTPUT, TOTAL)', () => {
  it('reads the same coefficients', async () => {
    const { file, written } = write({ edition: '2018' });
    const table = await readIoTableFile(file, { splitRegions: 'keep' });
    expect(table.format).toBe('icio');
    expect(table.countries).toEqual(COUNTRIES);
    expectCoefficients(table, expectedCoefficients(written, (country) => country, table.countries));
  });
});

describe('problems in an ICIO file, each with its line and column', () => {
  it('names a cell that is not a number and a negative flow', async () => {
    const { file } = write({
      corrupt: (row, column, text) => (row === 'AUS_C10T12' && column === 'DEU_D35' ? 'n/a' : row === 'ROW_D35' && column === 'AUS_A01_02' ? '-3' : text),
    });
    expect(await problemsOf(file)).toEqual([
      'line 3, column 13 (AUS_C10T12 -> DEU_D35): expected a number, got "n/a"',
      'line 22, column 2 (ROW_D35 -> AUS_A01_02): an intermediate flow must be >= 0, got "-3"',
    ]);
  });

  it('names a column whose inputs reach its output, and one with inputs but no output', async () => {
    const { file } = write({
      corrupt: (row, column, text) => (row === 'OUT' && column === 'AUS_D35' ? '1' : row === 'OUT' && column === 'ROW_A01_02' ? '0' : text),
    });
    const problems = await problemsOf(file);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^column AUS_D35: its intermediate inputs \([\d.]+\) are [\d.]+ of its output \(1, from the output row \(line 25\)\); the inputs per unit of output must sum below 1$/);
    expect(problems[1]).toMatch(/^column ROW_A01_02: inputs of [\d.]+ but an output of 0 in the output row \(line 25\)/);
  });

  it('names a short row, an unknown row, a repeated row and missing rows', async () => {
    const { file } = write({ countries: ['AUS', 'USA'], industries: ['A', 'B'], keep: false });
    const { readFileSync, writeFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = lines[2].split(',').slice(0, -2).join(','); // AUS_B: two cells short
    lines[3] = lines[3].replace(/^USA_A/, 'USA_X'); // unknown
    lines[4] = lines[4].replace(/^USA_B/, 'AUS_A'); // repeats line 2
    writeFileSync(file, lines.join('\n'));
    expect(await problemsOf(file)).toEqual([
      'line 3 ("AUS_B"): expected 18 cells like the header, got 16',
      'line 4, column 1: row "USA_X" is neither a COUNTRY_INDUSTRY of the header, TLS/TAXSUB, VA/VALU nor OUT/OUTPUT',
      'line 5, column 1: row "AUS_A" repeats line 2',
    ]);
  });

  it('names missing Z rows when the rest is sound', async () => {
    const { file } = write({ countries: ['AUS', 'USA'], industries: ['A', 'B'], keep: false });
    const { readFileSync, writeFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [lines[0], lines[1], ...lines.slice(4)].join('\n'));
    expect(await problemsOf(file)).toEqual(['the table has no row for 2 of its 4 COUNTRY_INDUSTRY columns: AUS_B, USA_A']);
  });

  it('names header labels that are not COUNTRY_INDUSTRY and an incomplete grid', async () => {
    const { file } = write({ countries: ['AUS', 'USA'], industries: ['A', 'B'], keep: false });
    const { readFileSync, writeFileSync } = await import('node:fs');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('V1,AUS_A,AUS_B,USA_A,USA_B,', 'V1,AUS_A,AUS_B,USA_A,USB,'));
    expect(await problemsOf(file)).toEqual([
      'line 1, column 5: label "USB" is neither COUNTRY_INDUSTRY (e.g. AUS_A01_02), final demand (e.g. AUS_HFCE) nor OUT',
    ]);
    writeFileSync(file, text.replace('V1,AUS_A,AUS_B,USA_A,USA_B,', 'V1,AUS_A,AUS_B,USA_A,USA_C,'));
    expect((await problemsOf(file))[0]).toBe(
      'line 1: the COUNTRY_INDUSTRY columns do not form a full grid: 2 countries x 3 industries need 6 columns, got 4; missing AUS_C, USA_B',
    );
  });

  it('lists at most 20 problems and says there are more', async () => {
    const { file } = write({ corrupt: (row, column, text) => (row.startsWith('AUS') && column.startsWith('DEU') ? 'x' : text) });
    const problems = await problemsOf(file);
    expect(problems).toHaveLength(21);
    expect(problems[0]).toBe('line 2, column 11 (AUS_A01_02 -> DEU_A01_02): expected a number, got "x"');
    expect(problems[20]).toBe('(more problems not shown; fix these first)');
  });
});
