// The codes the demo models use: real ISO3 country codes and OECD ICIO industry codes.

/** ISO3 codes with a rough size of the economy (GDP, USD trillions) that weights how often it supplies abroad. */
export const COUNTRIES: readonly { code: string; size: number }[] = [
  { code: 'USA', size: 27.4 }, { code: 'CHN', size: 17.8 }, { code: 'DEU', size: 4.5 }, { code: 'JPN', size: 4.2 },
  { code: 'GBR', size: 3.3 }, { code: 'FRA', size: 3.0 }, { code: 'IND', size: 3.6 }, { code: 'ITA', size: 2.3 },
  { code: 'BRA', size: 2.2 }, { code: 'CAN', size: 2.1 }, { code: 'KOR', size: 1.7 }, { code: 'RUS', size: 2.0 },
  { code: 'AUS', size: 1.7 }, { code: 'ESP', size: 1.6 }, { code: 'MEX', size: 1.8 }, { code: 'IDN', size: 1.4 },
  { code: 'NLD', size: 1.1 }, { code: 'SAU', size: 1.1 }, { code: 'TUR', size: 1.1 }, { code: 'CHE', size: 0.9 },
  { code: 'POL', size: 0.8 }, { code: 'SWE', size: 0.6 }, { code: 'BEL', size: 0.6 }, { code: 'ARG', size: 0.6 },
  { code: 'NOR', size: 0.5 }, { code: 'AUT', size: 0.5 }, { code: 'IRL', size: 0.55 }, { code: 'THA', size: 0.5 },
  { code: 'ISR', size: 0.5 }, { code: 'ZAF', size: 0.4 }, { code: 'DNK', size: 0.4 }, { code: 'SGP', size: 0.5 },
  { code: 'MYS', size: 0.4 }, { code: 'PHL', size: 0.44 }, { code: 'VNM', size: 0.43 }, { code: 'CHL', size: 0.33 },
  { code: 'COL', size: 0.36 }, { code: 'FIN', size: 0.3 }, { code: 'PRT', size: 0.29 }, { code: 'CZE', size: 0.33 },
];

/** OECD ICIO industry codes (ISIC Rev.4 groupings) and their short names. */
export const SECTORS: readonly { code: string; name: string }[] = [
  { code: 'C01T02', name: 'Agriculture' }, { code: 'C05T06', name: 'Mining' },
  { code: 'C10T12', name: 'Food products' }, { code: 'C13T15', name: 'Textiles' },
  { code: 'C16', name: 'Wood' }, { code: 'C17T18', name: 'Paper' },
  { code: 'C19', name: 'Coke and petroleum' }, { code: 'C20', name: 'Chemicals' },
  { code: 'C21', name: 'Pharmaceuticals' }, { code: 'C22', name: 'Rubber and plastics' },
  { code: 'C24', name: 'Basic metals' }, { code: 'C26', name: 'Computers and electronics' },
  { code: 'C27', name: 'Electrical equipment' }, { code: 'C28', name: 'Machinery' },
  { code: 'C29', name: 'Motor vehicles' }, { code: 'D', name: 'Electricity' },
  { code: 'F', name: 'Construction' }, { code: 'G', name: 'Trade' },
  { code: 'H', name: 'Transport' }, { code: 'J', name: 'Information' },
  { code: 'C23', name: 'Other non-metallic minerals' }, { code: 'C25', name: 'Fabricated metals' },
  { code: 'C30', name: 'Other transport equipment' }, { code: 'C31T33', name: 'Other manufacturing' },
  { code: 'E', name: 'Water and waste' }, { code: 'I', name: 'Accommodation and food services' },
  { code: 'K', name: 'Finance and insurance' }, { code: 'L', name: 'Real estate' },
  { code: 'M', name: 'Professional services' }, { code: 'N', name: 'Administrative services' },
];

/** Name of a sector code, for tables (imported CSVs) that carry codes only. */
export function sectorName(code: string): string {
  return SECTORS.find((sector) => sector.code === code)?.name ?? code;
}
