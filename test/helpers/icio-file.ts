// Writes an input-output table in the exact layout the OECD publishes its ICIO CSV in, row by row (a 3,500-sector
// table is ~150 MB and is never held as text). Used by the import tests (small tables, numbers checked) and by
// `npm run bench:io` (the full-size table).
//
// 2023 edition: `V1` corner; COUNTRY_INDUSTRY columns; per country HFCE, NPISH, GGFC, GFCF, INVNT, DPABR; `OUT`;
// rows Z, then TLS, VA, OUT. The earlier edition ('2018'): an empty corner; per country HFCE, NPISH, GGFC, GFCF,
// INVNT, P33 (exports' direct purchases), then `TOTAL`; rows Z, then one COUNTRY_TAXSUB row per country, VALU, OUTPUT.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Random } from '../../src/db/random.js';

export interface IcioSpec {
  countries: readonly string[];
  industries: readonly string[];
  edition: '2023' | '2018';
  seed?: number;
  /** Share of foreign cells (country to another country) that are non-zero; domestic blocks are dense. */
  foreignDensity?: number;
  /** COUNTRY_INDUSTRY labels with zero output: their row and column are all zero (a sector a country lacks). */
  zeroOutput?: readonly string[];
  /** Keep Z and output in memory for the caller to check against (small tables only). */
  keep?: boolean;
  /** Changes a cell's text on the way out: (row label, column label, text) -> text. For broken files. */
  corrupt?: (row: string, column: string, text: string) => string;
}

export interface WrittenIcio {
  labels: string[];
  /** Output by Z index (kept only with keep). */
  output: Float64Array;
  /** Z row-major as written (the numbers the file holds), when keep. */
  z: Float64Array | undefined;
  bytes: number;
}

const FD_2023 = ['HFCE', 'NPISH', 'GGFC', 'GFCF', 'INVNT', 'DPABR'];
const FD_2018 = ['HFCE', 'NPISH', 'GGFC', 'GFCF', 'INVNT', 'P33'];

export function writeIcioTable(file: string, spec: IcioSpec): WrittenIcio {
  const { countries, industries } = spec;
  const labels = countries.flatMap((country) => industries.map((industry) => `${country}_${industry}`));
  const n = labels.length;
  const s = industries.length;
  const random = new Random(spec.seed ?? 7);
  const zero = new Set(spec.zeroOutput ?? []);
  const output = new Float64Array(n);
  for (let j = 0; j < n; j += 1) output[j] = zero.has(labels[j]) ? 0 : Math.round(random.float(200, 20_000));
  const finalDemand = spec.edition === '2023' ? FD_2023 : FD_2018;
  const fdLabels = countries.flatMap((country) => finalDemand.map((code) => `${country}_${code}`));
  const totalLabel = spec.edition === '2023' ? 'OUT' : 'TOTAL';
  const foreignDensity = spec.foreignDensity ?? 0.45;
  // Expected column sums: domestic ~0.3 (dense, s cells), foreign ~0.2 (foreignDensity of the other cells).
  const domesticScale = (2 * 0.3) / s;
  const foreignScale = (2 * 0.2) / Math.max(1, (n - s) * foreignDensity);
  const zSums = new Float64Array(n);
  const z = spec.keep ? new Float64Array(n * n) : undefined;
  const cell = spec.corrupt ?? ((_row: string, _column: string, text: string) => text);
  const headerLabels = [...labels, ...fdLabels, totalLabel];

  const out = openSync(file, 'w');
  let bytes = 0;
  const write = (line: string) => {
    bytes += writeSync(out, `${line}\n`);
  };
  try {
    write([spec.edition === '2023' ? 'V1' : '', ...headerLabels].join(','));
    const parts = new Array<string>(headerLabels.length + 1);
    for (let i = 0; i < n; i += 1) {
      const rowCountry = Math.floor(i / s);
      parts[0] = labels[i];
      let rowSum = 0;
      for (let j = 0; j < n; j += 1) {
        let value = 0;
        if (output[i] > 0 && output[j] > 0) {
          const domestic = Math.floor(j / s) === rowCountry;
          if (domestic || random.next() < foreignDensity) {
            const a = random.next() * (domestic ? domesticScale : foreignScale);
            value = Math.round(a * output[j] * 1e6) / 1e6; // 6 decimals: cells as long as the published ones
          }
        }
        if (z) z[i * n + j] = value;
        zSums[j] += value;
        rowSum += value;
        parts[j + 1] = cell(labels[i], labels[j], value === 0 ? '0' : String(value));
      }
      // Final demand takes what the row does not sell to industries: households at home, the rest to inventories.
      const rest = output[i] - rowSum;
      for (let k = 0; k < fdLabels.length; k += 1) {
        const home = Math.floor(k / finalDemand.length) === rowCountry;
        const code = finalDemand[k % finalDemand.length];
        const value = home && code === 'HFCE' ? Math.round(Math.max(0, rest) * 1000) / 1000 : home && code === 'INVNT' ? Math.round(Math.min(0, rest) * 1000) / 1000 : 0;
        parts[n + k + 1] = cell(labels[i], fdLabels[k], String(value));
      }
      parts[headerLabels.length] = cell(labels[i], totalLabel, String(output[i]));
      write(parts.join(','));
    }
    const zeros = fdLabels.map(() => '0');
    const taxes = Array.from({ length: n }, (_, j) => Math.round(output[j] * 0.05 * 1000) / 1000);
    if (spec.edition === '2023') {
      write(['TLS', ...taxes.map((v, j) => cell('TLS', labels[j], String(v))), ...zeros, '0'].join(','));
    } else {
      for (const [c, country] of countries.entries()) {
        const row = taxes.map((v, j) => (Math.floor(j / s) === c ? String(v) : '0'));
        write([`${country}_TAXSUB`, ...row, ...zeros, '0'].join(','));
      }
    }
    const valueAdded = Array.from({ length: n }, (_, j) => String(Math.round((output[j] - zSums[j] - taxes[j]) * 1000) / 1000));
    write([spec.edition === '2023' ? 'VA' : 'VALU', ...valueAdded, ...zeros, '0'].join(','));
    const outLabel = spec.edition === '2023' ? 'OUT' : 'OUTPUT';
    write([outLabel, ...Array.from(output, (v, j) => cell(outLabel, labels[j], String(v))), ...zeros, '0'].join(','));
  } finally {
    closeSync(out);
  }
  return { labels, output, z, bytes };
}
