// npm test's closing summary: every stage's result, read from what each stage wrote to .local/test-results/ (jest's
// --json files, the fuzz stage's own), printed last so that the end of a long log says what ran and what passed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = join(__dirname, '../.local/test-results');

interface JestResults {
  success: boolean;
  numTotalTestSuites: number;
  numPassedTestSuites: number;
  numFailedTestSuites: number;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  startTime: number;
  testResults: { name: string; status: string; endTime?: number }[];
}

interface FuzzResults {
  seed: string;
  runs: { name: string; ok: boolean; summary: string }[];
}

const jestStages = [
  { file: 'jest.json', label: 'unit, contract and integration (jest)' },
  { file: 'chaos.json', label: 'chaos scenarios (jest)' },
  { file: 'compose.json', label: 'gateway suites against docker compose (jest)' },
];

function read<T>(file: string): T | undefined {
  const path = join(resultsDir, file);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function durationOf(results: JestResults): string {
  const end = Math.max(results.startTime, ...results.testResults.map((suite) => suite.endTime ?? 0));
  return `${Math.round((end - results.startTime) / 1000)} s`;
}

function main(): void {
  const exitCode = Number(process.argv[2] ?? 0);
  const lines: string[] = [];
  const totals = { suites: 0, suitesPassed: 0, suitesFailed: 0, tests: 0, passed: 0, failed: 0, pending: 0 };
  for (const stage of jestStages) {
    const results = read<JestResults>(stage.file);
    if (!results) {
      lines.push(`  ${'not run'.padEnd(8)}${stage.label}`);
      continue;
    }
    totals.suites += results.numTotalTestSuites;
    totals.suitesPassed += results.numPassedTestSuites;
    totals.suitesFailed += results.numFailedTestSuites;
    totals.tests += results.numTotalTests;
    totals.passed += results.numPassedTests;
    totals.failed += results.numFailedTests;
    totals.pending += results.numPendingTests;
    const verdict = (results.success ? 'passed' : 'FAILED').padEnd(8);
    lines.push(`  ${verdict}${stage.label}: ${results.numPassedTests} of ${results.numTotalTests} tests passed in ${results.numTotalTestSuites} suites, ${durationOf(results)}`);
    for (const suite of results.testResults.filter((s) => s.status === 'failed')) lines.push(`            failed: ${suite.name}`);
  }
  const fuzz = read<FuzzResults>('fuzz.json');
  if (fuzz) {
    const ok = fuzz.runs.length > 0 && fuzz.runs.every((run) => run.ok);
    lines.push(`  ${(ok ? 'passed' : 'FAILED').padEnd(8)}API fuzzing (Schemathesis, seed ${fuzz.seed}):`);
    for (const run of fuzz.runs) lines.push(`            ${run.ok ? 'passed' : 'FAILED'} ${run.name}: ${run.summary}`);
  } else {
    lines.push(`  ${'not run'.padEnd(8)}API fuzzing (Schemathesis)`);
  }
  process.stdout.write(`\n== npm test: summary\n${lines.join('\n')}\n`);
  // The same totals in jest's own format, over every jest stage that ran.
  const suiteFailed = totals.suitesFailed ? `${totals.suitesFailed} failed, ` : '';
  const testFailed = totals.failed ? `${totals.failed} failed, ` : '';
  const pending = totals.pending ? `${totals.pending} skipped, ` : '';
  process.stdout.write(`Test Suites: ${suiteFailed}${totals.suitesPassed} passed, ${totals.suites} total\n`);
  process.stdout.write(`Tests:       ${testFailed}${pending}${totals.passed} passed, ${totals.tests} total\n`);
  process.stdout.write(exitCode === 0 ? 'npm test: PASSED\n' : `npm test: FAILED (exit ${exitCode})\n`);
  // Last, the plain closing line CI reads as the verdict of a run ("N passed, N failed"): jest's own lines are not
  // among the formats it knows, and a stage's pytest-style banner must not be the last word.
  process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed${totals.pending ? `, ${totals.pending} skipped` : ''}\n`);
}

main();
