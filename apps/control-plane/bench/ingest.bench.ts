/**
 * Telemetry ingest throughput: events per second through `POST /v1/telemetry` in batches of 100
 * (the SDK sink's default), into PostgreSQL and into PGlite. Every event is new (a fresh id), has
 * two attempts (a failed one and a billed one), and lands in `telemetry_events`, `ledger_entries`
 * and the hourly rollup's deltas in one statement per batch (folded into the rollup every second).
 *
 * The control plane runs as production does: built (`tsc`; the deps by turbo) and started with
 * `node dist/main.js` in a child process, with the default log level and the auth guard and rate
 * limiter on (a service key whose limit the bench cannot reach). tsx, which runs this file, drops
 * decorator metadata, so the app cannot run in this process. Bodies are made from one template
 * (only the ids change), so the sender spends little CPU beside the server on the shared cores.
 * PostgreSQL needs `DATABASE_URL` (a fresh schema is used and dropped); without it that row is
 * skipped with a warning. `SWITCHBOARD_BENCH_SKIP_BUILD=1` skips the build;
 * `SWITCHBOARD_BENCH_SKIP_PGLITE=1` skips the PGlite row (to compare PostgreSQL changes quickly).
 *
 * Events per second move with the load on the machine (the cores are shared), so each round also
 * reports CPU time per event, which does not: the control plane's process (for PGlite that includes
 * the database, which runs inside it) and, for PostgreSQL, the server backends serving the control
 * plane's connections (found through `ss`, Linux only; `null` elsewhere). A backend that closes
 * mid-round takes its CPU time with it, so that figure is a lower bound.
 *
 * Prints a table, then one line of JSON.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildControlPlaneUnlessSkipped, processCpuMicros } from './support/bench-processes.ts';
import {
  startBuiltControlPlane,
  type BuiltControlPlane,
} from '../src/cost/__fixtures__/built-control-plane.ts';

const adminKey = 'sb_admin_ingest-bench-bootstrap-key';
const batchSize = 100;
const connections = 8;
const warmUpBatches = 40;
const rounds = 3;
const batchesPerRound = 200;

/** One batch as JSON with `__BATCH__` where the ids differ, so a body costs one string replace. */
function batchTemplate(): string {
  const occurredAt = new Date().toISOString();
  const attempt = (modelId: string, outcome: 'failed' | 'succeeded', micros: number) => ({
    modelId,
    provider: 'bench',
    outcome,
    errorKind: outcome === 'failed' ? 'server' : null,
    status: outcome === 'failed' ? 503 : null,
    hedge: false,
    startedAfterMs: outcome === 'failed' ? 0 : 120,
    timeToFirstTokenMs: outcome === 'failed' ? null : 180,
    durationMs: outcome === 'failed' ? 110 : 640,
    usage:
      outcome === 'failed'
        ? {
            inputTokens: null,
            outputTokens: null,
            cacheReadTokens: null,
            cacheWriteTokens: null,
            reasoningTokens: null,
          }
        : {
            inputTokens: 812,
            outputTokens: 96,
            cacheReadTokens: null,
            cacheWriteTokens: null,
            reasoningTokens: null,
          },
    cost: { status: 'known', micros },
    priceVersion: outcome === 'failed' ? null : 'bench-prices',
    billed: outcome === 'succeeded',
  });
  const events = Array.from({ length: batchSize }, (_, index) => ({
    schemaVersion: 1,
    eventId: `__BATCH__-${index}`,
    occurredAt,
    decisionId: `decision-__BATCH__-${index}`,
    policyName: 'default',
    snapshotVersion: 1,
    taskType: 'dialogue_generation',
    riskLevel: 'low',
    playerId: `player-${index % 50}`,
    sessionId: `session-__BATCH__`,
    tenantId: `tenant-${index % 3}`,
    attempts: [
      attempt(`bench/model-${index % 4}`, 'failed', 0),
      attempt(`bench/model-${(index + 1) % 4}`, 'succeeded', 245),
    ],
    answeredBy: `bench/model-${(index + 1) % 4}`,
    outcome: 'answered',
    fallback: true,
    totalLatencyMs: 760,
  }));
  return JSON.stringify({ events });
}

interface Round {
  eventsPerSecond: number;
  batchLatenciesMs: number[];
  /** CPU microseconds per event of the control plane's process. */
  appCpuPerEvent: number | null;
  /** CPU microseconds per event of the PostgreSQL backends serving it. */
  databaseCpuPerEvent: number | null;
  /** CPU microseconds per event of this process, the sender (it shares the cores with the rest). */
  senderCpuPerEvent: number;
}

