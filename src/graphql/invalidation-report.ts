// "After": what a mutation invalidated, told to the caller. Every ctx.invalidate of the request goes through a
// recorder that counts, just before invalidating, how many entries of this instance's L1 the tags make stale; a
// plugin puts the sum in the response's `extensions.invalidation` for writers and admins (docs/live.md).
import type { ApolloServerPlugin } from '@apollo/server';
import { hasRole, type Principal } from '../auth/principal.js';
import type { Invalidate } from '../cache/index.js';

/** What a tag set would make stale on this instance (CacheService.countTagged). */
export interface StaleCount {
  entries: number;
  operations: number;
}

export type CountTagged = (tags: readonly string[]) => StaleCount;

/** The sum of one request's invalidations: the tags (first-seen order, once each) and what they made stale here. */
export class InvalidationLog {
  private readonly seen = new Set<string>();
  entries = 0;
  operations = 0;

  add(tags: readonly string[], stale: StaleCount): void {
    for (const tag of tags) this.seen.add(tag);
    this.entries += stale.entries;
    this.operations += stale.operations;
  }

  get tags(): string[] {
    return [...this.seen];
  }

  get empty(): boolean {
    return this.seen.size === 0;
  }

  report(): InvalidationReport {
    return { tags: this.tags, staleEntries: this.entries, staleOperations: this.operations };
  }
}

/** The shape of `extensions.invalidation`. */
export interface InvalidationReport {
  tags: string[];
  /** L1 entries of the instance that served the mutation (responses and field values) the tags made stale. */
  staleEntries: number;
  /** Of those, cached operation responses. */
  staleOperations: number;
}

/** Wraps the request's invalidate: counts (before, since invalidating drops the entries), invalidates, records. */
export function recordingInvalidate(invalidate: Invalidate, countTagged: CountTagged | undefined, log: InvalidationLog): Invalidate {
  return async (tags) => {
    const unique = [...new Set(tags)];
    const stale = countTagged?.(unique) ?? { entries: 0, operations: 0 };
    await invalidate(unique);
    log.add(unique, stale);
  };
}

export interface InvalidationReportContext {
  principal: Principal;
  invalidations: InvalidationLog;
}

/**
 * Adds `extensions.invalidation` to mutation responses of writers and admins. The tags are those of the caller's own
 * write (a writer writes only what it may see), so they name nothing of another team; the counts are totals.
 */
export function invalidationReportPlugin<TContext extends InvalidationReportContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation }) {
          if (operation?.operation !== 'mutation' || response.body.kind !== 'single') return;
          if (!hasRole(contextValue.principal, 'writer')) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, invalidation: contextValue.invalidations.report() };
        },
      };
    },
  };
}
