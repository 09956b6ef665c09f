// The engine of large models: the blocked LU of I - A (the kernel the worker runs), its triangular solves for one and
// for many columns, and the solver that answers iteratively until the worker's factors are there, then from them.
// Numbers are checked by their residual ||(I - A) x - e_j|| and against the previous engine (LuFactorization, with
// partial pivoting, unblocked) on the 600-sector demo matrix.
import { describe, expect, it } from 'vitest';
import { assess, largestRows } from '../../src/assessments/assessment.js';
import { COUNTRIES, SECTORS } from '../../src/assessments/catalog.js';
import { factorInPlace, identityMinusDense, PANEL, solveUnitInPlace, solveUnitsInPlace, TILE } from '../../src/assessments/dense-lu.js';
import { workerFactorizations } from '../../src/assessments/factorization-worker.js';
import { BackgroundLeontiefSolver } from '../../src/assessments/factorized-solver.js';
import { LeontiefColumnBatcher } from '../../src/assessments/column-batch.js';
import { parallelSolves } from '../../src/assessments/solve-worker.js';
import { CoefficientMatrix } from '../../src/assessments/leontief.js';
import { DEMO_MODELS, generateCoefficients } from '../../src/assessments/seed.js';
import type { IoTable } from '../../src/assessments/types.js';
import { icioLike } from '../helpers/io-matrix.js';
import { Random } from '../../src/db/random.js';

/** ||(I - A) x - e_col|| (||e_col|| = 1, so this is the relative residual). */
function residual(matrix: CoefficientMatrix, x: Float64Array, col: number): number {
  const ax = matrix.multiply(x);
  let sum = 0;
  for (let i = 0; i < x.length; i += 1) {
    const r = x[i] - ax[i] - (i === col ? 1 : 0);
    sum += r * r;
  }
  return Math.sqrt(sum);
}

