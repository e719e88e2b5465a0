import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Vitest global setup: bring `dist` up to date once, before any test file runs. Tests that start
 * child processes (a killed writer, a low open-file limit) run the built package as a user's
 * process would; building here, not in each file, keeps two files from rewriting `dist` at once.
 * Incremental: quick when nothing changed.
 */
export default async function setup(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(PACKAGE_DIR, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: PACKAGE_DIR,
    timeout: 120_000,
  });
}
