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
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
  },
});
