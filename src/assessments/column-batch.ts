// Columns of the Leontief inverse asked by one request, solved together: with the LU, a batch of k columns is one
// pass over the 98 MB of factors instead of k (3,510 sectors: 100 columns ~1-2 s together, ~5-10 s one by one).
//
// Not a plain DataLoader: its batch is what was asked in one tick, but the pairs of one `assessments` call reach their
// compute at different times (each first looks in the field cache, L1 then Redis), so they would be solved in several
// batches. Here a caller announces how many pairs it has (group); the batch is solved once each of them has either
// asked for its column or finished without one (a cache hit, an error), or after FALLBACK_MS past the last column
// asked, whichever comes first: a pair waiting on something that waits on this batch (two requests computing each
// other's cache entries) cannot hold it forever.
import type { IoTable } from './types.js';
import { leontiefSolverOf } from './factorized-solver.js';

const FALLBACK_MS = 50;

interface Pending {
  table: IoTable;
  col: number;
  resolve: (x: Float64Array) => void;
  reject: (error: unknown) => void;
}

/** One pair of a group: settle() exactly once it has asked for its column, or will not. */
export interface ColumnTicket {
  settle(): void;
}

export class LeontiefColumnBatcher {
  private readonly asked = new Map<string, Promise<Float64Array>>();
  private pending: Pending[] = [];
  private outstanding = 0;
  private scheduled = false;
  private fallback: NodeJS.Timeout | undefined;
  /** Batches solved: what tests count. */
  batches = 0;

  /** (I - A)^-1 e_col of a loaded table; the same column asked twice in a request is solved once. */
  load(table: IoTable, col: number): Promise<Float64Array> {
    const key = `${table.model}\u0000${col}`;
    let found = this.asked.get(key);
    if (!found) {
      found = new Promise<Float64Array>((resolve, reject) => this.pending.push({ table, col, resolve, reject }));
      this.asked.set(key, found);
      this.schedule();
    }
    return found;
  }

  /** Announces count pairs about to ask (or not): the batch waits for all of them. */
  group(count: number): ColumnTicket[] {
    this.outstanding += count;
    return Array.from({ length: count }, () => {
      let settled = false;
      return {
        settle: () => {
          if (settled) return;
          settled = true;
          this.outstanding -= 1;
          this.schedule();
        },
      };
    });
  }

  private schedule(): void {
    if (this.pending.length === 0) return;
    if (this.outstanding > 0) {
      clearTimeout(this.fallback);
      this.fallback = setTimeout(() => this.flush(), FALLBACK_MS);
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // As DataLoader does: after the current tick, so that columns asked together in it join.
    setImmediate(() => {
      this.scheduled = false;
      if (this.outstanding === 0) this.flush();
    });
  }

  private flush(): void {
    clearTimeout(this.fallback);
    this.fallback = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.batches += 1;
    const byTable = new Map<IoTable, Pending[]>();
    for (const item of batch) {
      const list = byTable.get(item.table);
      if (list) list.push(item);
      else byTable.set(item.table, [item]);
    }
    for (const [table, items] of byTable) void this.solve(table, items);
  }

  private async solve(table: IoTable, items: Pending[]): Promise<void> {
    try {
      const solver = leontiefSolverOf(table.matrix, table.sectorCodes.length);
      const cols = items.map((item) => item.col);
      const solved = solver.solveUnitsAsync ? await solver.solveUnitsAsync(cols) : solver.solveUnits(cols);
      items.forEach((item, k) => item.resolve(solved[k]));
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  }
}
