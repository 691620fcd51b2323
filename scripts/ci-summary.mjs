// Reads vitest's JSON report and prints the whole suite's count as one plain line for CI:
// `N passed, N failed` (`, N skipped` when any test was skipped).
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || report.success === false ? 1 : 0);
