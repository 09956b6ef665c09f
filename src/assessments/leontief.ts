// The linear algebra of an input-output model, with no dependencies: the sparse technical-coefficient matrix A and
// the LU factorization of (I - A) from which every Leontief column L e_j = (I - A)^-1 e_j is solved.
//
// A is stored compressed by column (CSC) because everything an assessment asks of it is column-shaped: the direct
// inputs of a sector are its column, A v is a sum of scaled columns, and "who supplies j, directly or indirectly" is a
// walk from column to column. The dense (I - A) exists only while it is being factored.

export interface CoefficientEntry {
  row: number;
  col: number;
  value: number;
}

export class CoefficientMatrix {
  /** Entries of column j are at positions colStart[j] .. colStart[j + 1] - 1, ordered by row. */
  private readonly colStart: Int32Array;
  private readonly rows: Int32Array;
  private readonly values: Float64Array;
  /** Column sums of A: the direct inputs per unit of output of each column. */
  readonly columnSums: Float64Array;
  private factorization: LuFactorization | undefined;

  private constructor(readonly size: number, colStart: Int32Array, rows: Int32Array, values: Float64Array) {
    this.colStart = colStart;
    this.rows = rows;
    this.values = values;
    this.columnSums = new Float64Array(size);
    for (let j = 0; j < size; j += 1) {
      let sum = 0;
      for (let p = colStart[j]; p < colStart[j + 1]; p += 1) sum += values[p];
      this.columnSums[j] = sum;
    }
  }

  /**
   * Builds A from parallel arrays of coordinates (any order). Zeros are dropped, so "stored" always means non-zero;
   * an index outside the matrix or a coordinate given twice is a bug in the caller and throws.
   */
  static fromCoordinates(
    size: number,
    rowIdx: ArrayLike<number>,
    colIdx: ArrayLike<number>,
    values: ArrayLike<number>,
  ): CoefficientMatrix {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`matrix size must be a positive integer, got ${size}`);
    const count = values.length;
    if (rowIdx.length !== count || colIdx.length !== count) throw new RangeError('coordinate arrays differ in length');
    const perColumn = new Int32Array(size + 1);
    for (let k = 0; k < count; k += 1) {
      const row = rowIdx[k];
      const col = colIdx[k];
      if (!(row >= 0 && row < size && col >= 0 && col < size && Number.isInteger(row) && Number.isInteger(col))) {
        throw new RangeError(`coefficient (${row}, ${col}) lies outside a ${size} x ${size} matrix`);
      }
      if (!Number.isFinite(values[k])) throw new RangeError(`coefficient (${row}, ${col}) is not finite: ${values[k]}`);
      if (values[k] !== 0) perColumn[col + 1] += 1;
    }
    for (let j = 0; j < size; j += 1) perColumn[j + 1] += perColumn[j];
    const nonZeros = perColumn[size];
    const rows = new Int32Array(nonZeros);
    const vals = new Float64Array(nonZeros);
    const next = perColumn.slice(0, size);
    for (let k = 0; k < count; k += 1) {
      if (values[k] === 0) continue;
      const at = next[colIdx[k]]++;
      rows[at] = rowIdx[k];
      vals[at] = values[k];
    }
    // Rows within a column in ascending order: lookups bisect, and duplicates sit next to each other.
    for (let j = 0; j < size; j += 1) {
      const start = perColumn[j];
      const end = perColumn[j + 1];
      if (end - start < 2) continue;
      const order = Array.from({ length: end - start }, (_, k) => start + k).sort((a, b) => rows[a] - rows[b]);
      const sortedRows = order.map((p) => rows[p]);
      const sortedValues = order.map((p) => vals[p]);
      for (let k = 0; k < order.length; k += 1) {
        if (k > 0 && sortedRows[k] === sortedRows[k - 1]) {
          throw new RangeError(`coefficient (${sortedRows[k]}, ${j}) is given twice`);
        }
        rows[start + k] = sortedRows[k];
        vals[start + k] = sortedValues[k];
      }
    }
    return new CoefficientMatrix(size, perColumn, rows, vals);
  }

  /** From a dense row-major table (rows[i][j] = input from i per unit of output of j): for tests and small tables. */
  static fromDense(table: readonly (readonly number[])[]): CoefficientMatrix {
    const size = table.length;
    const rowIdx: number[] = [];
    const colIdx: number[] = [];
    const values: number[] = [];
    table.forEach((row, i) => {
      if (row.length !== size) throw new RangeError(`row ${i} has ${row.length} values; the matrix is ${size} x ${size}`);
      row.forEach((value, j) => {
        rowIdx.push(i);
        colIdx.push(j);
        values.push(value);
      });
    });
    return CoefficientMatrix.fromCoordinates(size, rowIdx, colIdx, values);
  }

  get nonZeroCount(): number {
    return this.colStart[this.size];
  }

  /** A[row][col]; 0 where nothing is stored. */
  get(row: number, col: number): number {
    let lo = this.colStart[col];
    let hi = this.colStart[col + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.rows[mid];
      if (at === row) return this.values[mid];
      if (at < row) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Calls fn for every stored (non-zero) entry of column col, in row order. */
  forEachInColumn(col: number, fn: (row: number, value: number) => void): void {
    for (let p = this.colStart[col]; p < this.colStart[col + 1]; p += 1) fn(this.rows[p], this.values[p]);
  }

  /** Column j of A as a dense vector: the direct inputs per unit of output of j. */
  column(col: number): Float64Array {
    const out = new Float64Array(this.size);
    for (let p = this.colStart[col]; p < this.colStart[col + 1]; p += 1) out[this.rows[p]] = this.values[p];
    return out;
  }

  /** A v, as a sum of the columns of A scaled by v: work proportional to the non-zeros of the columns v touches. */
  multiply(v: Float64Array): Float64Array {
    const out = new Float64Array(this.size);
    for (let j = 0; j < this.size; j += 1) {
      const scale = v[j];
      if (scale === 0) continue;
      for (let p = this.colStart[j]; p < this.colStart[j + 1]; p += 1) out[this.rows[p]] += this.values[p] * scale;
    }
    return out;
  }

  /**
   * Rows that supply column col through at least one chain of non-zero coefficients (i -> ... -> col, length >= 1):
   * exactly the rows where (L - I) e_col is positive. col itself is included only if it lies on such a cycle.
   * The solve gives these rows their values; this gives the others their exact zero, which floating-point
   * elimination would blur into round-off like 1e-18.
   */
  upstreamOf(col: number): Uint8Array {
    const reached = new Uint8Array(this.size);
    const queue = new Int32Array(this.size + 1);
    let head = 0;
    let tail = 0;
    queue[tail++] = col;
    while (head < tail) {
      const j = queue[head++];
      for (let p = this.colStart[j]; p < this.colStart[j + 1]; p += 1) {
        const row = this.rows[p];
        if (reached[row]) continue;
        reached[row] = 1;
        // A row already expanded as the start column is expanded again at most once: col + every row <= size + 1.
        queue[tail++] = row;
      }
    }
    return reached;
  }

  /** The first column whose sum is >= 1 (the matrix is then not productive), or -1 when every column is below 1. */
  firstNonProductiveColumn(): number {
    for (let j = 0; j < this.size; j += 1) if (!(this.columnSums[j] < 1)) return j;
    return -1;
  }

  /** The LU factorization of (I - A), computed on first use and then shared by every solve on this matrix. */
  leontief(): LuFactorization {
    this.factorization ??= LuFactorization.of(this);
    return this.factorization;
  }

  /** I - A as a dense row-major array. */
  identityMinus(): Float64Array {
    const n = this.size;
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i += 1) dense[i * n + i] = 1;
    for (let j = 0; j < n; j += 1) {
      for (let p = this.colStart[j]; p < this.colStart[j + 1]; p += 1) dense[this.rows[p] * n + j] -= this.values[p];
    }
    return dense;
  }
}

