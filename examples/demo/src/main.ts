import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from '@stowage/core';
import { localTreeRoundTrip } from './local-tree.js';
import { seedWorkflow } from './seed-workflow.js';

// The AWS SDK warns on every start under Node 20 that future releases will need Node 22; the demo
// runs on Node 20 on purpose, so that one warning is dropped and every other warning still shows.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'NodeVersionSupportWarning') console.warn(`${warning.name}: ${warning.message}`);
});

/** The demo: everything runs on this machine, in a temp directory, with servers it starts itself. */
async function main(): Promise<void> {
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'stowage-demo-'));
  // The default layers (metrics, timeout, retry) are what the CLI runs with too.
  const storage = createStorage();
  try {
    await localTreeRoundTrip(storage, workDir);
    await seedWorkflow(workDir);
  } finally {
    await storage.close();
    await rm(workDir, { recursive: true, force: true });
  }
  console.log(`\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
