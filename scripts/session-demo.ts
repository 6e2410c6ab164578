/**
 * `pnpm demo`: plays a short therapeutic session through the SDK against a control plane — a
 * narrative turn, a turn whose model fails mid-answer and is continued by another, and a crisis
 * message — and prints each decision, the failovers and the cost.
 *
 * With SWITCHBOARD_URL and SWITCHBOARD_API_KEY set it uses that control plane; otherwise it starts
 * one of its own (the built `apps/control-plane/dist/main.js`, on a temporary PGlite directory) and
 * stops it at the end. Models run in this process on the simulated provider (direct mode): the
 * control plane serves the registry, the SDK selects and executes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatMicros, type ChatModelAdapterV1, type ChatRequest, type ModelSpec } from '@switchboard/core';
import { createSimulatedAdapterForModel } from '@switchboard/provider-sim';
import {
  createControlPlaneRegistrySource,
  createMemoryTelemetrySink,
  createModelClient,
  type ModelClientRequest,
  type ModelClientResponse,
} from '@switchboard/sdk';

interface ControlPlane {
  baseUrl: string;
  apiKey: string;
  stop(): Promise<void>;
}

/** Starts the built control plane on a free port and a temporary data directory. */
async function startControlPlane(): Promise<ControlPlane> {
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'switchboard-demo-'));
  const apiKey = `sb_admin_${randomBytes(24).toString('base64url')}`;
  const entry = path.resolve(import.meta.dirname, '../apps/control-plane/dist/main.js');
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      PORT: '0',
      SWITCHBOARD_DATA_DIR: dataDirectory,
      SWITCHBOARD_ADMIN_KEY: apiKey,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /base URL:\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the control plane exited with code ${code}: ${output}`)));
  });
  return {
    baseUrl,
    apiKey,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** A simulated model that, while `failNextAnswer` is set, breaks off after 18 tokens. */
function createDemoAdapter(model: ModelSpec, failing: Set<string>): ChatModelAdapterV1 {
  // Three times the registry's speed so the demo does not keep you waiting.
  const speed = {
    timeToFirstTokenMs: model.latencyPriors.timeToFirstTokenP50Ms / 3,
    timeToFirstTokenP95Ms: model.latencyPriors.timeToFirstTokenP95Ms / 3,
    outputTokensPerSecond: model.latencyPriors.outputTokensPerSecond * 3,
  };
  const healthy = createSimulatedAdapterForModel(model, speed);
  const cut = createSimulatedAdapterForModel(model, { ...speed, behaviour: 'cut-after-18' });
  const pick = () => (failing.has(model.id) ? cut : healthy);
  return {
    specificationVersion: 'v1',
    provider: healthy.provider,
    providerModel: healthy.providerModel,
    doGenerate: (request: ChatRequest) => pick().doGenerate(request),
    doStream: (request: ChatRequest) => pick().doStream(request),
  };
}

function printTurn(title: string, response: ModelClientResponse): void {
  const { decision, attempts, contributors } = response.result;
  console.log(`\n== ${title}`);
  console.log(`   decision ${response.decisionId}: ${decision.summary}`);
  for (const attempt of attempts) {
    const note =
      attempt.continuation === undefined ? '' : ` (continuing the cut answer by ${attempt.continuation})`;
    console.log(`   attempt ${attempt.index + 1}: ${attempt.modelId} → ${attempt.outcome}${note}`);
  }
  if (contributors.length > 1) console.log(`   one seamless answer written by: ${contributors.join(' + ')}`);
  if (response.fallback !== undefined) console.log(`   fallback: ${response.fallback}`);
  console.log(
    `   answered by ${response.answeredBy ?? 'the safe message'}; cost ${formatMicros(response.cost.micros)}`,
  );
  console.log(
    `   > ${response.text.replace(/\s+/g, ' ').slice(0, 220)}${response.text.length > 220 ? '…' : ''}`,
  );
}

const external = process.env.SWITCHBOARD_URL;
const controlPlane: ControlPlane =
  external !== undefined && process.env.SWITCHBOARD_API_KEY !== undefined
    ? { baseUrl: external, apiKey: process.env.SWITCHBOARD_API_KEY, stop: () => Promise.resolve() }
    : await startControlPlane();
console.log(`Switchboard session demo against the control plane at ${controlPlane.baseUrl}`);

const failing = new Set<string>();
const telemetry = createMemoryTelemetrySink();
const registry = await createControlPlaneRegistrySource({
  baseUrl: controlPlane.baseUrl,
  apiKey: controlPlane.apiKey,
});
const client = await createModelClient({
  registry,
  providers: { sim: (_provider, model) => createDemoAdapter(model, failing) },
  telemetry,
});

const session = {
  sessionId: 'demo-session-1',
  systemPrompt: 'You are the narrator of "The Lantern Road", a gentle therapeutic adventure.',
};
const turn = (request: Omit<ModelClientRequest, 'sessionId' | 'systemPrompt'>) =>
  client.chat({ ...session, maxOutputTokens: 90, ...request });

try {
  printTurn(
    'A narrative turn',
    await turn({
      userMessage: 'I follow the lantern light into the flooded mill.',
      context: { taskType: 'narrative_generation', creativity: 0.85 },
    }),
  );

  const first = await turn({
    userMessage: 'I ask the miller what happened here.',
    context: { taskType: 'dialogue_generation', creativity: 0.7 },
  });
  printTurn('A dialogue turn', first);
  // The model that answered that turn now breaks off mid-answer; the next one must continue it.
  if (first.answeredBy !== undefined) failing.add(first.answeredBy);
  printTurn(
    `A turn whose model (${first.answeredBy}) fails mid-answer`,
    await turn({
      userMessage: 'I tell the miller I know how it feels to lose a home.',
      context: { taskType: 'dialogue_generation', creativity: 0.7 },
    }),
  );

  printTurn(
    'A crisis message',
    await turn({
      userMessage: '(withheld from this demo: the player writes that they do not want to go on)',
      pinUserMessage: true,
      context: { taskType: 'therapeutic_response', riskLevel: 'crisis' },
    }),
  );

  const events = telemetry.events();
  const total = events
    .flatMap((event) => event.attempts)
    .reduce((sum, attempt) => sum + (attempt.cost.status === 'known' ? attempt.cost.micros : 0), 0);
  console.log(
    `\n${events.length} telemetry events (no message content in any); session cost ${formatMicros(total)}`,
  );
} finally {
  await client.close();
  await controlPlane.stop();
}