/** CPU time per process id, for the processes still there. */
function cpuOf(pids: readonly number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    const micros = processCpuMicros(pid);
    if (micros !== null) cpu.set(pid, micros);
  }
  return cpu;
}

/** The PostgreSQL backends serving `appPid`'s connections: its local ports, through `ss`, then `pg_stat_activity`. */
async function backendPids(appPid: number, admin: pg.Client | undefined): Promise<number[] | null> {
  if (admin === undefined) return null;
  let listing: string;
  try {
    listing = execFileSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' });
  } catch {
    return null;
  }
  const ports = listing
    .split('\n')
    .filter((line) => line.includes(`pid=${appPid},`))
    .map((line) => /:(\d+)\s+\S+:5432\b/.exec(line)?.[1])
    .filter((port): port is string => port !== undefined)
    .map(Number);
  if (ports.length === 0) return null;
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where client_addr is not null and client_port = any($1::int[])`,
    [ports],
  );
  return rows.map((row) => row.pid);
}

/** Runs `send` and measures the CPU it cost the control plane (and its database backends) per event. */
async function measured(
  appPid: number | undefined,
  admin: pg.Client | undefined,
  send: () => Promise<Omit<Round, 'appCpuPerEvent' | 'databaseCpuPerEvent' | 'senderCpuPerEvent'>>,
  events: number,
): Promise<Round> {
  const appBefore = appPid === undefined ? null : processCpuMicros(appPid);
  const backendsBefore = appPid === undefined ? null : await backendPids(appPid, admin);
  const databaseBefore = backendsBefore === null ? null : cpuOf(backendsBefore);
  const senderBefore = process.cpuUsage();
  const round = await send();
  const sender = process.cpuUsage(senderBefore);
  const appAfter = appPid === undefined ? null : processCpuMicros(appPid);
  const backendsAfter = appPid === undefined ? null : await backendPids(appPid, admin);
  let databaseCpuPerEvent: number | null = null;
  if (databaseBefore !== null && backendsAfter !== null) {
    let micros = 0;
    // A backend opened during the round counts from zero (its start-up is small beside a round).
    for (const [pid, after] of cpuOf(backendsAfter)) micros += after - (databaseBefore.get(pid) ?? 0);
    databaseCpuPerEvent = micros / events;
  }
  return {
    ...round,
    appCpuPerEvent: appBefore === null || appAfter === null ? null : (appAfter - appBefore) / events,
    databaseCpuPerEvent,
    senderCpuPerEvent: (sender.user + sender.system) / events,
  };
}

/**
 * POSTs `body` on a kept-alive connection of `agent` and resolves with the status and answer.
 * `node:http` rather than `fetch`: undici's per-request machinery cost the sender, which shares
 * the two cores with the server, more CPU per batch than the whole HTTP exchange needs.
 */
function post(
  agent: http.Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        let answer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (answer += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, answer }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function sendBatches(
  base: string,
  key: string,
  template: string,
  batches: number,
): Promise<Omit<Round, 'appCpuPerEvent' | 'databaseCpuPerEvent' | 'senderCpuPerEvent'>> {
  const url = new URL(`${base}/v1/telemetry`);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < batches) {
      next += 1;
      // Every batch is new: fresh ids for its events, its decisions and its session.
      const body = template.replaceAll('__BATCH__', randomUUID());
      const sent = performance.now();
      const { status, answer } = await post(agent, url, headers, body);
      if (status !== 200) throw new Error(`ingest answered HTTP ${status}: ${answer.slice(0, 300)}`);
      latencies.push(performance.now() - sent);
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, () => worker()));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: (batches * batchSize) / seconds, batchLatenciesMs: latencies };
}

async function serviceKey(base: string): Promise<string> {
  const response = await fetch(`${base}/admin/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ingest-bench', scope: 'service', rateLimitPerMinute: 1_000_000 }),
  });
  const body = (await response.json()) as { key?: string };
  if (response.status !== 201 || body.key === undefined)
    throw new Error(`could not create a key: HTTP ${response.status}`);
  return body.key;
}

