// Reads an input-output table: the OECD ICIO layout (icio-csv.ts) or, as here, a square CSV of technical coefficients:
//
//   ,USA_C01T02,USA_C10T12,CHN_C01T02,CHN_C10T12
//   USA_C01T02,0.12,0.30,0.01,0
//   ...
//
// The first row holds an empty cell then the COUNTRY_SECTOR labels of the columns; each following row starts with
// the same labels in the same order. Labels split at the first underscore (sector codes may contain underscores,
// country codes may not). They must form the full country x sector grid. Every value is a number >= 0 and < 1, and
// every column sums below 1 (a productive table). A problem is reported with its line and column, as a person
// would find it in a spreadsheet. readIoTableFile streams a file through either reader (the header tells which).
import { createReadStream } from 'node:fs';
import { sectorName } from './catalog.js';
import { CsvRecordReader, recordsOf, type CsvRecord } from './csv-records.js';
import { IcioTableBuilder, looksLikeIcio, type SplitRegions } from './icio-csv.js';
import { CoefficientMatrix } from './leontief.js';
import { IoCsvError, Problems, show, type ParsedTable } from './table-problems.js';

export { IoCsvError, type ParsedTable } from './table-problems.js';

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

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a whole square coefficient table, or throws IoCsvError listing every problem found (up to 20). */
export function parseIoCsv(text: string): ParsedIoTable {
  const { records, problem } = recordsOf(text);
  const builder = new CoefficientTableBuilder();
  for (const record of records) builder.push(record);
  if (problem) builder.problems.add(problem);
  return builder.finishCoordinates();
}

export interface ReadOptions {
  /** 'auto' (the default) tells the formats apart by the header: final-demand or OUT columns mean ICIO. */
  format?: 'auto' | 'icio' | 'coefficients';
  /** ICIO only: CN1/CN2 and MX1/MX2 summed into CHN and MEX ('aggregate', the default, as pymrio) or kept apart. */
  splitRegions?: SplitRegions;
}

/**
 * Streams a table file (either format) into a matrix: the text is read in 1 MB chunks and dropped record by record,
 * so memory holds the matrix being built, never the file. Throws IoCsvError naming every problem (up to 20), or the
 * file system's error.
 */
export async function readIoTableFile(file: string, options: ReadOptions = {}): Promise<ParsedTable> {
  let builder: IcioTableBuilder | CoefficientTableBuilder | undefined;
  const reader = new CsvRecordReader((record) => {
    if (!builder) {
      const icio = options.format === 'icio' || (options.format !== 'coefficients' && looksLikeIcio(record.cells.slice(1)));
      builder = icio ? new IcioTableBuilder(options.splitRegions) : new CoefficientTableBuilder();
    }
    builder.push(record);
  });
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream) reader.feed(chunk as string);
  const problem = reader.end();
  if (!builder) throw new IoCsvError([problem ?? 'the file holds no rows: expected a header of COUNTRY_SECTOR labels']);
  if (problem) throw new IoCsvError([problem]);
  return builder.finish();
}

/** The square coefficient format, record by record. */
class CoefficientTableBuilder {
  readonly problems = new Problems();
  private header: CsvRecord | undefined;
  private labels: string[] = [];
  private countries: string[] = [];
  private sectorCodes: string[] = [];
  private indexOf: number[] = [];
  private rowCount = 0;
  private ready = false;
  private readonly rowIdx: number[] = [];
  private readonly colIdx: number[] = [];
  private readonly values: number[] = [];
  private columnSums = new Float64Array(0);

  push(record: CsvRecord): void {
    if (!this.header) {
      this.readHeader(record);
      return;
    }
    if (!this.ready || this.problems.full) return;
    this.readRow(record, this.rowCount);
    this.rowCount += 1;
  }

