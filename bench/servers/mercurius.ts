// mercurius (GraphQL on Fastify 5) with mercurius-cache: Beacon's schema and resolvers (peer.ts) with the cache
// mercurius offers. It is a resolver cache, not a response cache: a hit still parses, validates and executes the
// query, and the cached fields' results come from the cache instead of their resolvers. The policy names the two
// fields of the bench's dashboard query that reach the database (Query.dataset and Dataset.modelRuns, keyed by
// their parent, arguments and selected fields); the rest are plain reads of what those return.
//
// Storage: mercurius-cache's default, in memory (async-cache-dedupe's LRU, size raised from 1,024 to 100,000
// entries per field so the miss scenario's entries do not crowd out anything), ttl = Beacon's TTL cap. It has Redis
// storage too, with the same resolver-level semantics; the bench runs the in-memory one, its documented default.
// No invalidation is configured (mercurius-cache needs references and invalidate policies written per field).
// Environment: see peer.ts.
import Fastify from 'fastify';
import { print } from 'graphql';
import mercurius from 'mercurius';
import mercuriusCacheModule from 'mercurius-cache';
import { openPeer, RESOLVER_RUNS_PATH } from './peer.js';

// A CommonJS module whose typings say `export default`: under NodeNext the default import is module.exports, which is
// the plugin itself at runtime.
const mercuriusCache = mercuriusCacheModule as unknown as typeof mercuriusCacheModule.default;

const peer = await openPeer('mercurius');
const http = Fastify({ logger: false });
// Beacon and Apollo end a JSON body with a newline; mercurius hands Fastify the result object, which Fastify
// serializes with JSON.stringify and nothing after it. Same serializer plus the newline: the same bytes.
http.setReplySerializer((payload) => `${JSON.stringify(payload)}\n`);
await http.register(mercurius, {
  schema: print(peer.typeDefs),
  // mercurius types its resolvers loosely (IResolvers); Beacon's map is the same shape.
  resolvers: peer.resolvers as never,
  // mercurius merges its own fields (reply, app) into this object.
  context: () => peer.context(),
  graphiql: false,
});
await http.register(mercuriusCache, {
  ttl: peer.maxTtlSeconds,
  storage: { type: 'memory', options: { size: 100_000 } },
  policy: { Query: { dataset: true }, Dataset: { modelRuns: true } },
});
http.get(RESOLVER_RUNS_PATH, async () => String(peer.resolverRuns()));
await http.listen({ host: '127.0.0.1', port: peer.port });

peer.stopWith(async () => {
  await http.close();
});
