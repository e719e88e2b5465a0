import { defineConfig, mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

// Some tests run the built package in child processes: build it once before the files start.
export default mergeConfig(
  packageTestConfig(),
  defineConfig({ test: { globalSetup: ['test/support/build-once.ts'] } }),
);
