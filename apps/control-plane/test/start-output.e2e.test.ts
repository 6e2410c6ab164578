import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const appRoot = fileURLToPath(new URL('..', import.meta.url));

interface StartOutput {
  /** Every line the process wrote to standard output, until it was stopped. */
  lines: string[];
  /** Those that are JSON log lines, parsed. */
  logs: { level: number; context?: string; msg: string }[];
}

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(
    directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

/**
 * Starts the built control plane the way `pnpm start` does (embedded PGlite in a fresh directory,
 * no admin key set, so it generates and prints one), waits until it has said it started, stops it
 * and returns what it printed.
 */
async function startAndStop(logLevel: string): Promise<StartOutput> {
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'switchboard-start-output-'));
  directories.push(dataDirectory);
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: appRoot,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      SWITCHBOARD_DATA_DIR: dataDirectory,
      LOG_LEVEL: logLevel,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  // The last start-up log line, written after the URLs: once it is out, so is everything before it.
  while (!stdout.includes('Nest application successfully started') || !stdout.includes('readiness:')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the control plane did not start:\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGTERM');
  await exited;
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const logs = lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as StartOutput['logs'][number]);
  return { lines, logs };
}

const startupContexts = ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'];

describe('what the first start prints', () => {
  it('shows the admin key and the URLs without a screen of start-up log lines', async () => {
    const { lines, logs } = await startAndStop('info');
    const key = lines.findIndex((line) => /^\s+sb_admin_[\w-]{20,}$/.test(line));
    expect(key, lines.join('\n')).toBeGreaterThanOrEqual(0);
    expect(lines.some((line) => /^\s+base URL:\s+http:\/\/127\.0\.0\.1:\d+$/.test(line))).toBe(true);
    // What follows the key on the terminal: the URLs and a few lines of the application's own news.
    expect(lines.length - key, lines.join('\n')).toBeLessThanOrEqual(15);
    expect(logs.filter((log) => startupContexts.includes(log.context ?? ''))).toEqual([]);
    expect(logs.map((log) => log.context)).toEqual(expect.arrayContaining(['Registry', 'NestApplication']));
  }, 90_000);

  it("still logs Nest's module and route messages at debug", async () => {
    const { logs } = await startAndStop('debug');
    const routes = logs.filter((log) => log.context === 'RouterExplorer');
    expect(routes.length).toBeGreaterThan(20);
    expect(new Set(routes.map((log) => log.level))).toEqual(new Set([20]));
    expect(routes.map((log) => log.msg)).toContain('Mapped {/v1/chat/completions, POST} route');
  }, 90_000);
});
