'use strict';
/**
 * Prints one closing line in the plain form CI tooling reads, "tests: N passed, N failed",
 * as the very last line (jest's own "Tests: N passed, N total" is not that form, and jest
 * prints its summary after every custom reporter, hence the exit hook).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    process.once('exit', () => process.stderr.write(`${line}\n`));
  }
}
module.exports = SummaryReporter;
