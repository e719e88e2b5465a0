import { buildCli } from './cli-harness.js';

/** Vitest global setup: build the binary once before any test file runs it (files run in parallel). */
export default async function setup(): Promise<void> {
  await buildCli();
}
