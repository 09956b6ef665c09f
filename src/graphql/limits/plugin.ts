// The Apollo plugin that enforces the operation limits inside Apollo's pipeline, in didResolveOperation: after
// validation, before execution, and with Apollo's ordinary error path (status from `extensions.http`).
//   - the shape limits again (depth, aliases, directives, expanded fields): the HTTP layer checked the text before
//     Apollo saw it (check.ts), this covers operations that reach Apollo another way (persisted queries, tests);
//   - the introspection gate, per request because it depends on the caller (Apollo's flag is global);
//   - the cost, which needs the validated document and the variables;
//   - operation types the schema lacks (subscriptions), and NUL characters in strings (strings.ts).
// During execution, once the operation's deadline has passed, no further field resolver starts.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { shapeOf, shapeViolation, type OperationLimits } from './check.js';
import { operationCost } from './cost.js';
import { nulInString, operationTimedOut, tooComplex, unsupportedOperation } from './errors.js';
import { documentHasNul, nulInVariables } from './strings.js';
import { variablesViolation } from './variables.js';

export interface LimitsPluginOptions {
  limits: OperationLimits;
  /** Past this many milliseconds after the request started, field resolvers are no longer started. */
  operationTimeoutMs: number;
  /** Throws the refusal when this request's caller may not introspect the schema (production: admins only). */
  checkIntrospection(context: BaseContext): void;
}

export function createLimitsPlugin<TContext extends BaseContext>(options: LimitsPluginOptions): ApolloServerPlugin<TContext> {
  const { limits } = options;
  return {
    async requestDidStart() {
      const deadline = Date.now() + options.operationTimeoutMs;
      return {
        async didResolveOperation({ document, operation, request, schema, contextValue }) {
          const shape = shapeOf(document);
          const violation = shapeViolation(shape, limits);
          if (violation) throw violation;
          if (!(shape instanceof GraphQLError) && shape.introspection) options.checkIntrospection(contextValue);
          // graphql-js 16 validates no operation type against the schema; without this, execution fails with an
          // internal error ("Schema is not configured to execute subscription operation").
          if (operation && !schema.getRootType(operation.operation)) throw unsupportedOperation(operation.operation);
          // Bounded before any walk of the variables (the HTTP layer checked them already; this covers other paths).
          const tooLarge = variablesViolation(request.variables);
          if (tooLarge) throw tooLarge;
          const nulPath = nulInVariables(request.variables);
          if (nulPath !== undefined) throw nulInString(`Variable ${nulPath.split(/[.[]/, 1)[0]}`);
          if (documentHasNul(document)) throw nulInString('A string in the document');
          const cost = operationCost({
            schema,
            document,
            variables: request.variables,
            operationName: operation?.name?.value,
            // The shape check bounded the expanded fields by maxCost; the walk also visits spreads and fragments.
            maxNodes: limits.maxCost * 4 + 100,
          });
          if (cost !== undefined && cost > limits.maxCost) throw tooComplex('cost', cost, limits.maxCost);
        },

        async executionDidStart() {
          return {
            willResolveField() {
              if (Date.now() > deadline) throw operationTimedOut(options.operationTimeoutMs);
            },
          };
        },
      };
    },
  };
}
