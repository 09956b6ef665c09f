// Ordering runs by a metric, shared by modelRanking and compareModels. Pure: no I/O, so it is unit-tested alone.

/** Orders values best first; equal values keep a stable order by `id` so the answer never depends on input order. */
export function bestFirst(higherIsBetter: boolean) {
  return (a: { value: number; id: number }, b: { value: number; id: number }): number => {
    if (a.value !== b.value) return higherIsBetter ? b.value - a.value : a.value - b.value;
    return a.id - b.id;
  };
}

/**
 * Standard competition ranks ("1224") of values already ordered best first: equal values share a rank and the
 * next distinct value skips the shared places, so a rank always says how many entries are strictly better.
 */
export function competitionRanks(orderedValues: readonly number[]): number[] {
  const ranks: number[] = [];
  orderedValues.forEach((value, index) => {
    ranks.push(index > 0 && value === orderedValues[index - 1] ? ranks[index - 1] : index + 1);
  });
  return ranks;
}

export interface RankedEntry {
  id: number;
  value: number;
  rank: number;
}

/** Sorts `entries` best first and ranks them. */
export function rankEntries(entries: readonly { id: number; value: number }[], higherIsBetter: boolean): RankedEntry[] {
  const ordered = [...entries].sort(bestFirst(higherIsBetter));
  const ranks = competitionRanks(ordered.map((entry) => entry.value));
  return ordered.map((entry, index) => ({ id: entry.id, value: entry.value, rank: ranks[index] }));
}
