// Columns of the Leontief inverse of a large model (above DENSE_LU_MAX_SIZE sectors): iterative until the dense LU,
// computed in a worker on first use of the model by this process, is there; two triangular solves per column after.
//
// Measured at 3,510 sectors on 2 CPUs at load 13-16 (docs/io-import.md): GMRES ~1-2 s per column, the LU ~40 s in
// the worker, then ~25-150 ms per column and a few seconds for 100 columns solved together (on two threads). A request asked while the worker runs waits for
// the factors only when their expected arrival (from the worker's progress) comes before the iterative answer would.
import { solveUnitInPlace, solveUnitsInPlace } from './dense-lu.js';
import { factorInWorker, type FactorizationJob } from './factorization-worker.js';
import { PARALLEL_MIN_COLUMNS, solveUnitsOnTwoThreads } from './solve-worker.js';
import { DENSE_LU_MAX_SIZE, KrylovLeontiefSolver, type CoefficientMatrix, type LeontiefSolver } from './leontief.js';

type Factorize = (matrix: CoefficientMatrix) => FactorizationJob;

const inWorker: Factorize = (matrix) => {
  const { colStart, rows, values } = matrix.compressedColumns;
  return factorInWorker(matrix.size, colStart, rows, values);
};

/** Told when a factorization ends: for the server's log. */
export type FactorizationListener = (event: { size: number; ms: number; error?: Error }) => void;
const listeners = new Set<FactorizationListener>();

/** Subscribes to the end of every factorization; returns the unsubscribe. */
export function onFactorization(listener: FactorizationListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export class BackgroundLeontiefSolver implements LeontiefSolver {
  /** Columns solved each way: what tests count, instead of timing. */
  readonly solved = { factorized: 0, iterative: 0 };
  /** Resolves when the factors are in use (or when the factorization failed: then every solve stays iterative). */
  readonly settled: Promise<void>;
  private factors: Float64Array | undefined;
  private iterative: KrylovLeontiefSolver | undefined;
  private readonly job: FactorizationJob;
  /** Milliseconds per column of the last iterative solve: what waiting for the factors is weighed against. */
  private iterativeMsPerColumn: number | undefined;

  constructor(
    private readonly matrix: CoefficientMatrix,
    private readonly blockSize: number,
    factorize: Factorize = inWorker,
  ) {
    const started = performance.now();
    this.job = factorize(matrix);
    this.settled = this.job.result.then(
      (factors) => {
        this.factors = factors;
        // The preconditioner's blocks are no longer needed.
        this.iterative = undefined;
        for (const listener of listeners) listener({ size: matrix.size, ms: performance.now() - started });
      },
      (error: Error) => {
        for (const listener of listeners) listener({ size: matrix.size, ms: performance.now() - started, error });
      },
    );
  }

  /** Whether columns now come from the factors. */
  get factorized(): boolean {
    return this.factors !== undefined;
  }

  /** Bytes the solver holds or will hold (the factors): for the bound of the table cache. */
  get byteSize(): number {
    return this.matrix.size * this.matrix.size * 8;
  }

  solveUnit(col: number): Float64Array {
    return this.solveUnits([col])[0];
  }

  /** Whatever is there now: the factors, or the iterative solver. */
  solveUnits(cols: readonly number[]): Float64Array[] {
    if (this.factors) return this.fromFactors(this.factors, cols);
    const started = performance.now();
    this.iterative ??= new KrylovLeontiefSolver(this.matrix, this.blockSize);
    const solved = this.iterative.solveUnits(cols);
    this.solved.iterative += cols.length;
    this.iterativeMsPerColumn = (performance.now() - started) / Math.max(1, cols.length);
    return solved;
  }

  /**
   * The faster of the two while the worker runs: the factors when the worker's progress says they come before the
   * iterative solve of these columns would finish (by the last iterative solve's speed), the iterative solver
   * otherwise. Before any iterative solve there is no speed to compare with: the first request iterates.
   */
  async solveUnitsAsync(cols: readonly number[]): Promise<Float64Array[]> {
    if (!this.factors && this.iterativeMsPerColumn !== undefined) {
      const { done, startedAt } = this.job.progress();
      if (startedAt !== undefined && done > 0.02) {
        const elapsed = performance.now() - startedAt;
        const remaining = (elapsed * (1 - done)) / done;
        if (remaining < this.iterativeMsPerColumn * cols.length) await this.settled;
      }
    }
    if (this.factors && cols.length >= PARALLEL_MIN_COLUMNS) return this.fromFactorsOnTwoThreads(this.factors, cols);
    return this.solveUnits(cols);
  }

  /** fromFactors with the batch split between this thread and the solve worker. */
  private async fromFactorsOnTwoThreads(factors: Float64Array, cols: readonly number[]): Promise<Float64Array[]> {
    this.solved.factorized += cols.length;
    const distinct = [...new Set(cols)].sort((a, b) => a - b);
    const solved = await solveUnitsOnTwoThreads(factors, this.matrix.size, distinct);
    const byCol = new Map(distinct.map((col, r) => [col, solved[r]]));
    return cols.map((col) => byCol.get(col)!);
  }

  private fromFactors(factors: Float64Array, cols: readonly number[]): Float64Array[] {
    const n = this.matrix.size;
    this.solved.factorized += cols.length;
    if (cols.length === 1) return [solveUnitInPlace(factors, n, cols[0])];
    // Ascending and distinct, as solveUnitsInPlace needs; then back in the order asked.
    const distinct = [...new Set(cols)].sort((a, b) => a - b);
    const packed = solveUnitsInPlace(factors, n, distinct);
    const k = distinct.length;
    const byCol = new Map<number, Float64Array>();
    distinct.forEach((col, r) => {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i += 1) x[i] = packed[i * k + r];
      byCol.set(col, x);
    });
    return cols.map((col) => byCol.get(col)!);
  }
}

const solvers = new WeakMap<CoefficientMatrix, LeontiefSolver>();

/**
 * How columns of the Leontief inverse are solved for this matrix, chosen on first use by size: the dense LU up to
 * DENSE_LU_MAX_SIZE, factored here (well under a second at 600 sectors); above, the same LU computed in a worker
 * thread (30-45 s at 3,510 sectors on 2 CPUs at load 10-15), with the preconditioned GMRES answering until then.
 * blockSize (the sectors per country) shapes GMRES's preconditioner. Here, not on the matrix, so that leontief.ts
 * does not import this file back.
 */
export function leontiefSolverOf(matrix: CoefficientMatrix, blockSize: number): LeontiefSolver {
  let solver = solvers.get(matrix);
  if (!solver) {
    solver = matrix.size <= DENSE_LU_MAX_SIZE ? matrix.leontief() : new BackgroundLeontiefSolver(matrix, blockSize);
    solvers.set(matrix, solver);
  }
  return solver;
}
