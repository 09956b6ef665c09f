// The engine with L1 alone (no Redis); the same suite runs with Redis in test/integration/cache-engine-redis.test.ts.
import { describeEngine } from '../helpers/engine-suite.js';

describeEngine('memory');
