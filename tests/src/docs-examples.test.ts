import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlaneProcess, type ControlPlaneProcess } from './support/control-plane-process.ts';
import {
  documentationFiles,
  extractExamples,
  missingOutputLine,
  readWorkspaceFile,
  type MarkdownExample,
} from './support/markdown-examples.ts';
import { describeResult, runCommand } from './support/run-command.ts';
import { workspaceBin, workspacePath, workspaceRoot } from './support/workspace.ts';

/**
 * Every ```bash example``` and ```ts example``` block of the README, `docs/` and the examples'
 * READMEs runs here, against the built control plane started as the README says (embedded PGlite,
 * simulated models), with SWITCHBOARD_URL and SWITCHBOARD_API_KEY set as the docs tell readers to
 * set them; shell examples run from the repository's root, TypeScript ones from a scratch project. A block must exit 0, and print what its ```text output``` block shows, if it has one.
 */
const examples: MarkdownExample[] = documentationFiles().flatMap((file) =>
  extractExamples(readWorkspaceFile(file), file),
);
const fileName = (example: MarkdownExample) =>
  `${example.file.replace(/[^A-Za-z0-9]+/g, '-')}-${example.line}.ts`;

describe('the documentation’s examples', () => {
  let controlPlane: ControlPlaneProcess;
  let scratch: string;
  let environment: NodeJS.ProcessEnv;

  beforeAll(async () => {
    controlPlane = await startControlPlaneProcess();
    // TypeScript examples run from a scratch folder that sees the workspace's packages as a reader's
    // project sees its dependencies: through node_modules, by package name.
    scratch = await mkdtemp(path.join(tmpdir(), 'switchboard-docs-examples-'));
    await symlink(workspacePath('tests/node_modules'), path.join(scratch, 'node_modules'), 'dir');
    await writeFile(path.join(scratch, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(
      path.join(scratch, 'tsconfig.json'),
      JSON.stringify({
        extends: workspacePath('tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          allowImportingTsExtensions: true,
          typeRoots: [workspacePath('node_modules/@types')],
          // Type-check against the packages' published types (dist/*.d.ts, built before these tests),
          // as a reader's project would, not against their sources.
          customConditions: [],
        },
        include: ['*.ts'],
      }),
    );
    for (const example of examples.filter((candidate) => candidate.language === 'ts')) {
      await writeFile(path.join(scratch, fileName(example)), `${example.code}\n`);
    }
    environment = {
      ...process.env,
      SWITCHBOARD_URL: controlPlane.baseUrl,
      SWITCHBOARD_API_KEY: controlPlane.adminKey,
    };
  }, 120_000);

  afterAll(async () => {
    await controlPlane?.stop();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  it('finds runnable examples in the README, the concepts, the operations guides and the examples', () => {
    const files = new Set(examples.map((example) => example.file));
    expect(files).toContain('README.md');
    expect([...files].some((file) => file.startsWith('docs/concepts/'))).toBe(true);
    expect([...files].some((file) => file.startsWith('docs/operations/'))).toBe(true);
    expect(examples.filter((example) => example.language === 'ts').length).toBeGreaterThan(0);
    expect(examples.filter((example) => example.language === 'bash').length).toBeGreaterThan(0);
  });

  it('type-checks every TypeScript example', { timeout: 180_000 }, async () => {
    const result = await runCommand(workspaceBin('tsc'), ['--noEmit', '-p', scratch], { cwd: scratch });
    expect(result.exitCode, describeResult(result)).toBe(0);
  });

  for (const example of examples) {
    // Generous: tsx starts, and the simulated models answer at their registry speed, on shared cores.
    it(`runs ${example.file}:${example.line} (${example.language})`, { timeout: 120_000 }, async () => {
      const result =
        example.language === 'bash'
          ? await runCommand('bash', ['-c', `set -euo pipefail\n${example.code}`], {
              cwd: workspaceRoot,
              env: environment,
            })
          : await runCommand(
              workspaceBin('tsx'),
              ['--conditions=@switchboard/source', path.join(scratch, fileName(example))],
              { cwd: scratch, env: environment },
            );
      expect(result.exitCode, describeResult(result)).toBe(0);
      if (example.expectedOutput !== undefined) {
        expect(
          missingOutputLine(result.stdout, example.expectedOutput),
          describeResult(result),
        ).toBeUndefined();
      }
    });
  }
});
