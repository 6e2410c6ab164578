// Adds up the JSON reports every package's vitest run wrote and prints one closing line,
// "Tests: N passed, N failed, N skipped", so a reader (or CI) sees the whole workspace at a glance.
// Exits non-zero when any test failed or a package that has tests wrote no report.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const totals = { passed: 0, failed: 0, skipped: 0 };
const missing = [];
const packageDirectories = ['packages', 'apps']
  .filter((group) => existsSync(path.join(root, group)))
  .flatMap((group) => readdirSync(path.join(root, group)).map((name) => path.join(group, name)))
  .concat('tests');
for (const relativeDirectory of packageDirectories) {
  const packageDirectory = path.join(root, relativeDirectory);
  const manifest = JSON.parse(readFileSync(path.join(packageDirectory, 'package.json'), 'utf8'));
  if (!manifest.scripts?.test) continue;
  const reportPath = path.join(packageDirectory, '.test-results', 'vitest.json');
  if (!existsSync(reportPath)) {
    missing.push(relativeDirectory);
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
}
if (missing.length > 0) console.log(`No test report from: ${missing.join(', ')}`);
console.log(`Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || missing.length > 0 ? 1 : 0);
