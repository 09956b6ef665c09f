// Field scopes: while an expensive field computes, every tag recorded anywhere below it (by a tracked loader, or a
// resolver calling ctx.deps.add) must also become a tag of that field's entry. AsyncLocalStorage carries the
// active scope through the awaits of the computation; DependencyRecorder.add calls recordInFieldScopes.
//
// The same goes for cached values used below it: a value served from the cache is only as recent as the clocks its
// tags were read under, so the enclosing entry keeps those clocks for those tags (recordCachedInFieldScopes), and
// its whole stamp (epoch, local counter) is no later than the value's (recordStampInFieldScopes).
import { AsyncLocalStorage } from 'node:async_hooks';
import { TagClockSet, type TagClocks } from './tags.js';
import { earliestStamp, type Stamp } from './versions.js';

export class FieldScope {
  readonly tags: TagClockSet;
  /** The earliest stamp of a cached value used inside; undefined while none was. */
  stamp: Stamp | undefined;
  constructor(
    readonly parent: FieldScope | undefined,
    ownClock: number,
  ) {
    this.tags = new TagClockSet(ownClock);
  }
}

const active = new AsyncLocalStorage<FieldScope>();

/**
 * Runs `fn` (which reads its data under the clock `ownClock`) in a new scope nested in the current one; returns its
 * result, the tags recorded inside with their clocks, and the earliest stamp of a cached value used inside.
 */
export async function withFieldScope<T>(
  ownClock: number,
  fn: () => Promise<T>,
): Promise<{ value: T; tags: TagClockSet; stamp: Stamp | undefined }> {
  const scope = new FieldScope(active.getStore(), ownClock);
  const value = await active.run(scope, fn);
  return { value, tags: scope.tags, stamp: scope.stamp };
}

/** Adds the tag to every enclosing field scope (a field computed inside another field feeds both entries). */
export function recordInFieldScopes(tag: string): void {
  for (let scope = active.getStore(); scope; scope = scope.parent) scope.tags.note(tag, scope.tags.own);
}

/** A cached value was used inside: every enclosing scope depends on its tags, at the clocks they were read under. */
export function recordCachedInFieldScopes(deps: TagClocks): void {
  for (let scope = active.getStore(); scope; scope = scope.parent) scope.tags.noteAll(deps);
}

/** Lowers every enclosing field scope's stamp to `stamp`: a cached value computed under it was used inside. */
export function recordStampInFieldScopes(stamp: Stamp): void {
  for (let scope = active.getStore(); scope; scope = scope.parent) scope.stamp = earliestStamp(scope.stamp, stamp);
}
