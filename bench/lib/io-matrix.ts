// A coefficient matrix shaped like the generated OECD table of bench:io (countries x industries; domestic blocks
// dense with column sums ~0.3, foreign cells 45% non-zero with sums ~0.2), built in memory: for measuring the engine
// without writing and parsing 70 MB of CSV.
import { CoefficientMatrix } from '../../src/assessments/leontief.js';
import { Random } from '../../src/db/random.js';

export function generatedIoMatrix(countries: number, industries: number, seed = 3, foreignDensity = 0.45): CoefficientMatrix {
  const n = countries * industries;
  const random = new Random(seed);
  const domesticScale = (2 * 0.3) / industries;
  const foreignScale = (2 * 0.2) / Math.max(1, (n - industries) * foreignDensity);
  const colStart = new Int32Array(n + 1);
  const rows: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < n; j += 1) {
    const home = Math.floor(j / industries);
    for (let i = 0; i < n; i += 1) {
      const domestic = Math.floor(i / industries) === home;
      if (!domestic && random.next() >= foreignDensity) continue;
      const value = random.next() * (domestic ? domesticScale : foreignScale);
      if (value === 0) continue;
      rows.push(i);
      values.push(value);
    }
    colStart[j + 1] = rows.length;
  }
  return CoefficientMatrix.fromColumns(n, colStart, Int32Array.from(rows), Float64Array.from(values));
}
