// Demo input-output models: OECD_ICIO and EXIOBASE, with real ISO3 country codes and OECD ICIO sector codes and
// random (seeded) but realistically shaped coefficient matrices: each column has ~25-40 inputs, mostly from its own
// country, plus some foreign inputs drawn toward large economies; every column sums to 0.3-0.8, so the matrix is
// productive.
import type { Kysely } from 'kysely';
import type { Random } from '../db/random.js';
import type { Tables } from '../db/tables.js';
import { COUNTRIES, SECTORS } from './catalog.js';
import { insertCoefficients } from './repository.js';

/** How one model's matrices differ from the other's. */
export interface ModelProfile {
  name: string;
  description: string;
  /** Range of the share of a column's inputs bought at home. */
  domesticShare: [number, number];
  /** Range of the number of non-zero inputs per column. */
  inputs: [number, number];
}

export const DEMO_MODELS: readonly ModelProfile[] = [
  {
    name: 'OECD_ICIO',
    description: 'OECD Inter-Country Input-Output tables (demo coefficients): industry-by-industry, ISIC Rev.4 sectors.',
    domesticShare: [0.6, 0.85],
    inputs: [25, 40],
  },
  {
    name: 'EXIOBASE',
    description: 'EXIOBASE multi-regional input-output tables (demo coefficients): more trade-intensive supply chains.',
    domesticShare: [0.5, 0.75],
    inputs: [28, 40],
  },
];

export interface GeneratedCoefficients {
  rows: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/** A productive sparse coefficient matrix of (countryCount * sectorCount)^2, as coordinates. Deterministic. */
export function generateCoefficients(
  countryCount: number,
  sectorCount: number,
  random: Random,
  profile: Pick<ModelProfile, 'domesticShare' | 'inputs'>,
): GeneratedCoefficients {
  const n = countryCount * sectorCount;
  const rows: number[] = [];
  const cols: number[] = [];
  const values: number[] = [];
  const sizes = COUNTRIES.slice(0, countryCount).map((country) => Math.pow(country.size, 0.8));
  for (let col = 0; col < n; col += 1) {
    const home = Math.floor(col / sectorCount);
    const columnSum = random.float(0.3, 0.8);
    const inputs = Math.min(n, random.int(profile.inputs[0], profile.inputs[1]));
    const domesticCount = Math.min(sectorCount, Math.round(inputs * random.float(0.55, 0.7)));
    const foreignCount = Math.min(n - sectorCount, inputs - domesticCount);
    const domesticShare = foreignCount > 0 ? random.float(profile.domesticShare[0], profile.domesticShare[1]) : 1;

    const domesticRows = pickDistinct(sectorCount, domesticCount, random).map((s) => home * sectorCount + s);
    const foreignRows = new Set<number>();
    for (let attempt = 0; foreignRows.size < foreignCount && attempt < foreignCount * 20; attempt += 1) {
      const country = pickWeighted(sizes, home, random);
      foreignRows.add(country * sectorCount + random.int(0, sectorCount - 1));
    }
    const parts: [number[], number][] = [
      [domesticRows, columnSum * domesticShare],
      [[...foreignRows], columnSum * (1 - domesticShare)],
    ];
    for (const [partRows, partTotal] of parts) {
      // Squared uniforms: a few large inputs and many small ones, as in real tables.
      const weights = partRows.map(() => random.next() ** 2 + 0.02);
      const weightSum = weights.reduce((a, b) => a + b, 0);
      partRows.forEach((row, k) => {
        // Six decimals, as published tables have; never rounded down to zero, so every drawn input stays an input.
        const value = Math.max(1e-6, Math.round((partTotal * weights[k] * 1e6) / weightSum) / 1e6);
        rows.push(row);
        cols.push(col);
        values.push(value);
      });
    }
  }
  return { rows: Int32Array.from(rows), cols: Int32Array.from(cols), values: Float64Array.from(values) };
}

/** count distinct integers from [0, size), by a partial Fisher-Yates shuffle. */
function pickDistinct(size: number, count: number, random: Random): number[] {
  const pool = Array.from({ length: size }, (_, i) => i);
  for (let k = 0; k < count; k += 1) {
    const swap = random.int(k, size - 1);
    [pool[k], pool[swap]] = [pool[swap], pool[k]];
  }
  return pool.slice(0, count);
}

/** An index drawn with probability proportional to its weight, never `excluded`. */
function pickWeighted(weights: readonly number[], excluded: number, random: Random): number {
  let total = 0;
  for (let i = 0; i < weights.length; i += 1) if (i !== excluded) total += weights[i];
  let target = random.next() * total;
  for (let i = 0; i < weights.length; i += 1) {
    if (i === excluded) continue;
    target -= weights[i];
    if (target < 0) return i;
  }
  return excluded === weights.length - 1 ? weights.length - 2 : weights.length - 1;
}

export async function seedAssessments(db: Kysely<Tables>, countries: number, sectors: number, random: Random): Promise<void> {
  if (countries < 1 || countries > COUNTRIES.length) throw new RangeError(`countries must be 1-${COUNTRIES.length}, got ${countries}`);
  if (sectors < 1 || sectors > SECTORS.length) throw new RangeError(`sectors must be 1-${SECTORS.length}, got ${sectors}`);
  const countryCodes = COUNTRIES.slice(0, countries).map((country) => country.code);
  const sectorList = SECTORS.slice(0, sectors);
  for (const [k, profile] of DEMO_MODELS.entries()) {
    // A fork per model: adding a model later does not change the matrices of the existing ones.
    const coefficients = generateCoefficients(countries, sectors, random.fork(k + 1), profile);
    // A model imported (npm run import:io) before the first start keeps its table: the demo does not overwrite it.
    const inserted = await db
      .insertInto('io_models')
      .values({
        name: profile.name,
        description: profile.description,
        countries: countryCodes,
        sector_codes: sectorList.map((sector) => sector.code),
        sector_names: sectorList.map((sector) => sector.name),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue;
    const { id } = inserted;
    await insertCoefficients(db, id, coefficients.rows, coefficients.cols, coefficients.values);
  }
}
