// The dense LU of I - A at full size (3,500 sectors: n^3 / 3 = 14 G multiply-adds), written for V8: blocked, so that
// each pass over the 98 MB trailing matrix does 64 rank-1 updates instead of one, and unrolled by four, so that each
// load and store of a trailing entry carries four multiply-adds. No pivoting: for A >= 0 with every column sum below
// 1 (what import and updateCoefficients enforce), I - A is column diagonally dominant, partial pivoting would never
// swap a row, and elimination without it is backward stable (Wilkinson); a pivot that is not positive is reported.
//
// factorInPlace and solveUnitsInPlace are self-contained (no imports, no closures, no nested functions) because the
// factorization worker is built from their source text (see factorization-worker.ts): it then runs the same code in
// whatever environment the server runs in (tsx, vitest, plain node), with no second build of a worker file.

/** Columns per panel of the blocked factorization. Measured at n = 3,510 (see docs/io-import.md). */
export const PANEL = 64;
/** Columns of the trailing matrix updated per tile: PANEL x TILE doubles of U (128 KB) stay in L2. */
export const TILE = 256;

/**
 * I - A, dense row-major, from the CSC arrays of A: the input of factorInPlace. (I - A)[i][j] is at i * n + j.
 * `dense`, when given, must be n * n zeros (the worker passes one over shared memory).
 */
export function identityMinusDense(
  n: number,
  colStart: Int32Array,
  rows: Int32Array,
  values: Float64Array,
  dense: Float64Array = new Float64Array(n * n),
): Float64Array {
  for (let i = 0; i < n; i += 1) dense[i * n + i] = 1;
  for (let j = 0; j < n; j += 1) {
    for (let p = colStart[j]; p < colStart[j + 1]; p += 1) dense[rows[p] * n + j] -= values[p];
  }
  return dense;
}

/**
 * a (n x n, row-major) = L U in place: L unit lower (below the diagonal), U upper (on and above). Returns -1, or the
 * first column whose pivot was not positive (the matrix is not an M-matrix; a is then garbage). onPanel(k) is told
 * after each panel that columns 0 .. k - 1 are done.
 */
export function factorInPlace(a: Float64Array, n: number, panel: number, tile: number, onPanel?: (k: number) => void): number {
  for (let k0 = 0; k0 < n; k0 += panel) {
    const k1 = Math.min(k0 + panel, n);
    // 1. The panel: columns k0 .. k1 - 1, every row below the diagonal (unblocked, right-looking inside the panel).
    for (let k = k0; k < k1; k += 1) {
      const pivot = a[k * n + k];
      if (!(pivot > 0)) return k;
      const kRow = k * n;
      for (let i = k + 1; i < n; i += 1) {
        const iRow = i * n;
        const factor = a[iRow + k] / pivot;
        a[iRow + k] = factor;
        if (factor === 0) continue;
        for (let j = k + 1; j < k1; j += 1) a[iRow + j] -= factor * a[kRow + j];
      }
    }
    if (k1 === n) break;
    if (onPanel) onPanel(k1);
    // 2. U12 = L11^-1 A12: the panel's rows right of the panel.
    for (let k = k0; k < k1; k += 1) {
      const kRow = k * n;
      for (let i = k + 1; i < k1; i += 1) {
        const iRow = i * n;
        const factor = a[iRow + k];
        if (factor === 0) continue;
        for (let j = k1; j < n; j += 1) a[iRow + j] -= factor * a[kRow + j];
      }
    }
    // 3. A22 -= L21 U12, tile by tile of columns; four rows of U12 per sweep of a row of A22.
    for (let j0 = k1; j0 < n; j0 += tile) {
      const j1 = Math.min(j0 + tile, n);
      for (let i = k1; i < n; i += 1) {
        const iRow = i * n;
        let p = k0;
        for (; p + 3 < k1; p += 4) {
          const f0 = a[iRow + p];
          const f1 = a[iRow + p + 1];
          const f2 = a[iRow + p + 2];
          const f3 = a[iRow + p + 3];
          const r0 = p * n;
          const r1 = r0 + n;
          const r2 = r1 + n;
          const r3 = r2 + n;
          for (let j = j0; j < j1; j += 1) {
            a[iRow + j] -= f0 * a[r0 + j] + f1 * a[r1 + j] + f2 * a[r2 + j] + f3 * a[r3 + j];
          }
        }
        for (; p < k1; p += 1) {
          const f = a[iRow + p];
          const r = p * n;
          for (let j = j0; j < j1; j += 1) a[iRow + j] -= f * a[r + j];
        }
      }
    }
  }
  return -1;
}

/** x = (I - A)^-1 e_col from the factors: two triangular solves in dot-product form (rows of L and U are contiguous). */
export function solveUnitInPlace(lu: Float64Array, n: number, col: number): Float64Array {
  const x = new Float64Array(n);
  x[col] = 1;
  // Forward: y = L^-1 e_col is zero above col.
  for (let i = col + 1; i < n; i += 1) {
    const iRow = i * n;
    let sum = 0;
    for (let q = col; q < i; q += 1) sum += lu[iRow + q] * x[q];
    x[i] = -sum;
  }
  for (let i = n - 1; i >= 0; i -= 1) {
    const iRow = i * n;
    let sum = x[i];
    for (let q = i + 1; q < n; q += 1) sum -= lu[iRow + q] * x[q];
    x[i] = sum / lu[iRow + i];
  }
  return x;
}

