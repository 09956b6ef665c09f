// L2 (Redis) against the tier contract every tier satisfies (test/helpers/tier-contract.ts), on the real local
// Redis, every key under this run's own prefix (removed afterwards).
import { RedisConnection } from '../../src/cache/redis-connection.js';
import { RedisTier } from '../../src/cache/redis-tier.js';
import { dropNamespace, uniqueNamespace } from '../helpers/cache.js';
import { REDIS_URL } from '../helpers/services.js';
import { describeTierContract } from '../helpers/tier-contract.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describeTierContract('RedisTier (L2)', async () => {
  const namespace = uniqueNamespace('tier-contract');
  // A generous budget: the contract is about what the tier keeps, not about the read path's time budget.
  const connection = new RedisConnection({ url: REDIS_URL, timeoutMs: 2_000, logger: quiet, reconnect: false });
  if (!(await connection.connectClient(5_000))) throw new Error(`Redis at ${REDIS_URL} is not reachable: ${connection.lastError}`);
  return {
    tier: new RedisTier(connection),
    key: (name) => `${namespace}:${name}`,
    close: async () => {
      await dropNamespace(namespace);
      await connection.close();
    },
  };
});
