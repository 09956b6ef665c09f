// A real Redis Cluster on loopback for tests: 3 masters + 3 replicas (redis-server --cluster-enabled yes, no
// persistence, cluster-node-timeout 1000 ms so a killed master's replica is promoted within seconds), created with
// `redis-cli --cluster create`, removed afterwards (processes killed, config files deleted).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@keyv/redis';
import { freePort, waitFor } from './cache.js';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  process: ChildProcess;
}

export class TestRedisCluster {
  private constructor(
    readonly nodes: ClusterNode[],
    private readonly dir: string,
  ) {}

  /** REDIS_CLUSTER_NODES for an app: every node as a seed. */
  get seeds(): string {
    return this.nodes.map((node) => `redis://127.0.0.1:${node.port}`).join(',');
  }

  static async start(options: { masters?: number; replicasPerMaster?: number } = {}): Promise<TestRedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    const dir = mkdtempSync(path.join(tmpdir(), 'beacon-cluster-'));
    const nodes: ClusterNode[] = [];
    const cluster = new TestRedisCluster(nodes, dir);
    try {
      for (let i = 0; i < masters * (1 + replicas); i++) {
        const port = await freePort();
        const child = spawn(
          'redis-server',
          [
            '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
            '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '1000',
            '--save', '', '--appendonly', 'no', '--dir', dir,
            // A replica fails over however long its link was down: on a loaded test machine, replication can lag
            // long enough for the default (10 x node timeout) to veto the promotion.
            '--cluster-replica-validity-factor', '0',
          ],
          { stdio: 'ignore' },
        );
        nodes.push({ port, process: child });
      }
      for (const node of nodes) await waitFor(() => ping(node.port), 10_000, `redis-server on ${node.port}`);
      await run('redis-cli', [
        '--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas', String(replicas), '--cluster-yes',
      ]);
      await cluster.waitUntilOk();
      // Every replica's link to its master is up (the initial sync done): a failover has a replica to promote.
      await waitFor(
        async () => {
          for (const node of cluster.live()) {
            const info = String(await cluster.command(node.port, ['INFO', 'replication']).catch(() => ''));
            if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
          }
          return true;
        },
        30_000,
        'every replica in sync',
      );
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Until every live node says cluster_state:ok and knows all its replicas. */
  async waitUntilOk(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.live()) {
          const info = String(await this.command(node.port, ['CLUSTER', 'INFO']).catch(() => ''));
          if (!info.includes('cluster_state:ok')) return false;
        }
        return true;
      },
      timeoutMs,
      'cluster_state:ok on every node',
    );
  }

  /** Until `count` live nodes are masters and every live node says cluster_state:ok (a failover has completed). */
  async waitForMasters(count: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        let masters = 0;
        for (const node of this.live()) if (await this.isMaster(node.port).catch(() => false)) masters += 1;
        return masters === count;
      },
      timeoutMs,
      `${count} live masters`,
    ).catch(async (error: Error) => {
      const nodes = await this.command(this.live()[0]!.port, ['CLUSTER', 'NODES']).catch(() => 'unavailable');
      throw new Error(`${error.message}; CLUSTER NODES:\n${String(nodes)}`);
    });
    await this.waitUntilOk(timeoutMs);
  }

  live(): ClusterNode[] {
    return this.nodes.filter((node) => node.process.exitCode === null && node.process.signalCode === null);
  }

  /** The port of the master that holds `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const slot = Number(await this.command(this.live()[0]!.port, ['CLUSTER', 'KEYSLOT', key]));
    const slots = (await this.command(this.live()[0]!.port, ['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][];
    const range = slots.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    return Number(range[2][1]);
  }

  /** SIGKILL one node (a master dies without a word). */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node || node.process.exitCode !== null || node.process.signalCode !== null) return;
    const exited = new Promise((resolve) => node.process.once('exit', resolve));
    node.process.kill('SIGKILL');
    await exited;
  }

  /** Whether `port` is a master now (ROLE). */
  async isMaster(port: number): Promise<boolean> {
    const role = (await this.command(port, ['ROLE'])) as unknown[];
    return role[0] === 'master';
  }

  async command(port: number, args: string[]): Promise<unknown> {
    const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false, connectTimeout: 1_000 } });
    client.on('error', () => {});
    await client.connect();
    try {
      return await client.sendCommand(args);
    } finally {
      client.destroy();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.kill(node.port)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether redis-server and redis-cli are installed (the cluster tests need both). */
export async function clusterToolsAvailable(): Promise<boolean> {
  try {
    await run('redis-server', ['--version']);
    await run('redis-cli', ['--version']);
    return true;
  } catch {
    return false;
  }
}

function ping(port: number): Promise<boolean> {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false, connectTimeout: 500 } });
  client.on('error', () => {});
  return client
    .connect()
    .then(async () => (await client.ping()) === 'PONG')
    .catch(() => false)
    .finally(() => client.destroy());
}
