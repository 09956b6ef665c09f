// The OECD Inter-Country Input-Output table as published (CSV), read record by record:
//
//   V1,AUS_A01_02,...,ROW_T,AUS_HFCE,AUS_NPISH,AUS_GGFC,AUS_GFCF,AUS_INVNT,AUS_DPABR,...,OUT
//   AUS_A01_02,<Z: intermediate flows to every COUNTRY_INDUSTRY>,<final demand Y>,<output>
//   ...
//   TLS,<taxes less subsidies>          (earlier editions: TAXSUB, or COUNTRY_TAXSUB rows)
//   VA,<value added>                    (earlier: VALU)
//   OUT,<output of every column>        (earlier: OUTPUT; some files: TOTAL)
//
// What it reads matches pymrio's parse_oecd: Z is every row and column that is neither final demand (a label with a
// part HFCE, NPISH, NPS, GGFC, GFCF, INVNT, INV, DIRP, DPABR, FD, P33 or DISC), a factor input (TLS, TAXSUB, VA,
// VALU), nor an output total (OUT, OUTPUT, TOTAL); Z labels are REGION_SECTOR split at the first underscore; empty
// cells are 0; China and Mexico, published in parts (CN1, CN2, MX1, MX2), are summed into CHN and MEX (rows and
// columns, by sector, with their outputs) unless the caller keeps them apart. Unlike pymrio, which matches these
// names as substrings, a label matches when one of its underscore-separated parts is the name, so no industry code
// can be mistaken for one. Beacon then derives the technical coefficients A[i][j] = Z[i][j] / output[j]; a column
// with zero output (a sector that does not exist in a country) is a column of zeros. Output is the output row; without
// one, the output column (a row's total equals its column's); without either, each row's sum of Z and Y (pymrio).
//
// Z is accumulated densely (n x n doubles: 98 MB at n = 3,500), the only whole-table copy; text is dropped line by line.
import type { CsvRecord } from './csv-records.js';
import { sectorName } from './catalog.js';
import { CoefficientMatrix } from './leontief.js';
import { Problems, show, type ParsedTable } from './table-problems.js';

/** Split countries: summed into CHN and MEX (as pymrio does), or kept as published (CN1, CN2, MX1, MX2). */
export type SplitRegions = 'aggregate' | 'keep';

const FINAL_DEMAND = new Set(['HFCE', 'NPISH', 'NPS', 'GGFC', 'GFCF', 'INVNT', 'INV', 'DIRP', 'DPABR', 'FD', 'P33', 'DISC']);
const FACTOR_INPUTS = new Set(['TLS', 'TAXSUB', 'VA', 'VALU']);
const OUTPUT = new Set(['OUT', 'OUTPUT', 'TOTAL']);
const SPLIT_REGION = /^(CN|MX)\d+$/;
const WHOLE_OF = { CN: 'CHN', MX: 'MEX' } as const;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const HEX_BINARY_OCTAL_INFINITY = /[xXoObBI]/;

const hasPart = (label: string, names: Set<string>) => names.has(label) || label.split('_').some((part) => names.has(part));

/** Whether a header (its labels after the corner) is the OECD layout rather than a square coefficient table. */
export function looksLikeIcio(labels: readonly string[]): boolean {
  return labels.some((label) => OUTPUT.has(label.trim()) || hasPart(label.trim(), FINAL_DEMAND));
}

type ColumnKind = { kind: 'z'; source: number; target: number } | { kind: 'output' } | { kind: 'final-demand' };

export class IcioTableBuilder {
  private readonly problems = new Problems();
  private header: CsvRecord | undefined;
  private labels: string[] = [];
  private columns: ColumnKind[] = [];
  /** Z labels in header order, and each one's target index. */
  private zLabels: string[] = [];
  private zTargetOf = new Map<string, number>();
  private zSourceOf = new Map<string, number>();
  private countries: string[] = [];
  private sectorCodes: string[] = [];
  private n = 0;
  private z = new Float64Array(0);
  private rowSeen: Int32Array = new Int32Array(0);
  private rowTotal = new Float64Array(0);
  private outputColumn = new Float64Array(0);
  private outputRow: Float64Array | undefined;
  private outputRowLine = 0;
  private hasOutputColumn = false;
  readonly keptApart: string[] = [];

