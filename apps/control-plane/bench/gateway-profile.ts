/**
 * CPU cost per request of the gateway's hot routes, measured in the control plane's own process:
 * the process's user+system CPU time (from `/proc/<pid>/stat`, Linux) across a fixed-length
 * autocannon run, divided by the responses answered. On a shared, noisy machine this is far steadier
 * than latency, which also counts time spent waiting for a core.
 *
 * Starts the fault server and the built control plane (`node dist/main.js`, PGlite in a temporary
 * directory, default log level, auth and rate limiter on) like `gateway.bench.ts`. With
 * `SWITCHBOARD_PROFILE_DIR=<dir>` the control plane runs under `node --cpu-prof` and writes its
 * profile there on exit; `SWITCHBOARD_PROFILE_ONLY=<name>` loads only that target
 * (`chat`, `chat-stream`, `select`), so the profile shows one route.
 *
 * Prints a table, then one line of JSON with CPU microseconds per request for each target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import {
  appRoot,
  processCpuMicros,
  startChild,
  startFaultServerProcess,
  type Child,
} from './support/bench-processes.ts';

const adminKey = 'sb_admin_gateway-bench-bootstrap-key';
const connections = 10;
const warmUpSeconds = 2;
const seconds = Number(process.env.SWITCHBOARD_PROFILE_SECONDS ?? '5');
const rounds = Number(process.env.SWITCHBOARD_PROFILE_ROUNDS ?? '3');

async function post(url: string, authorization: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${authorization}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

function load(url: string, headers: Record<string, string>, body: string, duration: number) {
  return new Promise<{ ok: number; failed: number }>((resolve, reject) => {
    autocannon(
      { url, connections, duration, method: 'POST', headers, body, timeout: 30 },
      (error, result) => {
        if (error !== null) reject(error);
        else resolve({ ok: result['2xx'], failed: result.non2xx + result.errors + result.timeouts });
      },
    );
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function main(): Promise<void> {
  const workDirectory = await mkdtemp(path.join(tmpdir(), 'switchboard-gateway-profile-'));
  const children: Child[] = [];
  try {
    const fault = await startFaultServerProcess(workDirectory);
    children.push(fault.child);
    const profileDirectory = process.env.SWITCHBOARD_PROFILE_DIR;
    const nodeArguments =
      profileDirectory === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDirectory)}`];
    const controlPlane = await startChild(process.execPath, [...nodeArguments, 'dist/main.js'], {
      cwd: appRoot,
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: '0',
        SWITCHBOARD_DATA_DIR: path.join(workDirectory, 'data'),
        SWITCHBOARD_ADMIN_KEY: adminKey,
      },
      logFile: path.join(workDirectory, 'control-plane.log'),
      ready: /base URL:\s+(\S+)/,
    });
    children.push(controlPlane.child);
    const pid = controlPlane.child.process.pid!;
    const base = controlPlane.match[1]!;
    const faultBaseUrl = fault.baseUrl;
    await post(`${base}/admin/providers`, adminKey, {
      id: 'fault',
      kind: 'openai-compatible',
      baseUrl: faultBaseUrl,
    });
    await post(`${base}/admin/models`, adminKey, {
      id: 'fault/healthy',
      provider: 'fault',
      providerModel: 'healthy',
      contextWindow: 128_000,
      maxOutputTokens: 4_096,
      capabilities: {
        streaming: true,
        tools: true,
        jsonMode: true,
        systemRole: true,
        assistantPrefill: false,
      },
      price: { inputPerMillionMicros: 150_000, outputPerMillionMicros: 600_000, version: 'bench' },
      safetyTier: 3,
      qualityPriors: { default: 0.8 },
      latencyPriors: { timeToFirstTokenP50Ms: 5, timeToFirstTokenP95Ms: 20, outputTokensPerSecond: 5_000 },
    });
    const key = String(
      (
        await post(`${base}/admin/api-keys`, adminKey, {
          name: 'gateway-profile',
          scope: 'service',
          rateLimitPerMinute: 1_000_000,
        })
      ).key,
    );
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const messages = [
      { role: 'system', content: 'You narrate a gentle text adventure.' },
      { role: 'user', content: 'I step into the greenhouse.' },
    ];
    const targets = [
      {
        name: 'chat',
        url: `${base}/v1/chat/completions`,
        body: JSON.stringify({ model: 'fault/healthy', messages, max_tokens: 256 }),
      },
      {
        name: 'chat-stream',
        url: `${base}/v1/chat/completions`,
        body: JSON.stringify({
          model: 'fault/healthy',
          messages,
          max_tokens: 256,
          stream: true,
          stream_options: { include_usage: true },
        }),
      },
      {
        name: 'select',
        url: `${base}/v1/select`,
        body: JSON.stringify({
          context: { task: 'dialogue_generation', risk: 'low' },
          estimatedInputTokens: 800,
        }),
      },
    ].filter((target) => {
      const only = process.env.SWITCHBOARD_PROFILE_ONLY;
      return only === undefined || only === target.name;
    });

    const results: Record<string, { cpuMicrosPerRequest: number; requestsPerSecond: number }> = {};
    const lines = ['target        CPU µs/request   requests/s   failed'];
    for (const target of targets) {
      await load(target.url, headers, target.body, warmUpSeconds);
      const perRequest: number[] = [];
      const rates: number[] = [];
      let failed = 0;
      for (let round = 0; round < rounds; round += 1) {
        const before = processCpuMicros(pid) ?? Number.NaN;
        const measured = await load(target.url, headers, target.body, seconds);
        const after = processCpuMicros(pid) ?? Number.NaN;
        perRequest.push((after - before) / Math.max(1, measured.ok));
        rates.push(measured.ok / seconds);
        failed += measured.failed;
      }
      results[target.name] = {
        cpuMicrosPerRequest: Math.round(median(perRequest)),
        requestsPerSecond: Math.round(median(rates)),
      };
      lines.push(
        `${target.name.padEnd(12)}  ${String(Math.round(median(perRequest))).padStart(14)}   ${String(Math.round(median(rates))).padStart(10)}   ${String(failed).padStart(6)}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify({ bench: 'gateway-profile', connections, results })}\n`);
    // SIGINT lets `--cpu-prof` write the profile (main.ts closes the app on it).
    controlPlane.child.process.kill('SIGINT');
    await new Promise((resolve) => controlPlane.child.process.once('exit', resolve));
  } finally {
    for (const child of children.reverse()) child.stop();
    await rm(workDirectory, { recursive: true, force: true });
  }
}

await main();