/** Events the ledger holds, through the analytics API (what an operator would see). */
async function storedRequests(base: string): Promise<number> {
  const now = Date.now();
  const query = `from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}&groupBy=tenant`;
  const response = await fetch(`${base}/admin/analytics/cost?${query}`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  const body = (await response.json()) as { totals: { requests: number } };
  return body.totals.requests;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const percentile = (values: number[], fraction: number): number => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
};

interface EngineResult {
  engine: string;
  rounds: number[];
  medianEventsPerSecond: number;
  p50BatchMs: number;
  p99BatchMs: number;
  /** Medians over the rounds, CPU microseconds per event. */
  appCpuPerEvent: number | null;
  databaseCpuPerEvent: number | null;
  senderCpuPerEvent: number | null;
  stored: number;
  sent: number;
}

async function benchEngine(
  engine: string,
  env: Record<string, string>,
  admin?: pg.Client,
): Promise<EngineResult> {
  let controlPlane: BuiltControlPlane | undefined;
  try {
    controlPlane = await startBuiltControlPlane({
      PORT: '0',
      HOST: '127.0.0.1',
      SWITCHBOARD_ADMIN_KEY: adminKey,
      SWITCHBOARD_PROBE_INTERVAL_MS: '0',
      ...env,
    });
    const key = await serviceKey(controlPlane.base);
    const template = batchTemplate();
    await sendBatches(controlPlane.base, key, template, warmUpBatches);
    const base = controlPlane.base;
    const appPid = controlPlane.process.pid;
    const results: Round[] = [];
    for (let round = 0; round < rounds; round += 1) {
      results.push(
        await measured(
          appPid,
          admin,
          () => sendBatches(base, key, template, batchesPerRound),
          batchesPerRound * batchSize,
        ),
      );
    }
    const latencies = results.flatMap((round) => round.batchLatenciesMs);
    const medianOf = (values: (number | null)[]): number | null =>
      values.some((value) => value === null) ? null : Number(median(values as number[]).toFixed(1));
    return {
      engine,
      rounds: results.map((round) => Math.round(round.eventsPerSecond)),
      medianEventsPerSecond: Math.round(median(results.map((round) => round.eventsPerSecond))),
      p50BatchMs: Number(percentile(latencies, 0.5).toFixed(1)),
      p99BatchMs: Number(percentile(latencies, 0.99).toFixed(1)),
      appCpuPerEvent: medianOf(results.map((round) => round.appCpuPerEvent)),
      databaseCpuPerEvent: medianOf(results.map((round) => round.databaseCpuPerEvent)),
      senderCpuPerEvent: medianOf(results.map((round) => round.senderCpuPerEvent)),
      stored: await storedRequests(controlPlane.base),
      sent: (warmUpBatches + rounds * batchesPerRound) * batchSize,
    };
  } finally {
    await controlPlane?.stop('SIGTERM');
  }
}

async function main(): Promise<void> {
  buildControlPlaneUnlessSkipped();
  const results: EngineResult[] = [];
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl === undefined) {
    process.stderr.write('DATABASE_URL is not set: the PostgreSQL row is skipped.\n');
  } else {
    const schema = `sb_bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      results.push(
        await benchEngine(
          'postgres',
          { DATABASE_URL: databaseUrl, SWITCHBOARD_DATABASE_SCHEMA: schema },
          admin,
        ),
      );
    } finally {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  }
  if (process.env.SWITCHBOARD_BENCH_SKIP_PGLITE === '1') {
    process.stderr.write('SWITCHBOARD_BENCH_SKIP_PGLITE=1: the PGlite row is skipped.\n');
  } else {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-ingest-bench-'));
    try {
      results.push(await benchEngine('pglite', { SWITCHBOARD_DATA_DIR: dataDir }));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  const rows = [
    [
      'engine',
      'events/s (median)',
      'rounds (events/s)',
      'batch p50 ms',
      'batch p99 ms',
      'app CPU µs/event',
      'db CPU µs/event',
      'sender CPU µs/event',
      'stored / sent',
    ],
    ...results.map((result) => [
      result.engine,
      String(result.medianEventsPerSecond),
      result.rounds.join(' / '),
      String(result.p50BatchMs),
      String(result.p99BatchMs),
      String(result.appCpuPerEvent ?? 'n/a'),
      result.engine === 'pglite' ? '(in app)' : String(result.databaseCpuPerEvent ?? 'n/a'),
      String(result.senderCpuPerEvent ?? 'n/a'),
      `${result.stored} / ${result.sent}`,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  process.stdout.write(
    `\nTelemetry ingest, batches of ${batchSize} events (2 attempts each), ${connections} connections, ` +
      `${rounds} rounds of ${batchesPerRound} batches; load average ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}\n`,
  );
  for (const row of rows)
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
  const of = (engine: string) => results.find((result) => result.engine === engine);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'ingest',
      postgres_events_per_s: of('postgres')?.medianEventsPerSecond ?? null,
      pglite_events_per_s: of('pglite')?.medianEventsPerSecond ?? null,
      postgres_app_cpu_us_per_event: of('postgres')?.appCpuPerEvent ?? null,
      postgres_db_cpu_us_per_event: of('postgres')?.databaseCpuPerEvent ?? null,
      pglite_app_cpu_us_per_event: of('pglite')?.appCpuPerEvent ?? null,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
