/**
 * What the control-plane benchmarks share: where things are, building the control plane once, and
 * running the fault server and the built app as child processes (tsx, which runs the benchmarks,
 * drops decorator metadata, so the Nest app cannot run in the benchmark's own process).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const appRoot = fileURLToPath(new URL('../..', import.meta.url));
export const repositoryRoot = path.resolve(appRoot, '../..');
export const binaries = path.join(repositoryRoot, 'node_modules', '.bin');

/** Builds the control plane and its dependencies with turbo, unless `SWITCHBOARD_BENCH_SKIP_BUILD=1`. */
export function buildControlPlaneUnlessSkipped(): void {
  if (process.env.SWITCHBOARD_BENCH_SKIP_BUILD === '1') return;
  process.stdout.write('Building the control plane and its dependencies (turbo)...\n');
  execFileSync(path.join(binaries, 'turbo'), ['run', 'build', '--filter=@switchboard/control-plane...'], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      TURBO_TELEMETRY_DISABLED: '1',
      PATH: `${binaries}${path.delimiter}${process.env.PATH ?? ''}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** A child process in its own process group, and how to stop the whole group. */
export interface Child {
  process: ChildProcess;
  stop(): void;
}

/** Starts a command in its own process group, its output in `logFile`; resolves with the first match of `ready`. */
export async function startChild(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; ready: RegExp },
): Promise<{ child: Child; match: RegExpExecArray }> {
  const log = await open(options.logFile, 'w');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', log.fd, log.fd],
    detached: true,
  });
  await log.close();
  const stop = (): void => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = await readFile(options.logFile, 'utf8');
    const match = options.ready.exec(text);
    if (match !== null) return { child: { process: child, stop }, match };
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`${command} ${args.join(' ')} did not start:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The fault server with no delay between tokens, on a free port; resolves with its OpenAI base URL. */
export async function startFaultServerProcess(
  workDirectory: string,
): Promise<{ child: Child; baseUrl: string }> {
  const { child, match } = await startChild(
    path.join(binaries, 'pnpm'),
    [
      '--silent',
      '--filter',
      '@switchboard/provider-sim',
      'fault-server',
      '--',
      '--port',
      '0',
      '--token-delay-ms',
      '0',
    ],
    {
      cwd: repositoryRoot,
      env: process.env,
      logFile: path.join(workDirectory, 'fault-server.log'),
      ready: /OpenAI base URL:\s+(\S+)/,
    },
  );
  return { child, baseUrl: match[1]! };
}

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ), 100 on every mainstream Linux. */
const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU time of a process in microseconds (`/proc/<pid>/stat`, Linux), or null when unreadable. */
export function processCpuMicros(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (name) ": utime and stime are fields 14 and 15 (1-based), index 11 and 12 here.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / clockTicksPerSecond;
  } catch {
    return null;
  }
}
