import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares. Packages resolve each other's `src/` through the
 * `@switchboard/source` export condition, so tests never need a build first. Each run also writes a
 * JSON report that `scripts/test-summary.mjs` adds up into one closing line for the whole workspace.
 */
export const sharedVitestConfig = defineConfig({
  resolve: { conditions: ['@switchboard/source'] },
  ssr: { resolve: { conditions: ['@switchboard/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    passWithNoTests: false,
    // A guard against hangs, not a speed limit: these 2-core machines are shared and noisy.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
  },
});
