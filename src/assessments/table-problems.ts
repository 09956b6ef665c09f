// What both table readers (io-csv.ts, icio-csv.ts) share: the parsed table they produce, and the list of problems
// they report, each with its line and column, up to a limit.
import type { CoefficientMatrix } from './leontief.js';

/** A table ready to store, whichever format it came in. */
export interface ParsedTable {
  format: 'icio' | 'coefficients';
  countries: string[];
  sectorCodes: string[];
  sectorNames: string[];
  matrix: CoefficientMatrix;
  largestColumnSum: number;
}

export class IoCsvError extends Error {
  override name = 'IoCsvError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Past this many problems, reading further only buries the first ones. */
const MAX_PROBLEMS = 20;

export class Problems {
  readonly list: string[] = [];

  add(message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(message);
    else if (this.list.length === MAX_PROBLEMS) this.list.push(`(more problems not shown; fix these first)`);
  }

  get full(): boolean {
    return this.list.length > MAX_PROBLEMS;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new IoCsvError(this.list);
  }

  /** The problems found so far, or this one when there are none. */
  errorOr(message: string): IoCsvError {
    return new IoCsvError(this.list.length > 0 ? this.list : [message]);
  }
}

/** A cell's value as a message shows it: quoted, cut at 40 characters. */
export function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
