// Operation limits: what a single GraphQL operation may ask for, checked before it runs. See plugin.ts for the order
// of the checks and docs/limits.md for the defaults.
import type { Config } from '../../config.js';
import { ANONYMOUS, requireRole, type Principal } from '../../auth/principal.js';
import type { LimitsPluginOptions } from './plugin.js';

export { beaconEstimator, EXPENSIVE_FIELDS, operationCost, requestedSize } from './cost.js';
export { LimitCode, operationTimedOut, tooComplex, withoutSuggestions } from './errors.js';
export { checkDocumentText, shapeOf, shapeViolation, type OperationLimits } from './check.js';
export { createLimitsPlugin, type LimitsPluginOptions } from './plugin.js';
export { countTokens, FragmentCycleError, measureDocument, type Shape } from './shape.js';

/**
 * The plugin's options from the config. Introspection: everyone outside production; in production admins only (the
 * ADMIN_TOKEN, admin keys, admin JWTs), refused like any role check: 401 UNAUTHENTICATED without credentials, 403
 * FORBIDDEN with a smaller role.
 */
export function limitsPluginOptions(config: Config): LimitsPluginOptions {
  return {
    limits: config.limits,
    operationTimeoutMs: config.limits.operationTimeoutMs,
    checkIntrospection(context) {
      if (config.env === 'production') requireRole((context as { principal?: Principal }).principal ?? ANONYMOUS, 'admin');
    },
  };
}
