// Role checks for whole operations, in Apollo's didResolveOperation: after validation, before any resolver runs, so a
// refused operation does no work and writes nothing, even when it names several mutations. Every mutation needs a
// writer unless listed in ROLE_OF_MUTATION; a mutation added to the schema is covered without being named here
// (test/security/roles.test.ts enumerates them from the schema).
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { requireRole, ROLES, type Principal, type Role } from './principal.js';

/** Mutations that need more than a writer. */
export const ROLE_OF_MUTATION: Readonly<Record<string, Role>> = {
  clearCache: 'admin',
  warmCache: 'admin',
};

/**
 * Root query fields that need a role. In production `cacheStats` and `performance` (which show other clients'
 * operation names, tags and Redis state) are for admins; outside production everyone may read them (the dashboard).
 */
export const ROLE_OF_QUERY_IN_PRODUCTION: Readonly<Record<string, Role>> = {
  cacheStats: 'admin',
  performance: 'admin',
};

export interface AuthPluginOptions {
  production: boolean;
}

export function createAuthPlugin<TContext extends BaseContext & { principal: Principal }>(options: AuthPluginOptions): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          if (!operation) return;
          const table = operation.operation === 'mutation' ? ROLE_OF_MUTATION : operation.operation === 'query' && options.production ? ROLE_OF_QUERY_IN_PRODUCTION : undefined;
          if (!table) return;
          const fallback: Role | undefined = operation.operation === 'mutation' ? 'writer' : undefined;
          let needed: Role | undefined;
          for (const field of rootFields(document, operation)) {
            const role = table[field] ?? (field === '__typename' ? undefined : fallback);
            if (role && (!needed || ROLES.indexOf(role) > ROLES.indexOf(needed))) needed = role;
          }
          if (needed) requireRole(contextValue.principal, needed);
        },
      };
    },
  };
}

/** The root field names an operation selects, through fragments (each fragment visited once: cycles end). */
export function rootFields(document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const names = new Set<string>();
  const visited = new Set<string>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  while (pending.length > 0) {
    for (const selection of pending.pop()!.selections) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) pending.push(selection.selectionSet);
      else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) pending.push(fragment.selectionSet);
      }
    }
  }
  return names;
}
