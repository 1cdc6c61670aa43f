/**
 * Ends the run with one plain line, e.g. "jest: 651 passed, 0 failed", so tools that read a run's
 * closing line (CI) see the counts without parsing jest's table. Written at process exit, after
 * jest's own "Ran all test suites" line, to stderr like jest's summary.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
