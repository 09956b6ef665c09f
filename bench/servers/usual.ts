// The usual choice: Beacon's schema and resolvers (loadTypeDefs, schemaResolvers, createRepositories,
// createRequestContext) on a plain Apollo Server, on Fastify like Beacon, with Apollo's whole-response cache
// (@apollo/server-plugin-response-cache) over Keyv + Redis, as Apollo's docs recommend: KeyvAdapter wrapped in
// ErrorsAreMissesCache. No field cache, no invalidation (the plugin has none: entries live until their TTL).
//
// Environment: PORT, DATABASE_URL, REDIS_URL, CACHE_NAMESPACE (the Keyv namespace), CACHE_MAX_TTL_SECONDS.
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
import { openDatabase } from '../../src/db/database.js';
import { createRequestContext, type RequestContext, type Services } from '../../src/graphql/context.js';
import { createRepositories } from '../../src/graphql/domains.js';
import { loadTypeDefs, schemaResolvers } from '../../src/graphql/schema.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
};

const database = await openDatabase({ url: required('DATABASE_URL'), poolSize: 10, dataDir: 'memory://' });
const services: Services = {
  repos: createRepositories(database.db),
  pingDatabase: () => database.ping(),
  version: 'usual',
  startedAt: Date.now(),
};
const keyv = new Keyv<string>({ store: new KeyvRedis<string>(required('REDIS_URL')), namespace: required('CACHE_NAMESPACE') });
const maxTtlSeconds = Number(process.env.CACHE_MAX_TTL_SECONDS ?? 86_400);

const http = Fastify({ logger: false });
const apollo = new ApolloServer<RequestContext>({
  typeDefs: loadTypeDefs(),
  resolvers: schemaResolvers(),
  // The adapter's typings name keyv's CommonJS build, this file imports its ESM build: the same class at runtime.
  cache: new ErrorsAreMissesCache<string>(new KeyvAdapter<string>(keyv as unknown as ConstructorParameters<typeof KeyvAdapter>[0])),
  plugins: [
    ApolloServerPluginLandingPageDisabled(),
    // Unhinted object fields (connections, metrics, columns) would make every response maxAge 0 and uncacheable;
    // Beacon defaults them to its TTL cap, and so does this baseline, so both cache the same responses.
    ApolloServerPluginCacheControl({ defaultMaxAge: maxTtlSeconds }),
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
  handler: fastifyApolloHandler(apollo, { context: async () => createRequestContext(services) }),
});
await http.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });

const stop = async () => {
  await http.close();
  await apollo.stop();
  await keyv.disconnect();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