  constructor(private readonly splitRegions: SplitRegions = 'aggregate') {}

  push(record: CsvRecord): void {
    if (this.problems.full) return;
    if (!this.header) this.readHeader(record);
    else if (this.n > 0) this.readRow(record);
  }

  private readHeader(record: CsvRecord): void {
    this.header = record;
    this.labels = record.cells.slice(1).map((cell) => cell.trim());
    const at = (k: number) => `line ${record.line}, column ${k + 2}`;
    const countryIndex = new Map<string, number>();
    const sectorIndex = new Map<string, number>();
    const sourceCountries = new Set<string>();
    const seen = new Map<string, number>();
    const parts: { country: number; sector: number }[] = [];
    this.labels.forEach((label, k) => {
      const earlier = seen.get(label);
      if (earlier !== undefined) {
        this.problems.add(`${at(k)}: label ${show(label)} repeats column ${earlier + 2}`);
        return;
      }
      seen.set(label, k);
      if (OUTPUT.has(label)) {
        this.columns[k] = { kind: 'output' };
        this.hasOutputColumn = true;
        return;
      }
      if (hasPart(label, FINAL_DEMAND)) {
        this.columns[k] = { kind: 'final-demand' };
        return;
      }
      const underscore = label.indexOf('_');
      if (underscore <= 0 || underscore === label.length - 1) {
        this.problems.add(
          `${at(k)}: label ${show(label)} is neither COUNTRY_INDUSTRY (e.g. AUS_A01_02), final demand (e.g. AUS_HFCE) nor OUT`,
        );
        return;
      }
      const source = label.slice(0, underscore);
      const sector = label.slice(underscore + 1);
      sourceCountries.add(source);
      const split = SPLIT_REGION.exec(source);
      let country = source;
      if (split && this.splitRegions === 'aggregate') country = WHOLE_OF[split[1] as 'CN' | 'MX'];
      else if (split && !this.keptApart.includes(source)) this.keptApart.push(source);
      if (!countryIndex.has(country)) countryIndex.set(country, this.countries.push(country) - 1);
      if (!sectorIndex.has(sector)) sectorIndex.set(sector, this.sectorCodes.push(sector) - 1);
      this.columns[k] = { kind: 'z', source: this.zLabels.push(label) - 1, target: -1 };
      parts.push({ country: countryIndex.get(country)!, sector: sectorIndex.get(sector)! });
    });
    if (this.zLabels.length === 0 && this.problems.list.length === 0) {
      this.problems.add(`line ${record.line}: the header has no COUNTRY_INDUSTRY columns`);
    }
    if (this.problems.list.length > 0) return;
    const sectors = this.sectorCodes.length;
    if (sourceCountries.size * sectors !== this.zLabels.length) {
      const missing: string[] = [];
      for (const country of sourceCountries) {
        for (const sector of this.sectorCodes) if (!seen.has(`${country}_${sector}`)) missing.push(`${country}_${sector}`);
      }
      this.problems.add(
        `line ${record.line}: the COUNTRY_INDUSTRY columns do not form a full grid: ${sourceCountries.size} countries x ` +
          `${sectors} industries need ${sourceCountries.size * sectors} columns, got ${this.zLabels.length}; missing ` +
          `${missing.slice(0, 10).join(', ')}${missing.length > 10 ? `, … (${missing.length} in all)` : ''}`,
      );
      return;
    }
    this.n = this.countries.length * sectors;
    let z = 0;
    for (const column of this.columns) {
      if (column?.kind !== 'z') continue;
      const part = parts[z];
      column.target = part.country * sectors + part.sector;
      this.zTargetOf.set(this.zLabels[z], column.target);
      this.zSourceOf.set(this.zLabels[z], z);
      z += 1;
    }
    this.z = new Float64Array(this.n * this.n);
    this.rowSeen = new Int32Array(this.zLabels.length);
    this.rowTotal = new Float64Array(this.n);
    this.outputColumn = new Float64Array(this.n);
  }