  private readHeader(header: CsvRecord): void {
    const problems = this.problems;
    this.header = header;
    const corner = header.cells[0].trim();
    if (corner !== '') {
      problems.add(
        `line ${header.line}, column 1: the header must start with an empty cell, got ${show(corner)} ` +
          `(an OECD ICIO table is recognised by its final-demand and OUT columns; --format icio reads it as one)`,
      );
    }
    const labels = header.cells.slice(1).map((cell) => cell.trim());
    this.labels = labels;
    if (labels.length === 0) problems.add(`line ${header.line}: the header has no COUNTRY_SECTOR labels`);
    if (problems.list.length > 0) return;

    // Labels -> grid position. Countries and sectors are numbered in order of first appearance.
    const { countries, sectorCodes } = this;
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
    if (problems.list.length > 0) return;

    const size = countries.length * sectorCodes.length;
    if (labels.length !== size) {
      const missing: string[] = [];
      for (const country of countries) {
        for (const sector of sectorCodes) if (!columnOf.has(`${country}_${sector}`)) missing.push(`${country}_${sector}`);
      }
      problems.add(
        `line ${header.line}: the labels do not form a full country x sector grid: ${countries.length} countries x ` +
          `${sectorCodes.length} sectors need ${size} labels, got ${labels.length}; missing ` +
          `${missing.slice(0, 10).join(', ')}${missing.length > 10 ? `, … (${missing.length} in all)` : ''}`,
      );
      return;
    }
    this.indexOf = parts.map((part) => part.country * sectorCodes.length + part.sector);
    this.columnSums = new Float64Array(size);
    this.ready = true;
  }

  private readRow({ line, cells }: CsvRecord, r: number): void {
    const { labels, problems } = this;
    if (r >= labels.length) {
      if (r === labels.length) {
        problems.add(`line ${line}: more rows than labels; the table has ${labels.length} columns, so ${labels.length} rows`);
      }
      return;
    }
    if (cells.length !== labels.length + 1) {
      problems.add(`line ${line}: expected ${labels.length + 1} cells (a label and ${labels.length} values), got ${cells.length}`);
      return;
    }
    const rowLabel = cells[0].trim();
    if (rowLabel !== labels[r]) {
      problems.add(
        `line ${line}, column 1: expected row label ${show(labels[r])} (rows list the header's labels in the same ` +
          `order), got ${show(rowLabel)}`,
      );
      return;
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
      this.rowIdx.push(this.indexOf[r]);
      this.colIdx.push(this.indexOf[c]);
      this.values.push(value);
      this.columnSums[c] += value;
    }
  }

  /** The coordinates (parseIoCsv's result). */
  finishCoordinates(): ParsedIoTable {
    const { problems, labels } = this;
    if (!this.header) throw problems.errorOr('the file holds no rows: expected a header of COUNTRY_SECTOR labels');
    problems.throwIfAny();
    if (this.rowCount < labels.length) {
      const missing = labels.slice(this.rowCount);
      problems.add(
        `the table has ${this.rowCount} rows of values after the header, but ${labels.length} labels: rows for ` +
          `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} are missing`,
      );
    }
    problems.throwIfAny();

    let largestColumnSum = 0;
    for (let c = 0; c < labels.length; c += 1) {
      largestColumnSum = Math.max(largestColumnSum, this.columnSums[c]);
      if (!(this.columnSums[c] < 1)) {
        problems.add(
          `column ${c + 2} (${labels[c]}): the values sum to ${round(this.columnSums[c])}; every column must sum below 1 ` +
            `(the inputs per unit of output), or the table is not productive`,
        );
      }
    }
    problems.throwIfAny();
    const { countries, sectorCodes, rowIdx, colIdx, values } = this;
    return { countries, sectorCodes, sectorNames: sectorCodes.map(sectorName), rowIdx, colIdx, values, largestColumnSum };
  }

  finish(): ParsedTable {
    const table = this.finishCoordinates();
    const size = table.countries.length * table.sectorCodes.length;
    return {
      format: 'coefficients',
      countries: table.countries,
      sectorCodes: table.sectorCodes,
      sectorNames: table.sectorNames,
      matrix: CoefficientMatrix.fromCoordinates(size, table.rowIdx, table.colIdx, table.values),
      largestColumnSum: table.largestColumnSum,
    };
  }
}

function round(value: number): string {
  return String(Math.round(value * 1e9) / 1e9);
}
