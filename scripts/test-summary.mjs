// Adds up the per-package jest totals written by jest-results-reporter.js.
import { readdirSync, readFileSync } from 'node:fs';

const dir = new URL('../artifacts/test-results/', import.meta.url);
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
  const result = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  for (const key of Object.keys(totals)) totals[key] += result[key];
}
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
