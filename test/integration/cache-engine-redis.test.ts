// The engine with L1 + the real local Redis (a namespace of its own); the same suite runs with L1 alone in
// test/unit/cache-engine.test.ts.
import { describeEngine } from '../helpers/engine-suite.js';

describeEngine('redis');
