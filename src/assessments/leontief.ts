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
  private secondSums: Float64Array | undefined;

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

  /**
   * From CSC arrays as stored (one column after the other, rows ascending within a column, no zeros): no copy. A
   * row out of range, rows out of order or a value that is not finite and non-zero is corrupt input and throws.
   */
  static fromColumns(size: number, colStart: Int32Array, rows: Int32Array, values: Float64Array): CoefficientMatrix {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`matrix size must be a positive integer, got ${size}`);
    if (colStart.length !== size + 1 || colStart[0] !== 0 || colStart[size] !== rows.length || rows.length !== values.length) {
      throw new RangeError('column pointers do not match the entries');
    }
    for (let j = 0; j < size; j += 1) {
      if (colStart[j + 1] < colStart[j]) throw new RangeError(`column ${j} has a negative length`);
      for (let p = colStart[j]; p < colStart[j + 1]; p += 1) {
        const row = rows[p];
        if (!(row >= 0 && row < size) || (p > colStart[j] && row <= rows[p - 1])) {
          throw new RangeError(`column ${j}: row ${row} is outside the matrix or out of order`);
        }
        if (!Number.isFinite(values[p]) || values[p] === 0) throw new RangeError(`coefficient (${row}, ${j}) is ${values[p]}`);
      }
    }
    return new CoefficientMatrix(size, colStart, rows, values);
  }

  /** The stored entries of column col, as views (no copy): rows ascending, values non-zero. */
  columnEntries(col: number): { rows: Int32Array; values: Float64Array } {
    const start = this.colStart[col];
    const end = this.colStart[col + 1];
    return { rows: this.rows.subarray(start, end), values: this.values.subarray(start, end) };
  }

  /** The CSC arrays themselves (no copy; not to be modified): for building the dense I - A elsewhere. */
  get compressedColumns(): { colStart: Int32Array; rows: Int32Array; values: Float64Array } {
    return { colStart: this.colStart, rows: this.rows, values: this.values };
  }

  /** Bytes held by the matrix's arrays (for the bound of the table cache). */
  get byteSize(): number {
    return this.colStart.byteLength + this.rows.byteLength + this.values.byteLength + this.columnSums.byteLength;
  }

  /**
   * s^T = 1^T A^2 (s_j = sum_i columnSums[i] * A[i][j]): the total of A^2 e_j for every j at once, so that the
   * second tier of an assessment costs one column instead of a product with the whole matrix.
   */
  secondOrderColumnSums(): Float64Array {
    if (!this.secondSums) {
      const sums = new Float64Array(this.size);
      for (let j = 0; j < this.size; j += 1) sums[j] = this.dotColumn(this.columnSums, j);
      this.secondSums = sums;
    }
    return this.secondSums;
  }

  /** sum_i v[i] * A[i][col]. */
  dotColumn(v: ArrayLike<number>, col: number): number {
    let sum = 0;
    for (let p = this.colStart[col]; p < this.colStart[col + 1]; p += 1) sum += v[this.rows[p]] * this.values[p];
    return sum;
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
   * A V for k vectors at once, stored interleaved (V[i * k + r] is row i of vector r, and so is the result): one pass
   * over A serves all k, with the inner loop over the vectors contiguous.
   */
  multiplyMany(v: Float64Array, k: number): Float64Array {
    const out = new Float64Array(this.size * k);
    for (let j = 0; j < this.size; j += 1) {
      const from = j * k;
      for (let p = this.colStart[j]; p < this.colStart[j + 1]; p += 1) {
        const to = this.rows[p] * k;
        const a = this.values[p];
        for (let r = 0; r < k; r += 1) out[to + r] += a * v[from + r];
      }
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
    let count = 0;
    queue[tail++] = col;
    // Once every row is reached there is nothing left to find: on a dense table that is after a few columns, not
    // after a walk over every non-zero.
    while (head < tail && count < this.size) {
      const j = queue[head++];
      for (let p = this.colStart[j]; p < this.colStart[j + 1]; p += 1) {
        const row = this.rows[p];
        if (reached[row]) continue;
        reached[row] = 1;
        count += 1;
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

/** Solves (I - A) x = e_col, x = column col of the Leontief inverse. */
export interface LeontiefSolver {
  solveUnit(col: number): Float64Array;
  /** solveUnit for several columns: the iterative solver shares each pass over A between them. */
  solveUnits(cols: readonly number[]): Float64Array[];
  /** solveUnits when the solver may do better by waiting (for factors being computed elsewhere). */
  solveUnitsAsync?(cols: readonly number[]): Promise<Float64Array[]>;
}

/** Up to this size, columns of the Leontief inverse come from a dense LU (see leontiefSolverOf in factorized-solver.ts). */
export const DENSE_LU_MAX_SIZE = 1_500;

/** ||(I - A) x - e_col||_2 that the iterative solver reaches (||e_col|| = 1); tests check 1e-9. */
export const SOLVE_TOLERANCE = 1e-12;

/**
 * GMRES, right-preconditioned by the block diagonal of I - A (one dense block per country, sectors x sectors, LU
 * factored once): (I - A) M^-1 y = e_col, x = M^-1 y. The blocks hold the domestic part of every supply chain, so
 * what is left to iterate on is the trade between countries. For a productive A, I - A is a non-singular M-matrix
 * and M^-1 (I - A) = I - M^-1 O with rho(M^-1 O) <= rho(A) < 1 (a regular splitting, Varga), so GMRES converges and
 * restarts (after RESTART steps, from the true residual) only make it slower, never stall it. Each step costs one
 * product with the sparse A plus the block solves and the orthogonalization (O(steps * n)).
 */
export class KrylovLeontiefSolver implements LeontiefSolver {
  private static readonly RESTART = 40;
  private static readonly MAX_PRODUCTS = 2_000;
  private readonly blocks: Float64Array[] = [];

  constructor(
    private readonly matrix: CoefficientMatrix,
    private readonly blockSize: number,
  ) {
    const n = matrix.size;
    if (!(Number.isInteger(blockSize) && blockSize >= 1 && n % blockSize === 0)) {
      throw new RangeError(`block size ${blockSize} does not divide the matrix size ${n}`);
    }
    const b = blockSize;
    for (let start = 0; start < n; start += b) {
      const block = new Float64Array(b * b);
      for (let i = 0; i < b; i += 1) block[i * b + i] = 1;
      for (let j = 0; j < b; j += 1) {
        matrix.forEachInColumn(start + j, (row, value) => {
          if (row >= start && row < start + b) block[(row - start) * b + j] -= value;
        });
      }
      // No pivoting: a diagonal block of I - A is itself a column diagonally dominant M-matrix (A >= 0, sums < 1).
      for (let k = 0; k < b; k += 1) {
        const pivot = block[k * b + k];
        for (let i = k + 1; i < b; i += 1) {
          if (block[i * b + k] === 0) continue;
          const factor = block[i * b + k] / pivot;
          block[i * b + k] = factor;
          for (let j = k + 1; j < b; j += 1) block[i * b + j] -= factor * block[k * b + j];
        }
      }
      this.blocks.push(block);
    }
  }

  /** z = M^-1 r, block by block (in place allowed: z may be r). */
  private precondition(r: Float64Array, z: Float64Array): Float64Array {
    const b = this.blockSize;
    for (let c = 0; c < this.blocks.length; c += 1) {
      const block = this.blocks[c];
      const o = c * b;
      for (let i = 0; i < b; i += 1) {
        let sum = r[o + i];
        for (let k = 0; k < i; k += 1) sum -= block[i * b + k] * z[o + k];
        z[o + i] = sum;
      }
      for (let i = b - 1; i >= 0; i -= 1) {
        let sum = z[o + i];
        for (let k = i + 1; k < b; k += 1) sum -= block[i * b + k] * z[o + k];
        z[o + i] = sum / block[i * b + i];
      }
    }
    return z;
  }

  /** (I - A) v. */
  private apply(v: Float64Array): Float64Array {
    const out = this.matrix.multiply(v);
    for (let i = 0; i < out.length; i += 1) out[i] = v[i] - out[i];
    return out;
  }

  solveUnit(col: number): Float64Array {
    const n = this.matrix.size;
    const x = new Float64Array(n);
    let products = 0;
    for (let restart = 0; ; restart += 1) {
      // The true residual e_col - (I - A) x at every (re)start: round-off in the recurrences cannot fake convergence.
      const r = new Float64Array(n);
      if (restart > 0) {
        const ax = this.apply(x);
        products += 1;
        for (let i = 0; i < n; i += 1) r[i] = -ax[i];
      }
      r[col] += 1;
      const beta = norm(r);
      if (beta <= SOLVE_TOLERANCE) return x;
      if (products >= KrylovLeontiefSolver.MAX_PRODUCTS) {
        throw new RangeError(`GMRES did not reach ${SOLVE_TOLERANCE} on column ${col} (residual ${beta})`);
      }
      const cycle = new GmresCycle(r, beta, KrylovLeontiefSolver.RESTART);
      while (!cycle.done) {
        cycle.absorb(this.apply(this.precondition(cycle.direction(), new Float64Array(n))));
        products += 1;
      }
      const update = this.precondition(cycle.combination(), new Float64Array(n));
      for (let q = 0; q < n; q += 1) x[q] += update[q];
    }
  }

  /**
   * One GMRES cycle per column, in lockstep: each step multiplies A with the k directions at once (multiplyMany), so
   * a batch of k columns costs about as many passes over A as one column. A column whose true residual is then still
   * above the tolerance (a cycle ran out of steps) is finished by solveUnit from where it stands.
   */
  solveUnits(cols: readonly number[]): Float64Array[] {
    const k = cols.length;
    if (k <= 1) return cols.map((col) => this.solveUnit(col));
    const n = this.matrix.size;
    const cycles = cols.map((col) => {
      const e = new Float64Array(n);
      e[col] = 1;
      return new GmresCycle(e, 1, KrylovLeontiefSolver.RESTART);
    });
    const directions = new Float64Array(n * k);
    const z = new Float64Array(n);
    while (cycles.some((cycle) => !cycle.done)) {
      directions.fill(0);
      cycles.forEach((cycle, r) => {
        if (cycle.done) return;
        this.precondition(cycle.direction(), z);
        for (let i = 0; i < n; i += 1) directions[i * k + r] = z[i];
      });
      const product = this.matrix.multiplyMany(directions, k);
      cycles.forEach((cycle, r) => {
        if (cycle.done) return;
        const w = new Float64Array(n);
        for (let i = 0; i < n; i += 1) w[i] = directions[i * k + r] - product[i * k + r];
        cycle.absorb(w);
      });
    }
    const solutions = cycles.map((cycle) => this.precondition(cycle.combination(), new Float64Array(n)));
    // The true residuals, in one more pass.
    const packed = new Float64Array(n * k);
    solutions.forEach((x, r) => {
      for (let i = 0; i < n; i += 1) packed[i * k + r] = x[i];
    });
    const ax = this.matrix.multiplyMany(packed, k);
    return solutions.map((x, r) => {
      let sum = 0;
      for (let i = 0; i < n; i += 1) {
        const residual = (i === cols[r] ? 1 : 0) - (x[i] - ax[i * k + r]);
        sum += residual * residual;
      }
      return Math.sqrt(sum) <= SOLVE_TOLERANCE ? x : this.solveUnit(cols[r]);
    });
  }
}

/**
 * One cycle of GMRES on (I - A) M^-1 from a residual r0: the Arnoldi basis (modified Gram-Schmidt), the Hessenberg
 * columns reduced by Givens rotations as they come, and the least-squares residual estimate |g[steps]|.
 */
class GmresCycle {
  private readonly basis: Float64Array[];
  private readonly hessenberg: Float64Array[] = [];
  private readonly cosines: Float64Array;
  private readonly sines: Float64Array;
  private readonly g: Float64Array;
  private steps = 0;
  done = false;

  constructor(
    r0: Float64Array,
    beta: number,
    private readonly maxSteps: number,
  ) {
    this.basis = [scale(r0, 1 / beta)];
    this.cosines = new Float64Array(maxSteps);
    this.sines = new Float64Array(maxSteps);
    this.g = new Float64Array(maxSteps + 1);
    this.g[0] = beta;
  }

  /** The vector to multiply next: (I - A) M^-1 of it goes to absorb. */
  direction(): Float64Array {
    return this.basis[this.steps];
  }

  absorb(w: Float64Array): void {
    const k = this.steps;
    const n = w.length;
    const h = new Float64Array(k + 2);
    for (let i = 0; i <= k; i += 1) {
      const v = this.basis[i];
      let dot = 0;
      for (let q = 0; q < n; q += 1) dot += w[q] * v[q];
      h[i] = dot;
      for (let q = 0; q < n; q += 1) w[q] -= dot * v[q];
    }
    const wNorm = norm(w);
    h[k + 1] = wNorm;
    for (let i = 0; i < k; i += 1) {
      const rotated = this.cosines[i] * h[i] + this.sines[i] * h[i + 1];
      h[i + 1] = -this.sines[i] * h[i] + this.cosines[i] * h[i + 1];
      h[i] = rotated;
    }
    const radius = Math.hypot(h[k], h[k + 1]);
    this.cosines[k] = h[k] / radius;
    this.sines[k] = h[k + 1] / radius;
    h[k] = radius;
    h[k + 1] = 0;
    this.g[k + 1] = -this.sines[k] * this.g[k];
    this.g[k] = this.cosines[k] * this.g[k];
    this.hessenberg.push(h);
    this.steps += 1;
    // The estimate goes a little below the tolerance, so that the true residual checked afterwards passes.
    if (Math.abs(this.g[k + 1]) <= SOLVE_TOLERANCE / 10 || wNorm === 0 || this.steps === this.maxSteps) this.done = true;
    else this.basis.push(scale(w, 1 / wNorm));
  }

  /** V y, with y solving the reduced least-squares problem: the update is M^-1 of it. */
  combination(): Float64Array {
    const steps = this.steps;
    const y = new Float64Array(steps);
    for (let i = steps - 1; i >= 0; i -= 1) {
      let sum = this.g[i];
      for (let k = i + 1; k < steps; k += 1) sum -= this.hessenberg[k][i] * y[k];
      y[i] = sum / this.hessenberg[i][i];
    }
    const n = this.basis[0].length;
    const out = new Float64Array(n);
    for (let k = 0; k < steps; k += 1) {
      const v = this.basis[k];
      const yk = y[k];
      for (let q = 0; q < n; q += 1) out[q] += yk * v[q];
    }
    return out;
  }
}

function norm(v: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i += 1) sum += v[i] * v[i];
  return Math.sqrt(sum);
}

function scale(v: Float64Array, factor: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i += 1) out[i] = v[i] * factor;
  return out;
}

/**
 * P (I - A) = L U with partial pivoting, L unit lower triangular and U upper triangular, both kept in one dense
 * row-major array. For a productive A, I - A is column diagonally dominant, so pivoting never actually swaps; it is
 * kept so that an imported table that is merely close to the edge still factors stably.
 */
export class LuFactorization implements LeontiefSolver {
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

  solveUnits(cols: readonly number[]): Float64Array[] {
    return cols.map((col) => this.solveUnit(col));
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
