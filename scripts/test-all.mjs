#!/usr/bin/env node
// Runs every package's tests through turbo, then prints one summary over all of them, so the last
// lines of a run say how many tests passed and failed in the whole repository (each package's
// vitest writes a JSON report that this script adds up).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['packages', 'examples'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group))
        .map((name) => join(root, group, name))
        .filter((path) => statSync(path).isDirectory())
    : [],
);
const reportOf = (dir) => join(dir, 'test-results.json');
for (const dir of dirs) rmSync(reportOf(dir), { force: true });

// Three packages at a time: on CI's 2 cores, more only makes the servers the tests start compete.
const turbo = spawnSync('turbo', ['run', 'test', '--continue', '--concurrency=3', ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});

let files = 0;
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const dir of dirs) {
  if (!existsSync(reportOf(dir))) continue;
  const report = JSON.parse(readFileSync(reportOf(dir), 'utf8'));
  files += (report.testResults ?? []).length;
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const suite of report.testResults ?? []) {
    for (const test of suite.assertionResults ?? [])
      if (test.status === 'failed') failures.push(`${suite.name.replace(root, '')} › ${test.fullName}`);
  }
}
console.log('\n──────── all packages ────────');
for (const f of failures) console.log(`FAILED ${f}`);
console.log(`Test files: ${files}`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(turbo.status === 0 && failed === 0 ? 0 : 1);
