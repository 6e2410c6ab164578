import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workspacePath } from './workspace.ts';

/** A running control plane, as an operator starts it: `node apps/control-plane/dist/main.js`. */
export interface ControlPlaneProcess {
  /** `http://127.0.0.1:<port>`, as main.js printed it. */
  baseUrl: string;
  /** The bootstrap admin key it was started with (SWITCHBOARD_ADMIN_KEY). */
  adminKey: string;
  /** Everything it printed to standard output so far. */
  output(): string;
  stop(): Promise<void>;
}

export const controlPlaneEntry = workspacePath('apps/control-plane/dist/main.js');

/** True when the control plane has been built (turbo builds it before these tests). */
export function controlPlaneIsBuilt(): boolean {
  return existsSync(controlPlaneEntry);
}

/**
 * Starts the built control plane on a free port (PORT=0) and a temporary PGlite directory, with a
 * known admin key and probes off, and waits until it prints its base URL. `environment` adds or
 * overrides variables (never DATABASE_URL, REDIS_URL or a provider key from the caller's shell: the
 * docs describe the embedded default, and no request may leave loopback).
 */
export async function startControlPlaneProcess(
  environment: Record<string, string> = {},
): Promise<ControlPlaneProcess> {
  if (!controlPlaneIsBuilt()) {
    throw new Error(
      `${controlPlaneEntry} is missing: build the control plane first (npx turbo run build --filter=@switchboard/control-plane).`,
    );
  }
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'switchboard-docs-'));
  const adminKey = `sb_admin_${randomBytes(24).toString('base64url')}`;
  const inherited = { ...process.env };
  // The embedded default, and no real provider: nothing here may leave loopback.
  for (const name of [
    'DATABASE_URL',
    'REDIS_URL',
    'OPENAI_API_KEY',
    'ANTHROPIC_API_KEY',
    'OPENROUTER_API_KEY',
    'OLLAMA_URL',
  ]) {
    delete inherited[name];
  }
  for (const name of Object.keys(inherited)) if (name.startsWith('SWITCHBOARD_')) delete inherited[name];
  const child: ChildProcess = spawn(process.execPath, [controlPlaneEntry], {
    env: {
      ...inherited,
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_DATA_DIR: dataDirectory,
      SWITCHBOARD_ADMIN_KEY: adminKey,
      SWITCHBOARD_PROBE_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /base URL:\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`the control plane exited with code ${String(code)}:\n${output}\n${errors}`)),
    );
  });
  return {
    baseUrl,
    adminKey,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}
