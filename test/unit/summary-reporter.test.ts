// The closing summary line (test/helpers/summary-reporter.ts) never contradicts the runner: it once said
// "2 passed, 0 failed" for a run vitest had failed (a file whose tests passed and whose afterAll threw).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/summary');

function runFixture(pattern: string) {
  const result = spawnSync(process.execPath, [path.resolve('node_modules/vitest/vitest.mjs'), 'run', '--root', FIXTURES], {
    encoding: 'utf8',
    env: { ...process.env, SUMMARY_FIXTURE: pattern, NO_COLOR: '1' },
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  return { exitCode: result.status, line };
}

describe('the summary line', () => {
  it('reports a failed file and a failed run when every test passed but a hook threw', () => {
    const { exitCode, line } = runFixture('after-all-throws.fixture.ts');
    expect(exitCode).not.toBe(0);
    expect(line).toBe('tests: 2 passed, 0 failed, 0 skipped; files: 1 failed; errors: 1; run: failed');
  });

  it('reports a passed run when the runner passed', () => {
    const { exitCode, line } = runFixture('all-pass.fixture.ts');
    expect(exitCode).toBe(0);
    expect(line).toBe('tests: 1 passed, 0 failed, 0 skipped; files: 0 failed; errors: 0; run: passed');
  });
});
