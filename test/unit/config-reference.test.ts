// docs/configuration.md is generated from the environment schema that loadConfig validates with: it must not drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_DOC, renderConfigurationReference } from '../../src/cli/config-reference.js';
import { environmentReference } from '../../src/config.js';

describe('the configuration reference', () => {
  it('is what the environment schema generates (run `npm run docs:config` after changing src/config.ts)', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(renderConfigurationReference());
  });

  it('describes every variable, with its default and what it accepts', () => {
    for (const row of environmentReference()) {
      expect(row.description.length, row.name).toBeGreaterThan(10);
      expect(row.default, row.name).not.toBe('');
      expect(row.accepts, row.name).not.toBe('');
    }
  });
});
