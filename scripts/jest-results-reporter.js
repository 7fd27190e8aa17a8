// Writes each package's jest totals to artifacts/test-results, so `npm test` can
// end with one "N passed, N failed" line for the whole monorepo.
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

class ResultsReporter {
  onRunComplete(_contexts, results) {
    const dir = path.resolve(__dirname, '../artifacts/test-results');
    mkdirSync(dir, { recursive: true });
    const name = path.basename(process.cwd());
    writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}
module.exports = ResultsReporter;
