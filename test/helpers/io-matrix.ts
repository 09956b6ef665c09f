// A seeded input-output coefficient matrix shaped like the ICIO table, for the engine's unit tests.
import { CoefficientMatrix } from '../../src/assessments/leontief.js';
import { Random } from '../../src/db/random.js';

/** ICIO-like: dense domestic blocks, ~45% of foreign cells non-zero, column sums ~0.5. */
export function icioLike(countries: number, sectors: number, seed: number): CoefficientMatrix {
  const n = countries * sectors;
  const random = new Random(seed);
  const rows: number[] = [];
  const cols: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < n; j += 1) {
    for (let i = 0; i < n; i += 1) {
      const domestic = Math.floor(i / sectors) === Math.floor(j / sectors);
      if (!domestic && random.next() > 0.45) continue;
      rows.push(i);
      cols.push(j);
      values.push(random.next() * (domestic ? 0.6 / sectors : 0.4 / (0.45 * (n - sectors))));
    }
  }
  return CoefficientMatrix.fromCoordinates(n, rows, cols, values);
}
