import { defineConfig } from 'vitest/config';

/**
 * The one vitest configuration every package uses. Workspace packages resolve to their TypeScript
 * sources (the `@stowage/source` export condition), so tests never need a build first; each package
 * writes a JSON report that `scripts/test-all.mjs` adds up into one summary.
 */
export function packageTestConfig() {
  return defineConfig({
    resolve: { conditions: ['@stowage/source'] },
    ssr: { resolve: { conditions: ['@stowage/source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  });
}
