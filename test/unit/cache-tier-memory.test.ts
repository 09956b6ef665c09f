// L1 (the in-process LRU) against the tier contract every tier satisfies (test/helpers/tier-contract.ts).
import { MemoryTier } from '../../src/cache/memory-tier.js';
import { describeTierContract } from '../helpers/tier-contract.js';

describeTierContract('MemoryTier (L1)', async () => ({
  tier: new MemoryTier(10_000_000),
  key: (name) => `contract:${name}`,
  close: async () => {},
}));
