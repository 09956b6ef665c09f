// What the input-output engine works on and returns. AssessmentResult is the codegen mapper of the Assessment type.
import type { CoefficientMatrix } from './leontief.js';

export interface UpstreamSupplier {
  country: string;
  sector: string;
  requirement: number;
  share: number;
}

export type RiskLevel = 'LOW' | 'MODERATE' | 'HIGH' | 'SEVERE';

export interface AssessmentResult {
  model: string;
  country: string;
  sector: string;
  outputMultiplier: number;
  domesticShare: number;
  foreignShare: number;
  /**
   * Upstream suppliers with a positive requirement, largest first (ties in index order). At most MAX_SUPPLIERS are
   * kept: topSuppliers can ask for no more, and a cached result stays small.
   */
  suppliers: UpstreamSupplier[];
  countryShares: { country: string; share: number }[];
  supplierCountryHhi: number;
  exposureByTier: { direct: number; second: number; third: number; rest: number; total: number };
  riskScore: number;
  riskLevel: RiskLevel;
}

/**
 * One model's coefficients with the labels of its rows and columns, read from one snapshot. Index of a
 * country-sector = countryIndex * sectorCount + sectorIndex. Kept by the repository per model id and version (every
 * write bumps the version), so the solver the matrix caches is built once per version of the coefficients.
 */
export interface IoTable {
  model: string;
  countries: readonly string[];
  sectorCodes: readonly string[];
  matrix: CoefficientMatrix;
}