/**
 * Columns cols (ascending, distinct) of (I - A)^-1 from the factors, all at once, stored interleaved (x[i * k + r]
 * is row i of column r): each entry of L and U is loaded once for the whole batch and carries k multiply-adds. Two
 * rows of x are updated together from four rows of it at a time, so each value loaded serves two rows (measured
 * ~1.5x the one-row form; blocking by 32 rows was 2x slower). In the forward pass, right-hand side r is zero above
 * cols[r]: row q only updates the columns that have started (cols[r] <= q, a prefix since cols ascend).
 */
export function solveUnitsInPlace(lu: Float64Array, n: number, cols: ArrayLike<number>): Float64Array {
  const k = cols.length;
  const x = new Float64Array(n * k);
  if (k === 0) return x;
  for (let r = 0; r < k; r += 1) x[cols[r] * k + r] = 1;
  // started[q]: how many right-hand sides are non-zero from row q on.
  const started = new Int32Array(n);
  for (let q = 0, r = 0; q < n; q += 1) {
    while (r < k && cols[r] <= q) r += 1;
    started[q] = r;
  }
  const first = cols[0];
  // Forward, x = L^-1 x (L unit lower): rows i and j = i + 1 from the rows before i, then j from i.
  let i = first + 1;
  for (; i + 1 < n; i += 2) {
    const iRow = i * n;
    const jRow = iRow + n;
    const xi = i * k;
    const xj = xi + k;
    let q = first;
    for (; q + 3 < i; q += 4) {
      const a0 = lu[iRow + q];
      const a1 = lu[iRow + q + 1];
      const a2 = lu[iRow + q + 2];
      const a3 = lu[iRow + q + 3];
      const b0 = lu[jRow + q];
      const b1 = lu[jRow + q + 1];
      const b2 = lu[jRow + q + 2];
      const b3 = lu[jRow + q + 3];
      const x0 = q * k;
      const x1 = x0 + k;
      const x2 = x1 + k;
      const x3 = x2 + k;
      const active = started[q + 3];
      for (let r = 0; r < active; r += 1) {
        const v0 = x[x0 + r];
        const v1 = x[x1 + r];
        const v2 = x[x2 + r];
        const v3 = x[x3 + r];
        x[xi + r] -= a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3;
        x[xj + r] -= b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3;
      }
    }
    for (; q < i; q += 1) {
      const a = lu[iRow + q];
      const b = lu[jRow + q];
      const xq = q * k;
      const active = started[q];
      for (let r = 0; r < active; r += 1) {
        const v = x[xq + r];
        x[xi + r] -= a * v;
        x[xj + r] -= b * v;
      }
    }
    const b = lu[jRow + i];
    const active = started[i];
    for (let r = 0; r < active; r += 1) x[xj + r] -= b * x[xi + r];
  }
  for (; i < n; i += 1) {
    const iRow = i * n;
    const xi = i * k;
    for (let q = first; q < i; q += 1) {
      const a = lu[iRow + q];
      const xq = q * k;
      const active = started[q];
      for (let r = 0; r < active; r += 1) x[xi + r] -= a * x[xq + r];
    }
  }
  // Backward, x = U^-1 x: rows i and h = i - 1 from the rows after i; i is then final, and h takes it.
  i = n - 1;
  for (; i >= 1; i -= 2) {
    const h = i - 1;
    const iRow = i * n;
    const hRow = h * n;
    const xi = i * k;
    const xh = h * k;
    let q = i + 1;
    for (; q + 3 < n; q += 4) {
      const a0 = lu[iRow + q];
      const a1 = lu[iRow + q + 1];
      const a2 = lu[iRow + q + 2];
      const a3 = lu[iRow + q + 3];
      const b0 = lu[hRow + q];
      const b1 = lu[hRow + q + 1];
      const b2 = lu[hRow + q + 2];
      const b3 = lu[hRow + q + 3];
      const x0 = q * k;
      const x1 = x0 + k;
      const x2 = x1 + k;
      const x3 = x2 + k;
      for (let r = 0; r < k; r += 1) {
        const v0 = x[x0 + r];
        const v1 = x[x1 + r];
        const v2 = x[x2 + r];
        const v3 = x[x3 + r];
        x[xi + r] -= a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3;
        x[xh + r] -= b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3;
      }
    }
    for (; q < n; q += 1) {
      const a = lu[iRow + q];
      const b = lu[hRow + q];
      const xq = q * k;
      for (let r = 0; r < k; r += 1) {
        const v = x[xq + r];
        x[xi + r] -= a * v;
        x[xh + r] -= b * v;
      }
    }
    const pivotI = lu[iRow + i];
    const u = lu[hRow + i];
    const pivotH = lu[hRow + h];
    for (let r = 0; r < k; r += 1) {
      const v = x[xi + r] / pivotI;
      x[xi + r] = v;
      x[xh + r] = (x[xh + r] - u * v) / pivotH;
    }
  }
  if (i === 0) {
    for (let q = 1; q < n; q += 1) {
      const a = lu[q];
      const xq = q * k;
      for (let r = 0; r < k; r += 1) x[r] -= a * x[xq + r];
    }
    for (let r = 0; r < k; r += 1) x[r] /= lu[0];
  }
  return x;
}
