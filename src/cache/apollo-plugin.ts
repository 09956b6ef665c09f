// The Apollo side of the response cache: a small plugin that tells the request's cache state what only Apollo
// knows (the operation's type and root fields, errors, the cache policy from the @cacheControl hints). It never
// touches the cache itself; response-cache.ts decides.
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { CachePolicy } from './policy.js';
import type { RequestCacheState } from './request-state.js';

/** Fields that are never cached, whatever their hints: the cache's own view of itself. */
const NEVER_CACHED_ROOT_FIELDS = new Set(['cacheStats']);

export interface CacheAwareContext {
  cacheState?: RequestCacheState;
}

/**
 * Apollo's cache-control plugin computes the response's policy from the hints. Unhinted fields returning objects
 * (PageInfo, DatasetColumn, edges ...) would otherwise count as maxAge 0 and make nearly every response uncacheable,
 * so they default to the cap instead: the TTL is the smallest hint present. Root fields still need a hint of their
 * own or of their type; the plugin below refuses to store a response with an unhinted root field. Headers are ours.
 */
export function cacheControlPlugin(maxTtlSeconds: number): ApolloServerPlugin {
  return ApolloServerPluginCacheControl({ defaultMaxAge: maxTtlSeconds, calculateHttpHeaders: false });
}

export function responseCachePlugin<TContext extends CacheAwareContext>(policy: CachePolicy): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const state = contextValue.cacheState;
      if (!state) return;
      return {
        async didResolveOperation({ operation, document, operationName }) {
          if (!operation) return;
          state.operationType = operation.operation;
          state.operationName = operationName ?? undefined;
          // Two reasons a mutation is never cached: it has effects, and its answer is only true once.
          if (operation.operation !== 'query') state.noStore(`a ${operation.operation} is never cached`);
          for (const field of rootFields(operation, document)) {
            if (field === '__typename') continue;
            if (field.startsWith('__')) state.noStore('introspection is never cached');
            else if (NEVER_CACHED_ROOT_FIELDS.has(field)) state.noStore(`${field} is never cached`);
            else if (operation.operation === 'query' && !policy.rootFieldHinted('Query', field)) {
              state.noStore(`Query.${field} has no @cacheControl hint`);
            }
          }
        },
        async willSendResponse({ response, errors, overallCachePolicy }) {
          if ((errors?.length ?? 0) > 0) state.hasErrors = true;
          if (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0) state.hasErrors = true;
          const cacheable = overallCachePolicy.policyIfCacheable();
          state.policy = cacheable ? { maxAgeSeconds: cacheable.maxAge, scope: cacheable.scope ?? 'PUBLIC' } : undefined;
        },
      };
    },
  };
}

/** The names of the root fields an operation selects, through fragments. */
function rootFields(operation: OperationDefinitionNode, document: DocumentNode): string[] {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  }
  const names: string[] = [];
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment);
      }
    }
  };
  visit(operation.selectionSet);
  return names;
}
