// What every peer server (usual.ts, mercurius.ts, yoga.ts) shares: Beacon's schema, resolvers and database behind
// another GraphQL server, so a peer differs from Beacon only in its server and its cache. One place opens the
// database, builds the per-request context, counts the resolvers that reach the database, and stops on a signal.
//
// Environment: PORT, DATABASE_URL, REDIS_URL (Redis-backed peers), CACHE_NAMESPACE (their key prefix),
// CACHE_MAX_TTL_SECONDS (Beacon's TTL cap, default 86,400: every peer caches as long as Beacon may).
import type { DocumentNode } from 'graphql';
import type { Principal } from '../../src/auth/principal.js';
import { openDatabase } from '../../src/db/database.js';
import type { Resolvers } from '../../src/generated/graphql.js';
import { createRequestContext, type RequestContext, type Services } from '../../src/graphql/context.js';
import { createRepositories } from '../../src/graphql/domains.js';
import { loadTypeDefs, schemaResolvers } from '../../src/graphql/schema.js';

/** GET this path on a peer: how many times the counted resolvers ran (the harness's proof that a hit is a hit). */
export const RESOLVER_RUNS_PATH = '/bench/resolver-runs';

/**
 * The resolvers of the bench's dashboard query that reach the database (the rest read fields of what these return).
 * A peer that answers from its cache runs none of them.
 */
const COUNTED: ReadonlyArray<readonly [type: string, field: string]> = [
  ['Query', 'dataset'],
  ['Dataset', 'modelRuns'],
];

export interface Peer {
  typeDefs: DocumentNode;
  /** Beacon's resolvers, with the COUNTED ones counting their calls. */
  resolvers: Resolvers<RequestContext>;
  /** A fresh request context (fresh DataLoaders), as Beacon builds one without its cache; the caller is PEER_CALLER. */
  context(): RequestContext;
  /** Calls of the COUNTED resolvers so far. */
  resolverRuns(): number;
  port: number;
  maxTtlSeconds: number;
  /** The Redis-backed peers' key prefix (the run deletes `<prefix>*` at its end). */
  namespace: string;
  required(name: string): string;
  /** Stops on SIGTERM / SIGINT: `close` (the server, its cache), then the database. */
  stopWith(close: () => Promise<void>): void;
}

/**
 * Who a peer's caller is: a peer has no authentication, so every caller may write (the mixed scenario sends
 * mutations) and sees public data only, what an anonymous Beacon reader sees: the same answers as Beacon's.
 */
const PEER_CALLER: Principal = Object.freeze({ id: 'peer', kind: 'api-key', role: 'writer', team: null, allTeams: false });

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
};

export async function openPeer(version: string): Promise<Peer> {
  const database = await openDatabase({ url: required('DATABASE_URL'), poolSize: 10, dataDir: 'memory://' });
  const services: Services = { repos: createRepositories(database.db), pingDatabase: () => database.ping(), version, startedAt: Date.now() };
  let runs = 0;
  const resolvers = schemaResolvers();
  const maps = resolvers as unknown as Record<string, Record<string, unknown>>;
  for (const [type, field] of COUNTED) {
    const original = maps[type]?.[field];
    if (typeof original !== 'function') throw new Error(`${type}.${field} is not a resolver function`);
    maps[type]![field] = (...args: unknown[]) => {
      runs++;
      return (original as (...a: unknown[]) => unknown)(...args);
    };
  }
  return {
    typeDefs: loadTypeDefs(),
    resolvers,
    context: () => createRequestContext(services, undefined, PEER_CALLER),
    resolverRuns: () => runs,
    port: Number(process.env.PORT ?? 0),
    maxTtlSeconds: Number(process.env.CACHE_MAX_TTL_SECONDS ?? 86_400),
    namespace: process.env.CACHE_NAMESPACE ?? `bench-peer-${version}`,
    required,
    stopWith(close) {
      const stop = async () => {
        await close();
        await database.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop());
      process.once('SIGINT', () => void stop());
    },
  };
}

/** Which cache a peer that offers both runs on: PEER_CACHE=memory or redis (the default: `redis` where it has one). */
export function peerCache(fallback: 'memory' | 'redis'): 'memory' | 'redis' {
  const value = process.env.PEER_CACHE ?? fallback;
  if (value !== 'memory' && value !== 'redis') throw new Error(`PEER_CACHE must be memory or redis, got ${JSON.stringify(value)}`);
  return value;
}
