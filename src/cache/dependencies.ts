// What a request depended on: the recorder the response cache stores an entry under, and the loaders that feed it.
// Apart from tags.ts because it also feeds the open field computations (field-recording.ts), which need tags.ts.
import { recordCachedInOpenFields, recordInOpenFields } from './field-recording.js';
import { TagClockSet, type TagClocks } from './tags.js';

/**
 * Collects the tags a request depended on; the response cache stores its entry under them. Every tag is also
 * recorded in the field computations running around the call (see field-recording.ts), so a cached field's entry depends on
 * exactly what its computation read.
 */
export class DependencyRecorder {
  private readonly recorded = new TagClockSet();

  /** The request's stamp, once known: what its loaders read, they read under it. */
  set ownClock(clock: number) {
    this.recorded.own = clock;
  }

  add(tag: string): void {
    this.recorded.note(tag, this.recorded.own);
    recordInOpenFields(tag);
  }

  addAll(tags: Iterable<string>): void {
    for (const tag of tags) this.add(tag);
  }

  /** A cached value went into the response: its tags at the clocks they were read under. */
  addCached(deps: TagClocks): void {
    this.recorded.noteAll(deps);
    recordCachedInOpenFields(deps);
  }

  get tags(): string[] {
    return this.recorded.tags;
  }

  get clocks(): TagClockSet {
    return this.recorded;
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
