// Parses and validates a square CSV of technical coefficients, with no I/O:
//
//   ,USA_C01T02,USA_C10T12,CHN_C01T02,CHN_C10T12
//   USA_C01T02,0.12,0.30,0.01,0
//   ...
//
// The first row holds an empty cell then the COUNTRY_SECTOR labels of the columns; each following row starts with
// the same labels in the same order. Labels split at the first underscore (sector codes may contain underscores,
// country codes may not). They must form the full country x sector grid. Every value is a number >= 0 and < 1, and
// every column sums below 1 (a productive table). A problem is reported with its line and column, as a person
// would find it in a spreadsheet.
import { sectorName } from './catalog.js';

export interface ParsedIoTable {
  /** In order of first appearance in the header. */
  countries: string[];
  sectorCodes: string[];
  /** Known names for OECD ICIO codes, the code itself otherwise. */
  sectorNames: string[];
  /** Non-zero coefficients, by index countryIndex * sectorCount + sectorIndex (whatever the CSV's order). */
  rowIdx: number[];
  colIdx: number[];
  values: number[];
  /** The largest column sum, for the summary. */
  largestColumnSum: number;
}

export class IoCsvError extends Error {
  override name = 'IoCsvError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Past this many problems, reading further only buries the first ones. */
const MAX_PROBLEMS = 20;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

class Problems {
  readonly list: string[] = [];

  add(message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(message);
    else if (this.list.length === MAX_PROBLEMS) this.list.push(`(more problems not shown; fix these first)`);
  }

  get full(): boolean {
    return this.list.length > MAX_PROBLEMS;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new IoCsvError(this.list);
  }
}

interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  cells: string[];
}

