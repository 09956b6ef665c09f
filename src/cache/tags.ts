// Tags name what a cached entry depends on. An entity tag names one row (`ModelRun:42`); a collection tag names a
// list and the arguments that shaped it (`ModelRun:list:dataset=7`). Loaders and list resolvers record them
// (dependencies.ts); a mutation invalidates the tags it changed. This module knows no domain: callers pass the type names.

/** Tag of one entity. */
export function entityTag(type: string, id: string | number): string {
  return `${type}:${encodePart(String(id))}`;
}

/** Tag of a collection of `type`, narrowed by the given arguments (sorted, so their order never matters). */
export function collectionTag(type: string, args: Record<string, string | number | null | undefined> = {}): string {
  const parts = Object.keys(args)
    .filter((key) => args[key] !== undefined && args[key] !== null)
    .sort()
    .map((key) => `${encodePart(key)}=${encodePart(String(args[key]))}`);
  return parts.length === 0 ? `${type}:list` : `${type}:list:${parts.join(',')}`;
}

// Separators inside a value are percent-encoded, so distinct arguments can never produce the same tag.
function encodePart(value: string): string {
  return value.replace(/[%:,=\s*?[\]\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The type a tag belongs to (`ModelRun` for `ModelRun:42` and `ModelRun:list:dataset=7`): entries also carry it, so
 * clearCache(scope: TYPE) can invalidate a whole type. Ids and arguments are encoded, so the first `:` ends the type.
 */
export function typeOfTag(tag: string): string {
  const colon = tag.indexOf(':');
  return colon === -1 ? tag : tag.slice(0, colon);
}

/**
 * What a cached value depends on: its tags, and for each the clock its data was read under. `stamp` is the earliest;
 * `ahead[i]`, when present, is how much later than that tag i was read (a response built from an older field entry
 * and data read just now has both). Validity is judged per tag (versions.ts): a write that touched only the data read
 * just now does not void the older part, and one that touched only the older part's tags voids it.
 */
export interface TagClocks {
  readonly tags: readonly string[];
  readonly stamp: number;
  readonly ahead?: readonly number[] | undefined;
}

/** The clock tag `index` of `deps` was read under. */
export function clockOfTag(deps: TagClocks, index: number): number {
  return deps.stamp + (deps.ahead?.[index] ?? 0);
}

/**
 * Tags with the earliest clock each was read under. `own` is the clock of the computation collecting them (its
 * stamp): a tag recorded by a loader was read under it; a tag of a cached value used inside keeps that value's clock.
 */
export class TagClockSet {
  private readonly clocks = new Map<string, number>();
  constructor(public own = Infinity) {}

  note(tag: string, clock: number): void {
    const known = this.clocks.get(tag);
    if (known === undefined || clock < known) this.clocks.set(tag, clock);
  }

  /** Records what a cached value depended on, at the clocks it was read under. */
  noteAll(deps: TagClocks): void {
    deps.tags.forEach((tag, index) => this.note(tag, clockOfTag(deps, index)));
  }

  get tags(): string[] {
    return [...this.clocks.keys()];
  }

  get size(): number {
    return this.clocks.size;
  }

  entries(): IterableIterator<[string, number]> {
    return this.clocks.entries();
  }
}
