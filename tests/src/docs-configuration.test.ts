import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { defaultRegistryContent } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { readWorkspaceFile } from './support/markdown-examples.ts';
import { workspacePath } from './support/workspace.ts';

/**
 * The configuration reference is complete and has nothing stale: every variable the control plane's
 * config reads is documented in docs/operations/configuration.md, and every variable its
 * "Control plane" table documents is one the control plane reads. A new setting fails this test
 * until it is documented.
 */
const reference = readWorkspaceFile('docs/operations/configuration.md');

/**
 * The control plane's own table of variables (`environmentVariableOf`), read from its build: its
 * sources need the NestJS compiler settings this workspace's type-check does not use, and turbo
 * builds the control plane before these tests.
 */
async function variablesTheControlPlaneReads(): Promise<string[]> {
  const built = workspacePath('apps/control-plane/dist/config/control-plane-config.js');
  if (!existsSync(built)) {
    throw new Error(
      `${built} is missing: build the control plane first (npx turbo run build --filter=@switchboard/control-plane).`,
    );
  }
  const config = (await import(pathToFileURL(built).href)) as {
    environmentVariableOf: Record<string, string>;
  };
  return Object.values(config.environmentVariableOf);
}

/** The variable names in the first column of the table under `## <heading>`. */
function documentedVariables(heading: string): string[] {
  const section = reference.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  if (section === undefined)
    throw new Error(`docs/operations/configuration.md has no "## ${heading}" section`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .flatMap((line) =>
      [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!),
    );
}

describe('the configuration reference', async () => {
  const read = await variablesTheControlPlaneReads();

  it('documents every variable the control plane reads', () => {
    const documented = new Set(documentedVariables('Control plane'));
    expect(read.filter((variable) => !documented.has(variable))).toEqual([]);
  });

  it('documents no variable the control plane does not read', () => {
    expect(documentedVariables('Control plane').filter((variable) => !read.includes(variable))).toEqual([]);
  });

  it('documents the key variable of every provider in the bundled registry', () => {
    const keyVariables = defaultRegistryContent().providers.flatMap((provider) =>
      provider.apiKeyEnv === undefined ? [] : [provider.apiKeyEnv],
    );
    expect(keyVariables.length).toBeGreaterThan(0);
    const documented = new Set(documentedVariables('Provider keys'));
    expect(keyVariables.filter((variable) => !documented.has(variable))).toEqual([]);
  });

  it('is linked from the README', () => {
    expect(readWorkspaceFile('README.md')).toContain('docs/operations/configuration.md');
  });
});
