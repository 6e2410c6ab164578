import path from 'node:path';

/** The root of the workspace (the folder with `pnpm-workspace.yaml`). */
export const workspaceRoot = path.resolve(import.meta.dirname, '../../..');

/** A path inside the workspace, from its root. */
export function workspacePath(...segments: string[]): string {
  return path.join(workspaceRoot, ...segments);
}

/** An executable the root package installs (`pnpm`, `tsx`, `publint`). */
export function workspaceBin(name: string): string {
  return workspacePath('node_modules', '.bin', name);
}
