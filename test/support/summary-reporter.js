/**
 * Prints one plain closing line after jest's own summary, e.g. "jest: 651 passed, 0 failed",
 * so tools that read only the last line of a run (CI) see the counts. stderr, like jest's own summary,
 * so it comes right after it.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stderr.write(
      `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}
module.exports = SummaryReporter;
