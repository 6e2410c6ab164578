import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * `apps/control-plane/dist/main.js`: turbo builds it before the control plane's tests and benches.
 * `SWITCHBOARD_BUILT_MAIN` points elsewhere (a build of work in progress, beside the shared one).
 */
export const builtMainPath =
  process.env.SWITCHBOARD_BUILT_MAIN ?? fileURLToPath(new URL('../../../dist/main.js', import.meta.url));

/** A control plane running as production does, `node dist/main.js`, in a child process. */
export interface BuiltControlPlane {
  base: string;
  process: ChildProcess;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A TCP port that was free a moment ago, so a restarted instance can answer where the first one did. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Starts `node dist/main.js` with `env` (on top of PATH only) and waits until it prints its base URL. */
export async function startBuiltControlPlane(
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<BuiltControlPlane> {
  if (!existsSync(builtMainPath)) {
    throw new Error(
      `${builtMainPath} is missing: build the control plane first (turbo does before its tests; by hand: ` +
        'npx turbo run build --filter=@switchboard/control-plane).',
    );
  }
  const child = spawn(process.execPath, [builtMainPath], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /base URL:\s+(http:\/\/\S+)/.exec(output);
    if (match !== null) {
      return {
        base: match[1]!,
        process: child,
        output: () => output,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the built control plane did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
