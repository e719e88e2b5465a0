import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, withRetry, withTimeout } from '@stowage/core';
import { localTreeRoundTrip } from './local-tree.js';

/** The demo: everything runs on this machine, in a temp directory, with servers it starts itself. */
async function main(): Promise<void> {
  const started = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'stowage-demo-'));
  const storage = createStorage({ layers: [withTimeout(), withRetry()] });
  try {
    await localTreeRoundTrip(storage, workDir);
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
