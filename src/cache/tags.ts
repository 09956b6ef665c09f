// Tags name what a cached entry depends on. An entity tag names one row (`ModelRun:42`); a collection tag names a
// list and the arguments that shaped it (`ModelRun:list:dataset=7`). Loaders and list resolvers record them; a
// mutation invalidates the tags it changed. This module knows no domain: callers pass the type names.
import { recordInFieldScopes } from './scope.js';

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
 * Collects the tags a request depended on; the response cache stores its entry under them. Every tag is also
 * recorded in the field computations running around the call (see scope.ts), so a cached field's entry depends on
 * exactly what its computation read.
 */
export class DependencyRecorder {
  private readonly recorded = new Set<string>();

  add(tag: string): void {
    this.recorded.add(tag);
    recordInFieldScopes(tag);
  }

  addAll(tags: Iterable<string>): void {
    for (const tag of tags) this.add(tag);
  }

  get tags(): string[] {
    return [...this.recorded];
  }
}

/** The part of a DataLoader that resolvers use. */
export interface Loader<K, V> {
  load(key: K): Promise<V>;
  loadMany(keys: readonly K[]): Promise<Array<V | Error>>;
}

/**
 * Wraps a loader so that every load records the tag(s) of what it loads, at call time: the call happens inside the
 * resolver (and inside any field-cache computation around it), while the batch runs later on its own.
 */
export function trackedLoader<K, V>(
  loader: Loader<K, V>,
  tagsOf: (key: K) => string | readonly string[],
  deps: DependencyRecorder,
): Loader<K, V> {
  const record = (key: K) => {
    const tags = tagsOf(key);
    if (typeof tags === 'string') deps.add(tags);
    else deps.addAll(tags);
  };
  return {
    load(key) {
      record(key);
      return loader.load(key);
    },
    loadMany(keys) {
      for (const key of keys) record(key);
      return loader.loadMany(keys);
    },
  };
}
