// @ts-check
import path from 'node:path';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The folder of the workspace package a file belongs to (`packages/core`, `apps/control-plane`), if any. */
function packageRootOf(file) {
  const match = /^(.*?[\\/](?:packages|apps)[\\/][^\\/]+)[\\/]/.exec(file);
  return match?.[1];
}

/**
 * A relative import must not reach into another workspace package: `../../core/src/x.ts` from the SDK is a deep import in disguise.
 * @type {import('eslint').Rule.RuleModule}
 */
const noRelativeCrossPackage = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const root = packageRootOf(context.filename);
    const check = (node) => {
      const source = node.source?.value;
      if (root === undefined || typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(context.filename), source);
      const targetRoot = packageRootOf(target + path.sep);
      if (targetRoot !== undefined && targetRoot !== root) {
        context.report({
          node: node.source,
          message: `"${source}" leaves this package: import it through its public entry point (@switchboard/<name>).`,
        });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

/**
 * Import rules that keep the architecture's dependency direction:
 * core <- provider-* <- sdk <- control-plane. Each package is reached only through its public
 * entry points (the `exports` of its package.json), never through its files.
 */
const deepImports = {
  regex: '^@switchboard/[^/]+/(src|dist|internal|node_modules)(/|$)',
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
    plugins: { switchboard: { rules: { 'no-relative-cross-package': noRelativeCrossPackage } } },
    rules: {
      'switchboard/no-relative-cross-package': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
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
      message:
        'Adapters never import the engine or the control plane: they depend on @switchboard/core only.',
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
