// graphql-yoga with its response cache (@graphql-yoga/plugin-response-cache, on @envelop/response-cache): Beacon's
// schema and resolvers (peer.ts) on Yoga's own node:http server, the setup Yoga documents for Node. A whole-response
// cache like Apollo's: a hit is answered from the cache before execution.
//
// PEER_CACHE=memory (default): the plugin's default in-memory cache. PEER_CACHE=redis: @envelop/response-cache-redis
// over ioredis, its documented shared cache (keys under CACHE_NAMESPACE:). Responses are global (session: null, as
// Beacon's public data is), ttl = Beacon's TTL cap, lowered per type by the schema's @cacheControl hints, which the
// plugin reads. No extension metadata in the body (the plugin's production default), so the bytes are Beacon's.
// Environment: see peer.ts.
import { createServer } from 'node:http';
import { createRedisCache } from '@envelop/response-cache-redis';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { openPeer, peerCache, RESOLVER_RUNS_PATH } from './peer.js';

const onRedis = peerCache('memory') === 'redis';
const peer = await openPeer(onRedis ? 'yoga-redis' : 'yoga');
const redis = onRedis ? new Redis(peer.required('REDIS_URL'), { keyPrefix: `${peer.namespace}:` }) : undefined;

// Beacon and Apollo end a JSON body with a newline; Yoga serializes a result with `result.stringify` when it has one,
// JSON.stringify otherwise. The same stringify plus the newline: the same bytes (a hit is a fresh copy of the cached
// result, so setting the property touches nothing cached).
const stringify = (result: unknown) => `${JSON.stringify(result)}\n`;
const newlineAfterBody: Plugin = {
  onResultProcess({ result }) {
    if (!Array.isArray(result) && !(Symbol.asyncIterator in result)) result.stringify = stringify;
  },
};

const yoga = createYoga({
  schema: createSchema({ typeDefs: peer.typeDefs, resolvers: peer.resolvers as never }),
  context: () => peer.context(),
  graphiql: false,
  landingPage: false,
  logging: false,
  plugins: [
    newlineAfterBody,
    useResponseCache({
      session: () => null,
      ttl: peer.maxTtlSeconds * 1000,
      includeExtensionMetadata: false,
      // The plugin's default is its in-memory LRU; the Redis cache's typings name another copy of envelop's Cache.
      ...(redis && { cache: createRedisCache({ redis }) as never }),
    }),
  ],
});
const server = createServer((request, response) => {
  if (request.url === RESOLVER_RUNS_PATH) return void response.end(String(peer.resolverRuns()));
  void yoga(request, response);
});
server.keepAliveTimeout = 72_000;
await new Promise<void>((resolve) => server.listen(peer.port, '127.0.0.1', resolve));

peer.stopWith(async () => {
  await new Promise((resolve) => server.close(resolve));
  redis?.disconnect();
});