  private readRow(record: CsvRecord): void {
    const { line, cells } = record;
    const label = cells[0].trim();
    if (cells.length !== this.labels.length + 1) {
      this.problems.add(
        `line ${line}${label ? ` (${show(label)})` : ''}: expected ${this.labels.length + 1} cells like the header, got ${cells.length}`,
      );
      return;
    }
    const target = this.zTargetOf.get(label);
    if (target !== undefined) {
      const source = this.zSourceOf.get(label)!;
      if (this.rowSeen[source] > 0) {
        this.problems.add(`line ${line}, column 1: row ${show(label)} repeats line ${this.rowSeen[source]}`);
        return;
      }
      this.rowSeen[source] = line;
      this.readFlows(line, label, cells, target);
      return;
    }
    if (OUTPUT.has(label)) {
      if (this.outputRow) {
        this.problems.add(`line ${line}, column 1: a second output row ${show(label)} (the first is on line ${this.outputRowLine})`);
        return;
      }
      this.outputRowLine = line;
      this.outputRow = new Float64Array(this.n);
      this.readNumbers(line, label, cells, (k, value) => {
        const column = this.columns[k];
        if (column?.kind !== 'z') return;
        if (value < 0) this.cellProblem(line, label, k, `output must be >= 0, got ${show(cells[k + 1].trim())}`);
        else this.outputRow![column.target] += value;
      });
      return;
    }
    if (hasPart(label, FACTOR_INPUTS)) {
      // Taxes and value added: not part of A, but a cell that is not a number is still a broken file.
      this.readNumbers(line, label, cells, () => {});
      return;
    }
    this.problems.add(
      `line ${line}, column 1: row ${show(label)} is neither a COUNTRY_INDUSTRY of the header, TLS/TAXSUB, VA/VALU nor OUT/OUTPUT`,
    );
  }

  private readFlows(line: number, label: string, cells: string[], target: number): void {
    const base = target * this.n;
    const columns = this.columns;
    let total = 0;
    // One loop, no closure per cell: this runs ~14 million times for a full table.
    for (let k = 0; k < this.labels.length; k += 1) {
      const value = this.numberAt(line, label, cells, k);
      if (value === 0 || Number.isNaN(value)) continue;
      const column = columns[k];
      if (column?.kind === 'z') {
        if (value < 0) {
          this.cellProblem(line, label, k, `an intermediate flow must be >= 0, got ${show(cells[k + 1].trim())}`);
          continue;
        }
        this.z[base + column.target] += value;
        total += value;
      } else if (column?.kind === 'output') this.outputColumn[target] += value;
      else total += value;
    }
    this.rowTotal[target] += total;
  }

  /** Calls take(k, value) for every non-zero number in the row; names the cells that are not numbers. */
  private readNumbers(line: number, label: string, cells: string[], take: (k: number, value: number) => void): void {
    for (let k = 0; k < this.labels.length; k += 1) {
      const value = this.numberAt(line, label, cells, k);
      if (value !== 0 && !Number.isNaN(value)) take(k, value);
    }
  }

  /** The number in cell k (0-based after the label); empty is 0, as pymrio's fillna(0); NaN after naming a non-number. */
  private numberAt(line: number, label: string, cells: string[], k: number): number {
    const cell = cells[k + 1];
    if (cell.length === 0) return 0;
    const value = Number(cell);
    // Number() also takes "0x1F", "0b1", "Infinity" (and blanks, as 0, which is right here): those letters send the
    // cell to the strict pattern, as does anything Number() cannot read.
    if (Number.isFinite(value) && !HEX_BINARY_OCTAL_INFINITY.test(cell)) return value;
    if (!NUMBER.test(cell)) {
      this.cellProblem(line, label, k, `expected a number, got ${show(cell.trim())}`);
      return Number.NaN;
    }
    return value;
  }

