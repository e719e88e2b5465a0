import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

// The CLI tests run the built binary: build it once, before the test files start in parallel. Each
// test starts several `stowage` processes (Node start-up plus the AWS SDK), which on 2 busy cores
// can take well over the shared 30 s, so these get more time.
export default mergeConfig(
  packageTestConfig(),
  defineConfig({ test: { globalSetup: ['test/support/build-once.ts'], testTimeout: 120_000 } }),
);
