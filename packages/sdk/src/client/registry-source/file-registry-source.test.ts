import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RegistrySnapshot } from '@switchboard/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileRegistrySource } from './file-registry-source.ts';
import type { RegistrySourceProblem } from './registry-source.ts';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'switchboard-registry-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function policyFile(weight: number): string {
  return JSON.stringify({
    policies: [{ name: 'studio', weights: { quality: weight, latency: 1, cost: 1 } }],
  });
}

/** Polls until `condition` holds; the test's own timeout bounds the wait. */
async function eventually(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('createFileRegistrySource', () => {
  it('serves the file as loaded, without watching unless asked', async () => {
    const file = path.join(folder, 'registry.json');
    await writeFile(file, policyFile(1));
    const source = await createFileRegistrySource(file, { mergeWithDefaults: true });
    await writeFile(file, policyFile(2));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(source.current().version).toBe(1);
    await source.close();
  });

  it('reloads a changed file (also when replaced by rename), raising the version, and keeps the last good one on a bad edit', async () => {
    const file = path.join(folder, 'registry.json');
    await writeFile(file, policyFile(1));
    const problems: RegistrySourceProblem[] = [];
    const source = await createFileRegistrySource(file, {
      watch: true,
      mergeWithDefaults: true,
      debounceMs: 10,
      onProblem: (problem) => problems.push(problem),
    });
    const seen: RegistrySnapshot[] = [];
    source.subscribe((snapshot) => seen.push(snapshot));

    await writeFile(file, policyFile(2));
    await eventually(() => source.current().version === 2);
    expect(source.current().policies.find((policy) => policy.name === 'studio')?.weights.quality).toBe(2);

    await writeFile(file, '{ "policies": [ { "name": ');
    await eventually(() => problems.length > 0);
    expect(problems[0]).toMatchObject({ kind: 'invalid-snapshot' });
    expect(problems[0]?.message).toMatch(/registry\.json: .*keeping registry version 2/);
    expect(source.current().version).toBe(2);

    const replacement = path.join(folder, 'registry.json.tmp');
    await writeFile(replacement, policyFile(3));
    await rename(replacement, file);
    await eventually(() => source.current().version === 3);
    expect(seen.map((snapshot) => snapshot.version)).toEqual([2, 3]);
    await source.close();
  });

  it('rejects at start when the first load fails', async () => {
    await expect(createFileRegistrySource(path.join(folder, 'absent.yaml'), { watch: true })).rejects.toThrow(
      /Cannot read registry file/,
    );
  });
});