/**
 * P (I - A) = L U with partial pivoting, L unit lower triangular and U upper triangular, both kept in one dense
 * row-major array. For a productive A, I - A is column diagonally dominant, so pivoting never actually swaps; it is
 * kept so that an imported table that is merely close to the edge still factors stably.
 */
export class LuFactorization {
  private constructor(
    readonly size: number,
    private readonly lu: Float64Array,
    /** position -> original row: row p of P (I - A) is row rowAt[p] of I - A. */
    private readonly rowAt: Int32Array,
    /** original row -> position. */
    private readonly positionOf: Int32Array,
  ) {}

  static of(matrix: CoefficientMatrix): LuFactorization {
    const n = matrix.size;
    const lu = matrix.identityMinus();
    const rowAt = Int32Array.from({ length: n }, (_, i) => i);
    for (let k = 0; k < n; k += 1) {
      let pivotRow = k;
      let largest = Math.abs(lu[k * n + k]);
      for (let i = k + 1; i < n; i += 1) {
        const magnitude = Math.abs(lu[i * n + k]);
        if (magnitude > largest) {
          largest = magnitude;
          pivotRow = i;
        }
      }
      if (largest === 0) throw new RangeError(`I - A is singular (no pivot in column ${k})`);
      if (pivotRow !== k) {
        for (let j = 0; j < n; j += 1) {
          const held = lu[k * n + j];
          lu[k * n + j] = lu[pivotRow * n + j];
          lu[pivotRow * n + j] = held;
        }
        const held = rowAt[k];
        rowAt[k] = rowAt[pivotRow];
        rowAt[pivotRow] = held;
      }
      const pivot = lu[k * n + k];
      const pivotBase = k * n;
      for (let i = k + 1; i < n; i += 1) {
        const base = i * n;
        // Most entries below the pivot are still zero (A is sparse): skipping them is most of the speed.
        if (lu[base + k] === 0) continue;
        const factor = lu[base + k] / pivot;
        lu[base + k] = factor;
        for (let j = k + 1; j < n; j += 1) lu[base + j] -= factor * lu[pivotBase + j];
      }
    }
    const positionOf = new Int32Array(n);
    for (let p = 0; p < n; p += 1) positionOf[rowAt[p]] = p;
    return new LuFactorization(n, lu, rowAt, positionOf);
  }

  /** x with (I - A) x = b. */
  solve(b: ArrayLike<number>): Float64Array {
    const n = this.size;
    const y = new Float64Array(n);
    for (let p = 0; p < n; p += 1) y[p] = b[this.rowAt[p]];
    return this.substitute(y, 0);
  }

  /** x = (I - A)^-1 e_col: column col of the Leontief inverse. */
  solveUnit(col: number): Float64Array {
    const y = new Float64Array(this.size);
    const start = this.positionOf[col];
    y[start] = 1;
    // Forward substitution only has work from the first non-zero of P e_col on.
    return this.substitute(y, start);
  }

  private substitute(y: Float64Array, firstNonZero: number): Float64Array {
    const n = this.size;
    const lu = this.lu;
    for (let i = firstNonZero + 1; i < n; i += 1) {
      const base = i * n;
      let sum = y[i];
      for (let k = firstNonZero; k < i; k += 1) sum -= lu[base + k] * y[k];
      y[i] = sum;
    }
    for (let i = n - 1; i >= 0; i -= 1) {
      const base = i * n;
      let sum = y[i];
      for (let k = i + 1; k < n; k += 1) sum -= lu[base + k] * y[k];
      y[i] = sum / lu[base + i];
    }
    return y;
  }
}
