// Global setup of the `redis-cluster` vitest project: one Redis Cluster (3 masters + 3 replicas on loopback ports,
// test/helpers/redis-cluster.ts) shared by every file of the cluster pass, each under its own namespace, and removed
// when the run ends. One cluster per run, not per file: starting one and syncing its replicas takes seconds.
import type { TestProject } from 'vitest/node';
import { clusterToolsAvailable, TestRedisCluster } from './redis-cluster.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!(await clusterToolsAvailable())) {
    // services.ts turns this into a skip with the reason, or a failure under REQUIRE_SERVICES=1.
    project.provide('redisClusterNodes', '');
    return async () => {};
  }
  const cluster = await TestRedisCluster.start();
  project.provide('redisClusterNodes', cluster.seeds);
  return () => cluster.stop();
}
