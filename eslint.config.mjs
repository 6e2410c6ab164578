// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import rules that keep the architecture's dependency direction:
 * core <- provider-* <- sdk <- control-plane. Each package is reached only through its public
 * entry points (the `exports` of its package.json), never through its files.
 */
const deepImports = {
  regex: '^@switchboard/[^/]+/(src|dist|internal|node_modules)(/|$)|(\\.\\./)+(packages|apps)/',
  message: 'Import another package through its public entry point (`@switchboard/<name>`), not its files.',
};

/** @param {{ regex: string, message: string }[]} extra */
const restrict = (...extra) => ({
  'no-restricted-imports': ['error', { patterns: [deepImports, ...extra] }],
});

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**', '**/.data/**', '**/coverage/**'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
    },
  },
  {
    files: ['packages/core/**/*.ts'],
    rules: restrict({
      regex: '^@switchboard/',
      message: 'packages/core depends on nothing of ours: move shared types into core instead.',
    }),
  },
  {
    files: ['packages/provider-*/src/**/*.ts'],
    ignores: ['packages/provider-*/src/**/*.test.ts'],
    rules: restrict({
      regex: '^@switchboard/(sdk|control-plane)$',
      message: 'Adapters never import the engine or the control plane: they depend on @switchboard/core only.',
    }),
  },
  {
    files: ['packages/sdk/**/*.ts'],
    rules: restrict(
      { regex: '^@nestjs/', message: 'The SDK runs in any host: it never imports NestJS.' },
      { regex: '^@switchboard/control-plane', message: 'The SDK never imports the control plane.' },
    ),
  },
);
