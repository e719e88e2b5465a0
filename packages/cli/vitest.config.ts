import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

// The CLI tests run the built binary: build it once, before the test files start in parallel.
export default mergeConfig(
  packageTestConfig(),
  defineConfig({ test: { globalSetup: ['test/support/build-once.ts'] } }),
);
