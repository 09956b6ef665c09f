// The supply-chain risk of one country-sector, computed from its Leontief column. Pure arithmetic: no I/O.
import type { AssessmentResult, IoTable, RiskLevel, UpstreamSupplier } from './types.js';
import { leontiefSolverOf } from './factorized-solver.js';

/** The most suppliers an assessment keeps (and topSuppliers may ask for). */
export const MAX_SUPPLIERS = 100;

/** Risk score weights; they sum to 1 so the score spans 0-100. */
export const RISK_WEIGHTS = { foreignShare: 0.5, concentration: 0.35, multiplier: 0.15 } as const;

/**
 * riskScore = 100 * (0.5 * foreignShare + 0.35 * HHI / 10000 + 0.15 * min(1, (outputMultiplier - 1) / 2)),
 * rounded to 2 decimals:
 * - foreign share: how much of the upstream chain lies abroad (exposure to borders, tariffs, transport);
 * - supplier-country HHI: how concentrated that foreign part is (one country = 10000, the worst case);
 * - multiplier: how long and deep the chain is; (m - 1) / 2 saturates at a multiplier of 3, past which every
 *   chain counts as deep.
 */
export function riskScore(foreignShare: number, hhi: number, outputMultiplier: number): number {
  const depth = Math.min(1, Math.max(0, (outputMultiplier - 1) / 2));
  const raw =
    RISK_WEIGHTS.foreignShare * foreignShare + RISK_WEIGHTS.concentration * (hhi / 10_000) + RISK_WEIGHTS.multiplier * depth;
  return Math.round(100 * raw * 100) / 100;
}

/** LOW < 25 <= MODERATE < 50 <= HIGH < 75 <= SEVERE. */
export function riskLevel(score: number): RiskLevel {
  if (score < 25) return 'LOW';
  if (score < 50) return 'MODERATE';
  if (score < 75) return 'HIGH';
  return 'SEVERE';
}

export function indexOf(table: Pick<IoTable, 'sectorCodes'>, countryIndex: number, sectorIndex: number): number {
  return countryIndex * table.sectorCodes.length + sectorIndex;
}

/**
 * Assesses column `col` of the table (index = countryIndex * sectorCount + sectorIndex). `leontiefColumn` is
 * (I - A)^-1 e_col when the caller has solved it already (several columns solved together); solved here otherwise.
 */
export function assess(table: IoTable, col: number, leontiefColumn?: Float64Array): AssessmentResult {
  const { matrix, countries, sectorCodes } = table;
  const n = matrix.size;
  const sectorCount = sectorCodes.length;
  if (countries.length * sectorCount !== n) {
    throw new RangeError(`${countries.length} countries x ${sectorCount} sectors do not match a ${n} x ${n} matrix`);
  }
  if (!(Number.isInteger(col) && col >= 0 && col < n)) throw new RangeError(`column ${col} is outside the matrix`);
  const home = Math.floor(col / sectorCount);

  // u = (L - I) e_col: output required upstream per unit of final demand. Rows that do not supply col through any
  // chain are exactly zero; the rest are positive in exact arithmetic, so round-off below zero is clamped.
  const x = leontiefColumn ?? leontiefSolverOf(matrix, sectorCount).solveUnit(col);
  const upstream = matrix.upstreamOf(col);
  const u = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    if (!upstream[i]) continue;
    const value = Math.max(0, i === col ? x[i] - 1 : x[i]);
    u[i] = value;
    total += value;
  }

  const byCountry = new Float64Array(countries.length);
  for (let i = 0; i < n; i += 1) byCountry[Math.floor(i / sectorCount)] += u[i];
  const domestic = byCountry[home];
  const foreign = total - domestic;
  const domesticShare = total > 0 ? domestic / total : 0;
  const foreignShare = total > 0 ? 1 - domesticShare : 0;

  let hhi = 0;
  if (foreign > 0) {
    for (let c = 0; c < countries.length; c += 1) {
      if (c === home || byCountry[c] === 0) continue;
      const percent = (100 * byCountry[c]) / foreign;
      hhi += percent * percent;
    }
    hhi = Math.min(10_000, hhi);
  }

  const suppliers: UpstreamSupplier[] = largestRows(u, MAX_SUPPLIERS).map((i) => ({
    country: countries[Math.floor(i / sectorCount)],
    sector: sectorCodes[i % sectorCount],
    requirement: u[i],
    share: u[i] / total,
  }));

  const countryOrder: number[] = [];
  for (let c = 0; c < countries.length; c += 1) if (byCountry[c] > 0) countryOrder.push(c);
  countryOrder.sort((a, b) => byCountry[b] - byCountry[a] || a - b);
  const countryShares = countryOrder.map((c) => ({ country: countries[c], share: byCountry[c] / total }));

  // Tiers: the totals of A e, A^2 e, A^3 e, the requirements one, two and three steps up the chain. 1^T A^2 e is
  // c^T (A e) and 1^T A^3 e is (c^T A)(A e), with c the column sums: one column each, not products with all of A.
  const direct = matrix.columnSums[col];
  const secondTotal = matrix.dotColumn(matrix.columnSums, col);
  const thirdTotal = matrix.dotColumn(matrix.secondOrderColumnSums(), col);
  let rest = total - direct - secondTotal - thirdTotal;
  // The remainder is a sum of non-negative terms; a negative of round-off size means "nothing beyond tier 3".
  if (rest < 0 && rest > -1e-12 * Math.max(1, total)) rest = 0;

  // outputMultiplier = sum(L e_col) = 1 + sum(u), taken from the cleaned u so that it agrees with the tiers exactly.
  const outputMultiplier = 1 + total;
  const score = riskScore(foreignShare, hhi, outputMultiplier);
  return {
    model: table.model,
    country: countries[home],
    sector: sectorCodes[col % sectorCount],
    outputMultiplier,
    domesticShare,
    foreignShare,
    suppliers,
    countryShares,
    supplierCountryHhi: hhi,
    exposureByTier: { direct, second: secondTotal, third: thirdTotal, rest, total },
    riskScore: score,
    riskLevel: riskLevel(score),
  };
}

/**
 * The rows of the `count` largest positive values of u, largest first (ties by row): what sorting every positive row
 * and keeping the first `count` gives, without sorting 3,500 rows by a comparator for 100 of them (the values are
 * sorted natively to find the cut, then only the rows above it by the comparator).
 */
export function largestRows(u: Float64Array, count: number): number[] {
  let positive = 0;
  for (let i = 0; i < u.length; i += 1) if (u[i] > 0) positive += 1;
  let cut = 0;
  if (positive > count) {
    const values = new Float64Array(positive);
    for (let i = 0, k = 0; i < u.length; i += 1) if (u[i] > 0) values[k++] = u[i];
    values.sort();
    cut = values[positive - count];
  }
  const rows: number[] = [];
  for (let i = 0; i < u.length; i += 1) if (u[i] > 0 && u[i] >= cut) rows.push(i);
  rows.sort((a, b) => u[b] - u[a] || a - b);
  return rows.slice(0, count);
}
