import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: repositoryRoot });

/** Lints `source` as if it were the file at `relativePath` and returns the messages of the import rules. */
async function importProblems(relativePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(repositoryRoot, relativePath) });
  return (result?.messages ?? [])
    .filter((message) => /no-restricted-imports|no-relative-cross-package/.test(message.ruleId ?? ''))
    .map((message) => message.message);
}

describe('the dependency direction core <- provider-* <- sdk <- control-plane', () => {
  it('forbids core from importing any package of ours', async () => {
    const problems = await importProblems(
      'packages/core/src/probe.ts',
      "import { createSimulatedAdapter } from '@switchboard/provider-sim';\nexport const probe = createSimulatedAdapter;\n",
    );
    expect(problems).toEqual([expect.stringContaining('packages/core depends on nothing of ours')]);
  });

  it('forbids the SDK from importing NestJS or the control plane', async () => {
    const problems = await importProblems(
      'packages/sdk/src/probe.ts',
      "import { Injectable } from '@nestjs/common';\nimport * as plane from '@switchboard/control-plane';\nexport const probe = [Injectable, plane];\n",
    );
    expect(problems).toEqual([
      expect.stringContaining('never imports NestJS'),
      expect.stringContaining('never imports the control plane'),
    ]);
  });

  it('forbids adapters from importing the engine', async () => {
    const problems = await importProblems(
      'packages/provider-openai/src/probe.ts',
      "import * as engine from '@switchboard/sdk';\nexport const probe = engine;\n",
    );
    expect(problems).toEqual([expect.stringContaining('Adapters never import the engine')]);
  });

  it('forbids deep imports into another package, by name or by relative path', async () => {
    const problems = await importProblems(
      'packages/sdk/src/probe.ts',
      "import { select } from '@switchboard/core/src/selection/select.ts';\nimport { price } from '../../core/src/cost/price.ts';\nexport const probe = [select, price];\n",
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('public entry point');
    expect(problems[1]).toContain('leaves this package');
  });

  it('allows the public entry points and files inside the same package', async () => {
    const problems = await importProblems(
      'packages/sdk/src/probe.ts',
      "import { select } from '@switchboard/core';\nimport { startFaultServer } from '@switchboard/provider-sim/testing';\nimport { helper } from './helper.ts';\nexport const probe = [select, startFaultServer, helper];\n",
    );
    expect(problems).toEqual([]);
  });
});
