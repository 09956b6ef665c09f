// Builds a cache service without an app (for engine-level tests), and runs a private redis-server for tests that
// kill, pause or start Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createClient, createCluster } from '@keyv/redis';
import { CacheService, RequestCacheState, type ComputeResponse, type HandedOn } from '../../src/cache/index.js';
import { loadConfig } from '../../src/config.js';
import { cacheReply, replyShapeOf, responseRequestOf, type CacheReply, type HttpGraphqlRequest } from '../../src/http/cache-replies.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/log.js';
import { REDIS_CLUSTER_NODES, REDIS_URL, redisMode } from './services.js';
import { startTestApp, type TestApp } from './app.js';

/** A namespace no other test run uses. */
export function uniqueNamespace(label: string): string {
  return `t-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A clock a test moves by hand, so that expiry is tested without waiting for it. */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

export function createTestCache(env: Record<string, string> = {}, { clock }: { clock?: ManualClock } = {}): CacheService {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const cache = new CacheService({
    config: config.cache,
    typeDefs: loadTypeDefs(),
    ...(clock ? { clock: clock.now } : {}),
    logger: createLogger(process.env.LOG_LEVEL === undefined ? 'silent' : (process.env.LOG_LEVEL as 'debug')),
  });
  cache.start();
  return cache;
}

/**
 * One request through the response cache as the HTTP handler sends it (http/server.ts): its headers read by
 * http/cache-replies.ts, the answer turned into the reply. `compute` plays Apollo.
 */
export async function askResponseCache(
  cache: CacheService,
  request: HttpGraphqlRequest,
  compute: ComputeResponse,
  { visibility = 'vis:public', handedOn }: { visibility?: string; handedOn?: HandedOn } = {},
): Promise<CacheReply> {
  const asked = responseRequestOf(request, visibility);
  if (!asked) throw new Error('no acceptable media type');
  return cacheReply(await cache.responseCache!.respond(asked, compute, handedOn), replyShapeOf(request, true));
}

/** A field cache bound to a fresh request, as a resolver sees ctx.fieldCache. */
export function requestFieldCache(cache: CacheService, state = new RequestCacheState()) {
  return { state, fieldCache: cache.fieldCache.forRequest!(state) };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Deletes every key of a namespace (tests only: KEYS is never used on a request path). In cluster mode (no `url`
 * given), on every master of the run's cluster, one key at a time (a multi-key DEL would cross slots), and one
 * namespace after another: a suite dropping twenty namespaces at once would otherwise open 6 x 20 connections.
 */
export async function dropNamespace(namespace: string, url?: string): Promise<void> {
  if (url !== undefined || redisMode === 'single') return dropOnNode(namespace, url ?? REDIS_URL, false);
  const turn = clusterDrops.then(async () => {
    for (const nodeUrl of REDIS_CLUSTER_NODES?.split(',') ?? []) await dropOnNode(namespace, nodeUrl, true);
  });
  clusterDrops = turn.catch(() => {});
  return turn;
}
let clusterDrops: Promise<void> = Promise.resolve();

async function dropOnNode(namespace: string, url: string, clusterNode: boolean): Promise<void> {
  const client = createClient({ url, socket: { connectTimeout: 10_000 } });
  await client.connect();
  try {
    if (clusterNode) {
      const role = (await client.sendCommand(['ROLE'])) as unknown[];
      if (role[0] !== 'master') return;
      for (const key of await client.keys(`${namespace}:*`)) await client.del(key);
    } else {
      const keys = await client.keys(`${namespace}:*`);
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}

/** What a test does to the run's Redis directly (plant a key, read one back), on one node or through the cluster. */
export interface TestRedisClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: { PX: number }): Promise<unknown>;
  close(): Promise<void>;
}

export async function connectTestRedis(): Promise<TestRedisClient> {
  if (redisMode === 'cluster') {
    const cluster = createCluster({ rootNodes: REDIS_CLUSTER_NODES!.split(',').map((url) => ({ url })) });
    await cluster.connect();
    return {
      get: (key) => cluster.get(key),
      set: (key, value, options) => cluster.set(key, value, options),
      close: () => cluster.close(),
    };
  }
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  return { get: (key) => client.get(key), set: (key, value, options) => client.set(key, value, options), close: () => client.close() };
}

/** redis-cli arguments that reach the run's Redis (`-c`: follow MOVED to the slot's master in cluster mode). */
export function redisCliTarget(): string[] {
  return redisMode === 'cluster' ? ['-c', '-u', REDIS_CLUSTER_NODES!.split(',')[0]!] : ['-u', REDIS_URL];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** A redis-server of our own (no persistence) that a test may kill, restart or pause. */
export class PrivateRedis {
  private process: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivateRedis> {
    return new PrivateRedis(await freePort());
  }

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(() => this.ping(), 5_000, `redis-server on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  /** Runs one command on the server (e.g. CLIENT PAUSE). */
  async command(args: string[]): Promise<unknown> {
    const client = createClient({ url: this.url });
    await client.connect();
    try {
      return await client.sendCommand(args);
    } finally {
      client.destroy();
    }
  }

  private async ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: this.port });
      socket.once('connect', () => {
        socket.write('PING\r\n');
      });
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
  }
}

/**
 * Two instances on one PostgreSQL database (the first seeds it) and one Redis (what `env` names), returned once both
 * hear the invalidation channel: the setup of every two-instance test.
 */
export async function startPair(env: Record<string, string>, subscribeTimeoutMs = 15_000): Promise<{ a: TestApp; b: TestApp }> {
  const a = await startTestApp({ database: 'postgres', env });
  const b = await startTestApp({ database: 'postgres', databaseUrl: a.databaseUrl, env });
  await waitFor(() => a.app.cache.snapshot().redis.subscribed && b.app.cache.snapshot().redis.subscribed, subscribeTimeoutMs, 'both subscriptions');
  return { a, b };
}
