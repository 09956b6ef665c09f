// The usual choice: Beacon's schema and resolvers (peer.ts) on a plain Apollo Server 5, on Fastify like Beacon, with
// Apollo's whole-response cache (@apollo/server-plugin-response-cache). No field cache, no invalidation (the plugin
// has none: entries live until their TTL).
//
// PEER_CACHE=redis (default): over Keyv + Redis, as Apollo's docs recommend for more than one instance: KeyvAdapter
// wrapped in ErrorsAreMissesCache. PEER_CACHE=memory: Apollo's default cache, an InMemoryLRUCache in the process.
// Environment: see peer.ts.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import { ErrorsAreMissesCache } from '@apollo/utils.keyvaluecache';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import KeyvRedis from '@keyv/redis';
import Fastify from 'fastify';
import Keyv from 'keyv';
import type { RequestContext } from '../../src/graphql/context.js';
import { openPeer, peerCache, RESOLVER_RUNS_PATH } from './peer.js';

const onRedis = peerCache('redis') === 'redis';
const peer = await openPeer(onRedis ? 'apollo-redis' : 'apollo-memory');
const keyv = onRedis ? new Keyv<string>({ store: new KeyvRedis<string>(peer.required('REDIS_URL')), namespace: peer.namespace }) : undefined;

const http = Fastify({ logger: false });
const apollo = new ApolloServer<RequestContext>({
  typeDefs: peer.typeDefs,
  resolvers: peer.resolvers,
  // Left out, Apollo makes its default InMemoryLRUCache. The adapter's typings name keyv's CommonJS build, this file
  // imports its ESM build: the same class at runtime.
  ...(keyv && { cache: new ErrorsAreMissesCache<string>(new KeyvAdapter<string>(keyv as unknown as ConstructorParameters<typeof KeyvAdapter>[0])) }),
  plugins: [
    ApolloServerPluginLandingPageDisabled(),
    // Unhinted object fields (connections, metrics, columns) would make every response maxAge 0 and uncacheable;
    // Beacon defaults them to its TTL cap, and so does this baseline, so both cache the same responses.
    ApolloServerPluginCacheControl({ defaultMaxAge: peer.maxTtlSeconds }),
    responseCachePlugin<RequestContext>({
      // Cache-Control: no-cache from the client skips the lookup (the response is computed and stored), as in Beacon.
      shouldReadFromCache: async ({ request }) => !/\bno-cache\b/i.test(request.http?.headers.get('cache-control') ?? ''),
    }),
    fastifyApolloDrainPlugin(http),
  ],
});
await apollo.start();
http.route({
  method: ['GET', 'POST'],
  url: '/graphql',
  handler: fastifyApolloHandler(apollo, { context: async () => peer.context() }),
});
http.get(RESOLVER_RUNS_PATH, async () => String(peer.resolverRuns()));
await http.listen({ host: '127.0.0.1', port: peer.port });

peer.stopWith(async () => {
  await http.close();
  await apollo.stop();
  await keyv?.disconnect();
});
