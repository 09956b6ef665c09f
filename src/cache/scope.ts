// Field scopes: while an expensive field computes, every tag recorded anywhere below it (by a tracked loader, or a
// resolver calling ctx.deps.add) must also become a tag of that field's entry. AsyncLocalStorage carries the
// active scope through the awaits of the computation; DependencyRecorder.add calls recordInFieldScopes.
//
// The same goes for cached values used below it: a value served from the cache is only as recent as the stamp it
// was computed under, so the enclosing entry's stamp must be no later than that (recordStampInFieldScopes).
import { AsyncLocalStorage } from 'node:async_hooks';
import { earliestStamp, type Stamp } from './versions.js';

export class FieldScope {
  readonly tags = new Set<string>();
  /** The earliest stamp of a cached value used inside; undefined while none was. */
  stamp: Stamp | undefined;
  constructor(readonly parent: FieldScope | undefined) {}
}

const active = new AsyncLocalStorage<FieldScope>();

/**
 * Runs `fn` in a new scope nested in the current one; returns its result, the tags recorded inside and the earliest
 * stamp of a cached value used inside (undefined when none was).
 */
export async function withFieldScope<T>(fn: () => Promise<T>): Promise<{ value: T; tags: string[]; stamp: Stamp | undefined }> {
  const scope = new FieldScope(active.getStore());
  const value = await active.run(scope, fn);
  return { value, tags: [...scope.tags], stamp: scope.stamp };
}

/** Adds the tag to every enclosing field scope (a field computed inside another field feeds both entries). */
export function recordInFieldScopes(tag: string): void {
  for (let scope = active.getStore(); scope; scope = scope.parent) scope.tags.add(tag);
}

/** Lowers every enclosing field scope's stamp to `stamp`: a cached value computed under it was used inside. */
export function recordStampInFieldScopes(stamp: Stamp): void {
  for (let scope = active.getStore(); scope; scope = scope.parent) scope.stamp = earliestStamp(scope.stamp, stamp);
}
