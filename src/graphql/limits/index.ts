// Operation limits: what a single GraphQL operation may ask for, checked before it runs. See plugin.ts for the order
// of the checks and docs/limits.md for the defaults.
import type { Config } from '../../config.js';
import { isAdminAuthorization } from '../admin.js';
import type { LimitsPluginOptions } from './plugin.js';

export { beaconEstimator, EXPENSIVE_FIELDS, operationCost, requestedSize } from './cost.js';
export { introspectionForbidden, LimitCode, operationTimedOut, tooComplex, withoutSuggestions } from './errors.js';
export { checkDocumentText, shapeOf, shapeViolation, type OperationLimits } from './check.js';
export { createLimitsPlugin, type LimitsPluginOptions } from './plugin.js';
export { countTokens, FragmentCycleError, measureDocument, type Shape } from './shape.js';

/** The plugin's options from the config: outside production everyone may introspect; in production, the admin. */
export function limitsPluginOptions(config: Config): LimitsPluginOptions {
  return {
    limits: config.limits,
    operationTimeoutMs: config.limits.operationTimeoutMs,
    introspectionAllowed: (request) =>
      config.env !== 'production' || isAdminAuthorization(request.http?.headers.get('authorization'), config.adminToken),
  };
}
