'use strict';
/**
 * Prints one closing line in the plain form CI tooling reads, "tests: N passed, N failed",
 * after jest's own summary (jest's "Tests: N passed, N total" is not that form).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    process.stderr.write(`${line}\n`); // after jest's own summary, which goes to stderr
  }
}
module.exports = SummaryReporter;
