import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares. Packages resolve each other's `src/` through the
 * `@switchboard/source` export condition, so tests never need a build first.
 */
export const sharedVitestConfig = defineConfig({
  resolve: { conditions: ['@switchboard/source'] },
  ssr: { resolve: { conditions: ['@switchboard/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    passWithNoTests: false,
  },
});
