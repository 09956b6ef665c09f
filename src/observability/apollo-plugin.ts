// Tells the HTTP layer what only Apollo knows about a request: the operation's type, the codes of the errors it
// answered with, and whether the response could have been cached. The request is found through the request context
// (request-context.ts), so nothing has to be threaded through the handler. Cache hits never reach Apollo; for them
// the HTTP layer knows enough (a hit is a successful, cacheable query).
import type { ApolloServerPlugin } from '@apollo/server';
import type { CacheAwareContext } from '../cache/index.js';
import { currentRequest } from './request-context.js';

export function observabilityPlugin<TContext extends CacheAwareContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const record = currentRequest();
      if (!record) return;
      return {
        async didResolveOperation({ operation }) {
          record.operationType = operation?.operation;
        },
        async willSendResponse({ response, errors, overallCachePolicy, contextValue }) {
          const codes: string[] = [];
          const sent = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          for (const error of sent ?? errors ?? []) codes.push(String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          record.errorCodes = codes;
          const policy = overallCachePolicy.policyIfCacheable();
          record.cacheable =
            record.operationType === 'query' && contextValue.cacheState?.noStoreReason === undefined && policy !== null && policy.maxAge > 0;
        },
      };
    },
  };
}