  private cellProblem(line: number, label: string, k: number, message: string): void {
    this.problems.add(`line ${line}, column ${k + 2} (${label} -> ${this.labels[k]}): ${message}`);
  }

  finish(): ParsedTable {
    if (!this.header) throw this.problems.errorOr('the file holds no rows: expected a header of COUNTRY_INDUSTRY labels');
    this.problems.throwIfAny();
    const missing = this.zLabels.filter((_, k) => this.rowSeen[k] === 0);
    if (missing.length > 0) {
      this.problems.add(
        `the table has no row for ${missing.length} of its ${this.zLabels.length} COUNTRY_INDUSTRY columns: ` +
          `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
      );
    }
    this.problems.throwIfAny();

    const n = this.n;
    const output = this.outputRow ?? (this.hasOutputColumn ? this.outputColumn : this.rowTotal);
    const source = this.outputRow ? `the output row (line ${this.outputRowLine})` : this.hasOutputColumn ? 'the output column' : 'the row totals';
    const label = (j: number) => `${this.countries[Math.floor(j / this.sectorCodes.length)]}_${this.sectorCodes[j % this.sectorCodes.length]}`;
    // Column sums of Z, then of A; a column with zero output must have no inputs.
    const zSums = new Float64Array(n);
    for (let i = 0; i < n; i += 1) {
      const base = i * n;
      for (let j = 0; j < n; j += 1) zSums[j] += this.z[base + j];
    }
    let largestColumnSum = 0;
    const perColumn = new Int32Array(n + 1);
    for (let j = 0; j < n; j += 1) {
      if (output[j] === 0) {
        if (zSums[j] > 0) {
          this.problems.add(`column ${label(j)}: inputs of ${round(zSums[j])} but an output of 0 in ${source}; a sector with inputs must have output`);
        }
        continue;
      }
      if (output[j] < 0) {
        this.problems.add(`column ${label(j)}: output ${output[j]} in ${source}; output must be >= 0`);
        continue;
      }
      const sum = zSums[j] / output[j];
      largestColumnSum = Math.max(largestColumnSum, sum);
      if (!(sum < 1)) {
        this.problems.add(
          `column ${label(j)}: its intermediate inputs (${round(zSums[j])}) are ${round(sum)} of its output (${output[j]}, from ` +
            `${source}); the inputs per unit of output must sum below 1`,
        );
      }
    }
    this.problems.throwIfAny();

    for (let i = 0; i < n; i += 1) {
      const base = i * n;
      for (let j = 0; j < n; j += 1) if (this.z[base + j] !== 0 && output[j] !== 0) perColumn[j + 1] += 1;
    }
    for (let j = 0; j < n; j += 1) perColumn[j + 1] += perColumn[j];
    const rows = new Int32Array(perColumn[n]);
    const values = new Float64Array(perColumn[n]);
    const next = perColumn.slice(0, n);
    // Row by row, so each column's rows come out ascending.
    for (let i = 0; i < n; i += 1) {
      const base = i * n;
      for (let j = 0; j < n; j += 1) {
        const flow = this.z[base + j];
        if (flow === 0 || output[j] === 0) continue;
        const at = next[j]++;
        rows[at] = i;
        values[at] = flow / output[j];
      }
    }
    this.z = new Float64Array(0);
    return {
      format: 'icio',
      countries: this.countries,
      sectorCodes: this.sectorCodes,
      sectorNames: this.sectorCodes.map(sectorName),
      matrix: CoefficientMatrix.fromColumns(n, perColumn, rows, values),
      largestColumnSum,
    };
  }
}

function round(value: number): string {
  return String(Math.round(value * 1e9) / 1e9);
}