/** Parses a whole table, or throws IoCsvError listing every problem found (up to 20). */
export function parseIoCsv(text: string): ParsedIoTable {
  const problems = new Problems();
  const records = readCsv(text, problems);
  problems.throwIfAny();
  if (records.length === 0) throw new IoCsvError(['the file holds no rows: expected a header of COUNTRY_SECTOR labels']);

  const [header, ...rows] = records;
  const corner = header.cells[0].trim();
  if (corner !== '') {
    problems.add(`line ${header.line}, column 1: the header must start with an empty cell, got ${show(corner)}`);
  }
  const labels = header.cells.slice(1).map((cell) => cell.trim());
  if (labels.length === 0) problems.add(`line ${header.line}: the header has no COUNTRY_SECTOR labels`);
  problems.throwIfAny();

  // Labels -> grid position. Countries and sectors are numbered in order of first appearance.
  const countries: string[] = [];
  const sectorCodes: string[] = [];
  const countryIndex = new Map<string, number>();
  const sectorIndex = new Map<string, number>();
  const columnOf = new Map<string, number>();
  const parts: { country: number; sector: number }[] = [];
  labels.forEach((label, k) => {
    const at = `line ${header.line}, column ${k + 2}`;
    const underscore = label.indexOf('_');
    if (underscore <= 0 || underscore === label.length - 1) {
      problems.add(`${at}: label ${show(label)} is not COUNTRY_SECTOR (e.g. USA_C10T12)`);
      return;
    }
    const earlier = columnOf.get(label);
    if (earlier !== undefined) {
      problems.add(`${at}: label ${show(label)} repeats column ${earlier + 2}`);
      return;
    }
    columnOf.set(label, k);
    const country = label.slice(0, underscore);
    const sector = label.slice(underscore + 1);
    if (!countryIndex.has(country)) countryIndex.set(country, countries.push(country) - 1);
    if (!sectorIndex.has(sector)) sectorIndex.set(sector, sectorCodes.push(sector) - 1);
    parts.push({ country: countryIndex.get(country)!, sector: sectorIndex.get(sector)! });
  });
  problems.throwIfAny();

  const size = countries.length * sectorCodes.length;
  if (labels.length !== size) {
    const missing: string[] = [];
    for (const country of countries) {
      for (const sector of sectorCodes) if (!columnOf.has(`${country}_${sector}`)) missing.push(`${country}_${sector}`);
    }
    throw new IoCsvError([
      `line ${header.line}: the labels do not form a full country x sector grid: ${countries.length} countries x ` +
        `${sectorCodes.length} sectors need ${size} labels, got ${labels.length}; missing ` +
        `${missing.slice(0, 10).join(', ')}${missing.length > 10 ? `, … (${missing.length} in all)` : ''}`,
    ]);
  }
  const indexOf = parts.map((part) => part.country * sectorCodes.length + part.sector);

  const rowIdx: number[] = [];
  const colIdx: number[] = [];
  const values: number[] = [];
  const columnSums = new Float64Array(size);
  for (let r = 0; r < rows.length && !problems.full; r += 1) {
    const { line, cells } = rows[r];
    if (r >= labels.length) {
      problems.add(`line ${line}: more rows than labels; the table has ${labels.length} columns, so ${labels.length} rows`);
      break;
    }
    if (cells.length !== labels.length + 1) {
      problems.add(`line ${line}: expected ${labels.length + 1} cells (a label and ${labels.length} values), got ${cells.length}`);
      continue;
    }
    const rowLabel = cells[0].trim();
    if (rowLabel !== labels[r]) {
      problems.add(
        `line ${line}, column 1: expected row label ${show(labels[r])} (rows list the header's labels in the same ` +
          `order), got ${show(rowLabel)}`,
      );
      continue;
    }
    for (let c = 0; c < labels.length; c += 1) {
      const cell = cells[c + 1].trim();
      const where = () => `line ${line}, column ${c + 2} (${labels[r]} -> ${labels[c]})`;
      if (!NUMBER.test(cell)) {
        problems.add(`${where()}: expected a number, got ${cell === '' ? 'an empty cell' : show(cell)}`);
        continue;
      }
      const value = Number(cell);
      if (!(Number.isFinite(value) && value >= 0 && value < 1)) {
        problems.add(`${where()}: a coefficient must be >= 0 and < 1, got ${show(cell)}`);
        continue;
      }
      if (value === 0) continue;
      rowIdx.push(indexOf[r]);
      colIdx.push(indexOf[c]);
      values.push(value);
      columnSums[c] += value;
    }
  }
  if (rows.length < labels.length && problems.list.length === 0) {
    const missing = labels.slice(rows.length);
    problems.add(
      `the table has ${rows.length} rows of values after the header, but ${labels.length} labels: rows for ` +
        `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} are missing`,
    );
  }
  problems.throwIfAny();

  let largestColumnSum = 0;
  for (let c = 0; c < labels.length; c += 1) {
    largestColumnSum = Math.max(largestColumnSum, columnSums[c]);
    if (!(columnSums[c] < 1)) {
      problems.add(
        `column ${c + 2} (${labels[c]}): the values sum to ${round(columnSums[c])}; every column must sum below 1 ` +
          `(the inputs per unit of output), or the table is not productive`,
      );
    }
  }
  problems.throwIfAny();

  return { countries, sectorCodes, sectorNames: sectorCodes.map(sectorName), rowIdx, colIdx, values, largestColumnSum };
}

/**
 * RFC 4180 records: comma-separated, fields optionally in double quotes (a quote inside written as ""), lines
 * ending in LF or CRLF, a UTF-8 byte-order mark ignored. Blank lines are skipped.
 */
function readCsv(text: string, problems: Problems): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let atRecordEnd = false;
    while (!atRecordEnd) {
      if (text[i] === '"') {
        i += 1;
        let closed = false;
        while (i < text.length) {
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (ch === '\n') line += 1;
          cell += ch;
          i += 1;
        }
        if (!closed) {
          problems.add(`line ${start}: a quoted field is never closed`);
          return records;
        }
      }
      while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') cell += text[i++];
      cells.push(cell);
      cell = '';
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      if (text[i] === '\r') i += 1;
      if (text[i] === '\n') i += 1;
      line += 1;
      atRecordEnd = true;
    }
    if (!(cells.length === 1 && cells[0].trim() === '')) records.push({ line: start, cells });
  }
  return records;
}

function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function round(value: number): string {
  return String(Math.round(value * 1e9) / 1e9);
}
