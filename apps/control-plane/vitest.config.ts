import swc from 'unplugin-swc';
import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared.ts';

/**
 * NestJS resolves constructor dependencies from decorator metadata, which esbuild drops; SWC keeps
 * it (`emitDecoratorMetadata`), so the control plane's tests compile through SWC.
 */
export default mergeConfig(
  sharedVitestConfig,
  defineConfig({
    plugins: [swc.vite({ module: { type: 'es6' } })],
    test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
  }),
);
