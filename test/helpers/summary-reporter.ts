// Prints one plain closing line after vitest's own report, so any CI that reads a run's last line can tell what ran:
//   tests: N passed, N failed, N skipped; files: N failed; errors: N; run: passed|failed|interrupted
// It must never say less than the runner: a file can fail with every test in it passed (an afterAll that throws, an
// error outside any test), and an unhandled error fails the run, so failed files and errors are counted apart, and
// the run's own verdict (vitest's reason) ends the line.
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  failedFiles: number;
  errors: number;
  run: TestRunEndReason;
}

export function summarize(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: TestRunEndReason): RunSummary {
  const summary: RunSummary = { passed: 0, failed: 0, skipped: 0, failedFiles: 0, errors: unhandledErrors.length, run: reason };
  for (const module of testModules) {
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') summary.passed += 1;
      else if (state === 'failed') summary.failed += 1;
      else summary.skipped += 1;
    }
    if (module.state() === 'failed') summary.failedFiles += 1;
    // Errors of the file itself (a failed import, a throwing hook), outside any test.
    summary.errors += module.errors().length;
  }
  // Whatever the counts say, a run with a failed file or an error has failed.
  if (summary.run === 'passed' && (summary.failed > 0 || summary.failedFiles > 0 || summary.errors > 0)) summary.run = 'failed';
  return summary;
}

export function summaryLine(summary: RunSummary): string {
  const { passed, failed, skipped, failedFiles, errors, run } = summary;
  return `tests: ${passed} passed, ${failed} failed, ${skipped} skipped; files: ${failedFiles} failed; errors: ${errors}; run: ${run}`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: TestRunEndReason) {
    process.stdout.write(`\n${summaryLine(summarize(testModules, unhandledErrors, reason))}\n`);
  }
}
