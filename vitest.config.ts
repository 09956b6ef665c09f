import { defineConfig } from 'vitest/config';

/**
 * The tests that use the shared Redis, run a second time against a Redis Cluster (REDIS_CLUSTER_NODES; one cluster of
 * 3 masters + 3 replicas per run, test/helpers/redis-cluster-setup.ts). Suites inside them that need one redis-server
 * as such skip there with the reason (services.ts singleNodeOnly). The cache-cluster* files start clusters of their
 * own (they kill masters), so they run once, in the default project.
 */
const CLUSTER_PASS = [
  'test/integration/cache-engine-redis.test.ts',
  'test/integration/cache-lease.test.ts',
  'test/integration/cache-stamps.test.ts',
  'test/integration/cache-batching.test.ts',
  'test/integration/cache-instances.test.ts',
  'test/integration/cache-precision.test.ts',
  'test/integration/cache-race.test.ts',
  'test/integration/cache-read-after-write.test.ts',
  'test/integration/cache-redis.test.ts',
  'test/integration/cache-resumes.test.ts',
  'test/integration/cache-single-flight.test.ts',
  'test/integration/persisted-queries.test.ts',
  'test/integration/scale-out.test.ts',
  'test/security/team-cache.test.ts',
];

export default defineConfig({
  test: {
    // Each file builds its own app and database; two cores run two files at a time (across both projects).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'redis-cluster',
          include: CLUSTER_PASS,
          env: { BEACON_TEST_REDIS: 'cluster' },
          globalSetup: ['test/helpers/redis-cluster-setup.ts'],
        },
      },
    ],
  },
});
