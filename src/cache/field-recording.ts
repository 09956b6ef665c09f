// Field recordings: while an expensive field computes, every tag recorded anywhere below it (by a tracked loader, or
// a resolver calling ctx.deps.add) must also become a tag of that field's entry. An async context slot
// (common/async-context.ts) carries the open recordings through the awaits of the computation;
// DependencyRecorder.add calls recordInOpenFields. (Named so as not to be one more "scope": PUBLIC/PRIVATE is
// Apollo's cache scope, teams are the caller's visibility.)
//
// The same goes for cached values used below it: a value served from the cache is only as recent as the clocks its
// tags were read under, so the enclosing entry keeps those clocks for those tags (recordCachedInOpenFields), and
// its whole stamp (epoch, local counter) is no later than the value's (recordStampInOpenFields).
import { contextSlot } from '../common/async-context.js';
import { TagClockSet, type TagClocks } from './tags.js';
import { earliestStamp, type Stamp } from './versions.js';

export class FieldRecording {
  readonly tags: TagClockSet;
  /** The earliest stamp of a cached value used inside; undefined while none was. */
  stamp: Stamp | undefined;
  constructor(
    readonly parent: FieldRecording | undefined,
    ownClock: number,
  ) {
    this.tags = new TagClockSet(ownClock);
  }
}

const active = contextSlot<FieldRecording>();

/**
 * Runs `fn` (which reads its data under the clock `ownClock`) in a new recording nested in the current one; returns its
 * result, the tags recorded inside with their clocks, and the earliest stamp of a cached value used inside.
 */
export async function withFieldRecording<T>(
  ownClock: number,
  fn: () => Promise<T>,
): Promise<{ value: T; tags: TagClockSet; stamp: Stamp | undefined }> {
  const recording = new FieldRecording(active.get(), ownClock);
  const value = await active.run(recording, fn);
  return { value, tags: recording.tags, stamp: recording.stamp };
}

/** Adds the tag to every enclosing field recording (a field computed inside another field feeds both entries). */
export function recordInOpenFields(tag: string): void {
  for (let open = active.get(); open; open = open.parent) open.tags.note(tag, open.tags.own);
}

/** A cached value was used inside: every enclosing recording depends on its tags, at the clocks they were read under. */
export function recordCachedInOpenFields(deps: TagClocks): void {
  for (let open = active.get(); open; open = open.parent) open.tags.noteAll(deps);
}

/** Lowers every enclosing field recording's stamp to `stamp`: a cached value computed under it was used inside. */
export function recordStampInOpenFields(stamp: Stamp): void {
  for (let open = active.get(); open; open = open.parent) open.stamp = earliestStamp(open.stamp, stamp);
}