function factors(matrix: CoefficientMatrix, panel = PANEL, tile = TILE): Float64Array {
  const { colStart, rows, values } = matrix.compressedColumns;
  const lu = identityMinusDense(matrix.size, colStart, rows, values);
  expect(factorInPlace(lu, matrix.size, panel, tile)).toBe(-1);
  return lu;
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Column r of k interleaved solutions. */
function column(packed: Float64Array, k: number, r: number): Float64Array {
  return Float64Array.from({ length: packed.length / k }, (_, i) => packed[i * k + r]);
}


describe('the blocked LU on the seeded 600-sector demo matrix', () => {
  const generated = generateCoefficients(30, 20, new Random(20_261_121), DEMO_MODELS[0]);
  const matrix = CoefficientMatrix.fromCoordinates(600, generated.rows, generated.cols, generated.values);
  const previous = matrix.leontief();
  const sampleCols = [0, 1, 63, 64, 65, 299, 598, 599];

  it('solves (I - A) x = e_j to a residual below 1e-9, with the previous engine’s numbers (1e-12)', () => {
    // Panels and tiles that do not divide 600 as well as the defaults: the remainders are exercised.
    for (const lu of [factors(matrix), factors(matrix, 7, 13)]) {
      for (const col of sampleCols) {
        const x = solveUnitInPlace(lu, 600, col);
        expect(residual(matrix, x, col)).toBeLessThanOrEqual(1e-9);
        expect(maxDifference(x, previous.solveUnit(col))).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('solves many columns at once with the numbers of one at a time', () => {
    const lu = factors(matrix);
    const packed = solveUnitsInPlace(lu, 600, sampleCols);
    sampleCols.forEach((col, r) => {
      const x = column(packed, sampleCols.length, r);
      expect(residual(matrix, x, col)).toBeLessThanOrEqual(1e-9);
      expect(maxDifference(x, solveUnitInPlace(lu, 600, col))).toBeLessThanOrEqual(1e-13);
    });
  });

  it('solves many columns at once on an odd size too (the rows are taken in pairs)', () => {
    const odd = icioLike(3, 7, 2);
    const lu = factors(odd, 4, 5);
    for (const cols of [[0], [0, 20], [1, 2, 3, 19], [20]]) {
      const packed = solveUnitsInPlace(lu, 21, cols);
      cols.forEach((col, r) => expect(residual(odd, column(packed, cols.length, r), col)).toBeLessThanOrEqual(1e-12));
    }
  });

  it('gives the assessments of the previous engine', () => {
    const io: IoTable = {
      model: 'OECD_ICIO',
      countries: COUNTRIES.slice(0, 30).map((c) => c.code),
      sectorCodes: SECTORS.slice(0, 20).map((s) => s.code),
      matrix,
    };
    const lu = factors(matrix);
    for (const col of sampleCols) {
      const before = assess(io, col);
      const after = assess(io, col, solveUnitInPlace(lu, 600, col));
      expect(after.outputMultiplier).toBeCloseTo(before.outputMultiplier, 12);
      expect(after.foreignShare).toBeCloseTo(before.foreignShare, 12);
      expect(after.supplierCountryHhi).toBeCloseTo(before.supplierCountryHhi, 8);
      expect(after.riskScore).toBe(before.riskScore);
      expect(after.suppliers.map((s) => `${s.country}_${s.sector}`)).toEqual(before.suppliers.map((s) => `${s.country}_${s.sector}`));
    }
  });

  it('reports the first pivot that is not positive (a table that is not productive) instead of dividing by it', () => {
    // A = [[0.1, 1], [0, 1.2]]: column 1 sums to 2.2, and I - A = [[0.9, -1], [0, -0.2]] has the pivot -0.2 there.
    const lu = identityMinusDense(2, Int32Array.from([0, 1, 3]), Int32Array.from([0, 0, 1]), Float64Array.from([0.1, 1, 1.2]));
    expect(factorInPlace(lu, 2, PANEL, TILE)).toBe(1);
  });
});

describe('the solver of a large model: iterative until the worker’s LU is there', () => {
  const sectors = 10;
  const matrix = icioLike(30, sectors, 5);
  const n = matrix.size;

  it('answers the first column iteratively, factors once in a worker, and serves the next sectors from the factors', async () => {
    const before = { ...workerFactorizations };
    const solver = new BackgroundLeontiefSolver(matrix, sectors);
    const [first] = await solver.solveUnitsAsync([5]);
    expect(solver.solved).toEqual({ factorized: 0, iterative: 1 });
    expect(residual(matrix, first, 5)).toBeLessThanOrEqual(1e-9);

    await solver.settled;
    expect(solver.factorized).toBe(true);
    // Unsorted, with a repeat: answered in the order asked.
    const cols = [n - 1, 6, 6, 0];
    const next = await solver.solveUnitsAsync(cols);
    const [single] = await solver.solveUnitsAsync([77]);
    expect(solver.solved).toEqual({ factorized: cols.length + 1, iterative: 1 });
    expect(workerFactorizations.started - before.started).toBe(1);
    expect(workerFactorizations.finished - before.finished).toBe(1);
    cols.forEach((col, r) => expect(residual(matrix, next[r], col)).toBeLessThanOrEqual(1e-9));
    expect(residual(matrix, single, 77)).toBeLessThanOrEqual(1e-9);
    // The same numbers as the iterative solve of the first column, to the iteration's tolerance.
    expect(maxDifference((await solver.solveUnitsAsync([5]))[0], first)).toBeLessThanOrEqual(1e-10);
  });

  it('splits a large batch between this thread and the solve worker, over the same shared factors', async () => {
    const solver = new BackgroundLeontiefSolver(matrix, sectors);
    await solver.settled;
    const before = parallelSolves.batches;
    const cols = [299, 0, 10, 11, 57, 58, 100, 150, 151, 200, 10];
    const together = await solver.solveUnitsAsync(cols);
    expect(parallelSolves.batches - before).toBe(1);
    const oneThread = solver.solveUnits(cols);
    cols.forEach((col, r) => {
      expect(residual(matrix, together[r], col)).toBeLessThanOrEqual(1e-9);
      // Not bit for bit: each half groups its rows by four from its own first column.
      expect(maxDifference(together[r], oneThread[r])).toBeLessThanOrEqual(1e-14);
    });
  });

  it('stays iterative, with the same numbers, when the factorization fails', async () => {
    const solver = new BackgroundLeontiefSolver(matrix, sectors, () => ({
      result: Promise.reject(new Error('the worker died')),
      progress: () => ({ done: 0, startedAt: undefined }),
    }));
    await solver.settled;
    expect(solver.factorized).toBe(false);
    const [x] = await solver.solveUnitsAsync([9]);
    expect(solver.solved).toEqual({ factorized: 0, iterative: 1 });
    expect(residual(matrix, x, 9)).toBeLessThanOrEqual(1e-9);
  });

  it('waits for the factors instead of iterating when the worker says they come sooner', async () => {
    let release: (lu: Float64Array) => void = () => undefined;
    const result = new Promise<Float64Array>((resolve) => (release = resolve));
    let done = 0;
    const solver = new BackgroundLeontiefSolver(matrix, sectors, () => ({ result, progress: () => ({ done, startedAt: performance.now() - 1 }) }));
    await solver.solveUnitsAsync([1]); // iterative: gives the solver its speed
    done = 0.999_999; // all but finished: expected within a microsecond
    const waiting = solver.solveUnitsAsync([2, 3]);
    release(factors(matrix));
    const [x2, x3] = await waiting;
    expect(solver.solved).toEqual({ factorized: 2, iterative: 1 });
    expect(residual(matrix, x2, 2)).toBeLessThanOrEqual(1e-9);
    expect(residual(matrix, x3, 3)).toBeLessThanOrEqual(1e-9);
  });
});

describe('the columns of one request, solved together', () => {
  const sectors = 10;
  const matrix = icioLike(4, sectors, 9);
  const table: IoTable = {
    model: 'GEN',
    countries: ['A', 'B', 'C', 'D'],
    sectorCodes: Array.from({ length: sectors }, (_, s) => `S${s}`),
    matrix,
  };
  const lu = matrix.leontief();

  it('solves a group in one batch although its pairs ask at different times, and waits for the pairs that hit', async () => {
    const batcher = new LeontiefColumnBatcher();
    const [a, b, hit, c] = batcher.group(4);
    const first = batcher.load(table, 3);
    a.settle();
    await new Promise((resolve) => setTimeout(resolve, 5)); // the next pair's cache lookup takes a while
    const second = batcher.load(table, 17);
    b.settle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(batcher.batches).toBe(0); // two pairs have not looked yet
    hit.settle(); // served from the cache: asks for nothing
    const again = batcher.load(table, 3); // the same column twice: solved once
    c.settle();
    const [x3, x17, x3again] = await Promise.all([first, second, again]);
    expect(batcher.batches).toBe(1);
    expect(x3again).toBe(x3);
    expect(maxDifference(x3, lu.solveUnit(3))).toBe(0);
    expect(maxDifference(x17, lu.solveUnit(17))).toBe(0);
  });

  it('solves a column asked outside a group after the tick, and a group stuck on a pair after a short wait', async () => {
    const batcher = new LeontiefColumnBatcher();
    expect(residual(matrix, await batcher.load(table, 5), 5)).toBeLessThanOrEqual(1e-9);
    const [asks] = batcher.group(2); // the second pair never settles (it waits on another request)
    const x = batcher.load(table, 6);
    asks.settle();
    expect(residual(matrix, await x, 6)).toBeLessThanOrEqual(1e-9);
    expect(batcher.batches).toBe(2);
  });
});

describe('the largest suppliers', () => {
  it('are the first rows of sorting every positive row by requirement (ties by row), without sorting them all', () => {
    const random = new Random(4);
    for (const size of [5, 100, 101, 3_510]) {
      // Repeated values, so that ties at the cut are exercised; zeros, which are never suppliers.
      const u = Float64Array.from({ length: size }, () => (random.next() < 0.2 ? 0 : Math.round(random.next() * 50) / 50));
      const expected = Array.from({ length: size }, (_, i) => i)
        .filter((i) => u[i] > 0)
        .sort((a, b) => u[b] - u[a] || a - b)
        .slice(0, 100);
      expect(largestRows(u, 100)).toEqual(expected);
    }
  });
});
