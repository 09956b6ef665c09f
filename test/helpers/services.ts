// Where the real services live in tests, and whether they are up. Under CI (REQUIRE_SERVICES=1) a missing service
// fails the run; on a developer's machine without it, the tests that need it are skipped with the reason printed.
import net from 'node:net';

export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const servicesRequired = process.env.REQUIRE_SERVICES === '1';

/**
 * BEACON_TEST_REDIS=cluster (the `redis-cluster` vitest project sets it): the cache tests run against the Redis
 * Cluster that project's global setup started for the run (test/helpers/redis-cluster-setup.ts), through
 * REDIS_CLUSTER_NODES instead of REDIS_URL. Read lazily, and vitest only imported then: bench/ imports these helpers too.
 */
export const redisMode: 'single' | 'cluster' = process.env.BEACON_TEST_REDIS === 'cluster' ? 'cluster' : 'single';
export const REDIS_CLUSTER_NODES: string | undefined =
  redisMode === 'cluster' ? (process.env.TEST_REDIS_CLUSTER_NODES ?? ((await import('vitest')).inject('redisClusterNodes') || undefined)) : undefined;

/** The app env that points a test's cache at the run's Redis: `{ REDIS_URL }`, or `{ REDIS_CLUSTER_NODES }` in cluster mode. */
export const REDIS_ENV: Record<string, string> =
  redisMode === 'cluster' ? (REDIS_CLUSTER_NODES ? { REDIS_CLUSTER_NODES } : {}) : { REDIS_URL };

/** Whether an app env has an L2 (either kind of Redis). */
export function usesRedis(env: Record<string, string | undefined>): boolean {
  return env.REDIS_URL !== undefined || env.REDIS_CLUSTER_NODES !== undefined;
}

/** The backends a suite runs on in this pass: in cluster mode only those with a Redis (the others ran in the default pass). */
export function backendsOfThisPass<T extends { env: Record<string, string> }>(backends: T[]): T[] {
  return redisMode === 'cluster' ? backends.filter((backend) => usesRedis(backend.env)) : backends;
}

/**
 * For a suite that needs one redis-server as such (it kills, pauses or proxies a Redis of its own, or runs redis-cli
 * on it): true in single-node mode; false in cluster mode, with the reason printed (the suite is skipped there).
 */
export function singleNodeOnly(reason: string): boolean {
  if (redisMode === 'single') return true;
  console.info(`skipped on the Redis Cluster pass: ${reason}`);
  return false;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** REDIS_CLUSTER_NODES of the run's shared cluster ('' when none could be started). */
    redisClusterNodes: string;
  }
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the service is up; false (with a printed reason) when it may be skipped; throws under CI. */
export async function serviceAvailable(name: 'PostgreSQL' | 'Redis'): Promise<boolean> {
  if (name === 'Redis' && redisMode === 'cluster' && !REDIS_CLUSTER_NODES) {
    const reason = 'BEACON_TEST_REDIS=cluster, but no Redis Cluster was started for this run (redis-server or redis-cli missing?)';
    if (servicesRequired) throw new Error(`${reason}, and REQUIRE_SERVICES=1 requires it`);
    console.warn(`skipping tests that need Redis: ${reason}`);
    return false;
  }
  const url = name === 'PostgreSQL' ? POSTGRES_ADMIN_URL : redisMode === 'cluster' ? REDIS_CLUSTER_NODES!.split(',')[0]! : REDIS_URL;
  if (await reachable(url)) return true;
  const reason = `${name} is not reachable at ${new URL(url).host}`;
  if (servicesRequired) throw new Error(`${reason}, and REQUIRE_SERVICES=1 requires it`);
  console.warn(`skipping tests that need ${name}: ${reason}`);
  return false;
}

export const postgresUp = await serviceAvailable('PostgreSQL');
export const redisUp = await serviceAvailable('Redis');
