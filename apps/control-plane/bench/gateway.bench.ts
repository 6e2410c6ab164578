/**
 * What the gateway adds in front of a model: latency (p50, p99) at 10 connections and requests per
 * second at 100, through `POST /v1/chat/completions` (non-streaming and streaming) and straight to
 * the same fault-server model (`healthy`, no delay between tokens); and `/v1/select` requests per
 * second.
 *
 * The control plane runs as production does: built (`tsc`; the deps by turbo) and started with
 * `node dist/main.js` in a child process, on PGlite in a temporary directory, with the default log
 * level, the auth guard and rate limiter on (a service key with a limit the bench cannot reach).
 * (tsx, which runs this file, drops decorator metadata, so the app cannot run in this process.)
 * The fault server runs in a child process of its own, so neither competes with autocannon here.
 * Latencies are timed per response in fractional milliseconds (autocannon's own histogram rounds
 * to whole milliseconds); direct and gateway runs alternate in rounds so machine noise hits both.
 *
 * A bare `node:http` pass-through proxy (`support/bare-proxy.mjs`) runs in the same rounds at 10
 * connections: what it adds is the floor any Node.js process in the path pays on this machine, so
 * the table tells the gateway's own cost apart from the cost of having a proxy at all.
 *
 * `SWITCHBOARD_BENCH_SKIP_BUILD=1` skips the build (dist is already current).
 * Prints a table, then one line of JSON.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon, { type AutocannonResult } from 'autocannon';
import {
  appRoot,
  buildControlPlaneUnlessSkipped,
  startChild,
  startFaultServerProcess,
  type Child,
} from './support/bench-processes.ts';

const unloadedConnections = 1;
const latencyConnections = 10;
const throughputConnections = 100;
const latencyRounds = 3;
const latencyRoundSeconds = 3;
const throughputSeconds = 5;
const warmUpSeconds = 2;

const adminKey = 'sb_admin_gateway-bench-bootstrap-key';
const messages = [
  { role: 'system', content: 'You narrate a gentle text adventure.' },
  { role: 'user', content: 'I step into the greenhouse.' },
];

/** Settles when `child` has exited, or after `timeoutMs` at the latest. */
function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function json(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(url, init);
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Registers the fault server's `healthy` model and returns a service key with a limit the bench cannot reach. */
async function prepare(base: string, faultBaseUrl: string): Promise<string> {
  const admin = (method: string, route: string, body: unknown) =>
    json(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await admin('POST', '/admin/providers', { id: 'fault', kind: 'openai-compatible', baseUrl: faultBaseUrl });
  await admin('POST', '/admin/models', {
    id: 'fault/healthy',
    provider: 'fault',
    providerModel: 'healthy',
    contextWindow: 128_000,
    maxOutputTokens: 4_096,
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: false },
    price: { inputPerMillionMicros: 150_000, outputPerMillionMicros: 600_000, version: 'bench' },
    safetyTier: 3,
    qualityPriors: { default: 0.8 },
    latencyPriors: { timeToFirstTokenP50Ms: 5, timeToFirstTokenP95Ms: 20, outputTokensPerSecond: 5_000 },
  });
  const key = await admin('POST', '/admin/api-keys', {
    name: 'gateway-bench',
    scope: 'service',
    rateLimitPerMinute: 1_000_000,
  });
  return String(key.key);
}

interface Target {
  name: string;
  url: string;
  body: string;
  headers: Record<string, string>;
}

interface Measurement {
  /** Responses per second with status 2xx. */
  requestsPerSecond: number;
  /** Fractional milliseconds of every 2xx response. */
  latencies: number[];
  failures: number;
}

function run(target: Target, connections: number, seconds: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      {
        url: target.url,
        connections,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: target.body,
        timeout: 30,
      },
      (error: Error | null, result: AutocannonResult) => {
        if (error !== null) {
          reject(error);
          return;
        }
        resolve({
          requestsPerSecond: result['2xx'] / seconds,
          latencies,
          failures: result.non2xx + result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

interface LatencySummary {
  p50: number;
  p99: number;
  samples: number;
  failures: number;
}

/** Alternates the targets in rounds at `connections` (forward, then backward), pooling each one's samples. */
async function compareLatency<Targets extends readonly Target[]>(
  targets: Targets,
  connections: number,
): Promise<{ [Index in keyof Targets]: LatencySummary }> {
  const pooled = targets.map((target) => ({ target, latencies: [] as number[], failures: 0 }));
  for (const entry of pooled) await run(entry.target, connections, warmUpSeconds);
  for (let round = 0; round < latencyRounds; round += 1) {
    const order = round % 2 === 0 ? pooled : [...pooled].reverse();
    for (const entry of order) {
      const measured = await run(entry.target, connections, latencyRoundSeconds);
      entry.latencies.push(...measured.latencies);
      entry.failures += measured.failures;
    }
  }
  return pooled.map((entry) => {
    const sorted = entry.latencies.sort((left, right) => left - right);
    return {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      samples: sorted.length,
      failures: entry.failures,
    };
  }) as { [Index in keyof Targets]: LatencySummary };
}

async function throughput(target: Target): Promise<Measurement> {
  await run(target, throughputConnections, warmUpSeconds);
  return run(target, throughputConnections, throughputSeconds);
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

async function main(): Promise<void> {
  buildControlPlaneUnlessSkipped();
  const workDirectory = await mkdtemp(path.join(tmpdir(), 'switchboard-gateway-bench-'));
  const children: Child[] = [];
  try {
    const fault = await startFaultServerProcess(workDirectory);
    children.push(fault.child);
    const faultBaseUrl = fault.baseUrl;

    const faultOrigin = new URL(faultBaseUrl).origin;
    const bareProxy = await startChild(
      process.execPath,
      [path.join(appRoot, 'bench', 'support', 'bare-proxy.mjs'), faultOrigin],
      {
        cwd: appRoot,
        env: { PATH: process.env.PATH },
        logFile: path.join(workDirectory, 'bare-proxy.log'),
        ready: /bare proxy:\s+(\S+)/,
      },
    );
    children.push(bareProxy.child);
    const bareProxyBaseUrl = `${bareProxy.match[1]!}${new URL(faultBaseUrl).pathname}`;

    const controlPlane = await startChild(process.execPath, ['dist/main.js'], {
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
    const base = controlPlane.match[1]!;
    const serviceKey = await prepare(base, faultBaseUrl);
    const authorization = { authorization: `Bearer ${serviceKey}` };

    const chat = (stream: boolean, model: string) =>
      JSON.stringify({
        model,
        messages,
        max_tokens: 256,
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      });
    const targets = (stream: boolean): [Target, Target, Target] => [
      {
        name: `direct${stream ? ', streaming' : ''}`,
        url: `${faultBaseUrl}/chat/completions`,
        body: chat(stream, 'healthy'),
        headers: {},
      },
      {
        name: `bare proxy${stream ? ', streaming' : ''}`,
        url: `${bareProxyBaseUrl}/chat/completions`,
        body: chat(stream, 'healthy'),
        headers: {},
      },
      {
        name: `gateway${stream ? ', streaming' : ''}`,
        url: `${base}/v1/chat/completions`,
        body: chat(stream, 'fault/healthy'),
        headers: authorization,
      },
    ];

    const [direct, bare, gateway] = targets(false);
    const [directStreaming, bareStreaming, gatewayStreaming] = targets(true);
    const [directUnloaded, gatewayUnloaded] = await compareLatency(
      [direct, gateway] as const,
      unloadedConnections,
    );
    const [directLatency, bareLatency, gatewayLatency] = await compareLatency(
      [direct, bare, gateway] as const,
      latencyConnections,
    );
    const [directStreamingLatency, bareStreamingLatency, gatewayStreamingLatency] = await compareLatency(
      [directStreaming, bareStreaming, gatewayStreaming] as const,
      latencyConnections,
    );
    const directThroughput = await throughput(direct);
    const gatewayThroughput = await throughput(gateway);
    const select = await throughput({
      name: 'select',
      url: `${base}/v1/select`,
      body: JSON.stringify({
        context: { task: 'dialogue_generation', risk: 'low' },
        estimatedInputTokens: 800,
      }),
      headers: authorization,
    });

    const rows: [string, string, string, string, string][] = [
      ['measurement', 'p50 ms', 'p99 ms', 'requests/s', 'failed'],
      ...(
        [
          ['direct (1 conn.)', directUnloaded],
          ['gateway (1 conn.)', gatewayUnloaded],
          ['direct (10 conn.)', directLatency],
          ['bare proxy (10 conn.)', bareLatency],
          ['gateway (10 conn.)', gatewayLatency],
          ['direct, streaming (10 conn.)', directStreamingLatency],
          ['bare proxy, streaming (10 conn.)', bareStreamingLatency],
          ['gateway, streaming (10 conn.)', gatewayStreamingLatency],
        ] as const
      ).map(([name, summary]): [string, string, string, string, string] => [
        name,
        summary.p50.toFixed(2),
        summary.p99.toFixed(2),
        '',
        String(summary.failures),
      ]),
      [
        'added, unloaded (1 conn.)',
        (gatewayUnloaded.p50 - directUnloaded.p50).toFixed(2),
        (gatewayUnloaded.p99 - directUnloaded.p99).toFixed(2),
        '',
        '',
      ],
      [
        'added by a bare proxy (10 conn.)',
        (bareLatency.p50 - directLatency.p50).toFixed(2),
        (bareLatency.p99 - directLatency.p99).toFixed(2),
        '',
        '',
      ],
      [
        'added by the gateway (10 conn.)',
        (gatewayLatency.p50 - directLatency.p50).toFixed(2),
        (gatewayLatency.p99 - directLatency.p99).toFixed(2),
        '',
        '',
      ],
      [
        'added by a bare proxy, streaming (10 conn.)',
        (bareStreamingLatency.p50 - directStreamingLatency.p50).toFixed(2),
        (bareStreamingLatency.p99 - directStreamingLatency.p99).toFixed(2),
        '',
        '',
      ],
      [
        'added, streaming (10 conn.)',
        (gatewayStreamingLatency.p50 - directStreamingLatency.p50).toFixed(2),
        (gatewayStreamingLatency.p99 - directStreamingLatency.p99).toFixed(2),
        '',
        '',
      ],
      [
        'direct (100 conn.)',
        '',
        '',
        directThroughput.requestsPerSecond.toFixed(0),
        String(directThroughput.failures),
      ],
      [
        'gateway (100 conn.)',
        '',
        '',
        gatewayThroughput.requestsPerSecond.toFixed(0),
        String(gatewayThroughput.failures),
      ],
      ['/v1/select (100 conn.)', '', '', select.requestsPerSecond.toFixed(0), String(select.failures)],
    ];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) {
      process.stdout.write(
        `${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}\n`,
      );
    }
    process.stdout.write(
      `${JSON.stringify({
        bench: 'gateway',
        added_p50_ms: round(gatewayLatency.p50 - directLatency.p50),
        added_p99_ms: round(gatewayLatency.p99 - directLatency.p99),
        added_unloaded_p50_ms: round(gatewayUnloaded.p50 - directUnloaded.p50),
        added_unloaded_p99_ms: round(gatewayUnloaded.p99 - directUnloaded.p99),
        added_streaming_p50_ms: round(gatewayStreamingLatency.p50 - directStreamingLatency.p50),
        added_streaming_p99_ms: round(gatewayStreamingLatency.p99 - directStreamingLatency.p99),
        bare_proxy_added_p50_ms: round(bareLatency.p50 - directLatency.p50),
        bare_proxy_added_p99_ms: round(bareLatency.p99 - directLatency.p99),
        bare_proxy_added_streaming_p50_ms: round(bareStreamingLatency.p50 - directStreamingLatency.p50),
        gateway_rps: Math.round(gatewayThroughput.requestsPerSecond),
        direct_rps: Math.round(directThroughput.requestsPerSecond),
        select_rps: Math.round(select.requestsPerSecond),
      })}\n`,
    );
  } finally {
    for (const child of children.reverse()) child.stop();
    // The control plane flushes its buffers to the database while it shuts down: wait for the
    // children to exit before deleting their directory, or the removal races their last writes.
    await Promise.all(children.map((child) => exited(child.process, 10_000)));
    await rm(workDirectory, { recursive: true, force: true, maxRetries: 5 });
  }
}

await main();
