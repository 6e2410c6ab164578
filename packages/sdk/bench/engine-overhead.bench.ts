/**
 * What the engine costs on top of the model: streamed calls of a zero-latency in-process model
 * (a few text deltas and a finish, no timers) through `execute()`, against the same adapter called
 * directly, interleaved in rounds (the order alternating) so machine noise hits both alike. The
 * per-call overhead is the engine's quantile minus the direct call's. When the client's decision
 * cache exists, a cache hit (key + `get`) is timed too.
 * Prints a table for people and, last, one line of JSON for machines.
 */
import type { ChatModelAdapterV1, ChatRequest, StreamPart, TherapeuticContext } from '@switchboard/core';
import { buildRegistrySnapshot, therapeuticContextSchema } from '@switchboard/core';
import { createInMemoryCircuitRegistry, execute } from '../src/index.ts';

const callsPerVariant = 20_000;
const rounds = 40;
const warmUpCalls = 5_000;
const deltas = ['The lantern', ' flickers', ' as you step', ' into the', ' greenhouse', '.'];
const expectedText = deltas.join('');
const finish: StreamPart = {
  type: 'finish',
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: {
    inputTokens: { total: 24, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: deltas.length, reasoning: 0 },
  },
};

async function* zeroLatencyStream(): AsyncGenerator<StreamPart> {
  for (const delta of deltas) yield { type: 'text-delta', delta };
  yield finish;
}

const adapter: ChatModelAdapterV1 = {
  specificationVersion: 'v1',
  provider: 'bench',
  providerModel: 'zero-latency',
  doGenerate: () => Promise.reject(new Error('not used')),
  doStream: () => Promise.resolve({ stream: zeroLatencyStream() }),
};

const request: ChatRequest = {
  messages: [
    { role: 'system', content: 'You are the narrator of a gentle text adventure.' },
    { role: 'user', content: 'I step into the greenhouse.' },
  ],
  maxOutputTokens: 256,
};

const snapshot = buildRegistrySnapshot(
  {
    providers: [{ id: 'bench', kind: 'sim' }],
    models: [
      {
        id: 'bench/zero-latency',
        provider: 'bench',
        providerModel: 'zero-latency',
        contextWindow: 32_768,
        maxOutputTokens: 4_096,
        price: { inputPerMillionMicros: 150_000, outputPerMillionMicros: 600_000, version: 'bench-1' },
        safetyTier: 3,
        qualityPriors: { default: 0.7 },
        latencyPriors: { timeToFirstTokenP50Ms: 1, timeToFirstTokenP95Ms: 2, outputTokensPerSecond: 10_000 },
      },
    ],
  },
  { version: 1, createdAt: '2025-01-01T00:00:00.000Z' },
);

const decision = {
  policyName: 'default',
  taskType: 'narrative_generation',
  riskLevel: 'none',
  snapshotVersion: 1,
  candidates: [
    {
      modelId: 'bench/zero-latency',
      score: 1,
      components: { quality: 0.7, latency: 1, cost: 1 },
      estimatedCostMicros: 1,
      expectedTimeToFirstTokenMs: 1,
      circuit: 'closed',
      exploratory: false,
      reason: 'bench',
    },
  ],
  rejections: [],
  parameters: { temperature: 0.7, topP: 1, maxOutputTokens: 256 },
  explored: false,
  weights: { quality: 1, latency: 1, cost: 1 },
  summary: 'bench',
} as const satisfies Parameters<typeof execute>[0]['decision'];

const adapters = new Map([['bench/zero-latency', adapter]]);
const circuits = createInMemoryCircuitRegistry();

async function direct(): Promise<string> {
  const { stream } = await adapter.doStream({ ...request, abortSignal: new AbortController().signal });
  let text = '';
  for await (const part of stream) if (part.type === 'text-delta') text += part.delta;
  return text;
}

async function throughEngine(): Promise<string> {
  const execution = execute({ decision, request, adapters, registry: snapshot, circuits });
  let text = '';
  for await (const part of execution) if (part.type === 'text-delta') text += part.delta;
  return text;
}

async function timeCalls(call: () => Promise<string>, count: number, into: number[]): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const text = await call();
    into.push((performance.now() - started) * 1_000);
    if (text !== expectedText) throw new Error('a benchmark call returned the wrong text');
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summarise(samples: readonly number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((left, right) => left - right);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

/** The shape of the client's decision cache this bench relies on, if the client has one yet. */
interface DecisionCacheModule {
  createDecisionCache(): { get(key: string): unknown; set(key: string, value: unknown): boolean };
}
interface DecisionCacheKeyModule {
  decisionCacheKey(
    context: TherapeuticContext,
    selection: { estimatedInputTokens: number },
  ): string | undefined;
}

/** Microseconds per decision-cache hit (key built from the context, then `get`), or null without a cache. */
async function timeCacheHit(): Promise<number | null> {
  const cachePath = '../src/client/decision-cache.ts';
  const keyPath = '../src/client/decision-cache-key.ts';
  const cacheModule = (await import(cachePath).catch(() => undefined)) as DecisionCacheModule | undefined;
  if (typeof cacheModule?.createDecisionCache !== 'function') return null;
  const keyModule = (await import(keyPath).catch(() => undefined)) as DecisionCacheKeyModule | undefined;
  const context = therapeuticContextSchema.parse({ taskType: 'narrative_generation', creativity: 0.6 });
  const selection = { estimatedInputTokens: 420 };
  const keyOf = (): string =>
    keyModule?.decisionCacheKey?.(context, selection) ?? `${context.taskType}|${context.riskLevel}`;
  const cache = cacheModule.createDecisionCache();
  cache.set(keyOf(), decision);
  const samples: number[] = [];
  const batch = 1_000;
  for (let round = 0; round < 200; round += 1) {
    const started = performance.now();
    for (let index = 0; index < batch; index += 1) {
      if (cache.get(keyOf()) === undefined) throw new Error('the decision cache missed a key it holds');
    }
    samples.push(((performance.now() - started) * 1_000) / batch);
  }
  return summarise(samples.slice(20)).p50;
}

await timeCalls(direct, warmUpCalls, []);
await timeCalls(throughEngine, warmUpCalls, []);
const directSamples: number[] = [];
const engineSamples: number[] = [];
const perRound = callsPerVariant / rounds;
for (let round = 0; round < rounds; round += 1) {
  if (round % 2 === 0) {
    await timeCalls(direct, perRound, directSamples);
    await timeCalls(throughEngine, perRound, engineSamples);
  } else {
    await timeCalls(throughEngine, perRound, engineSamples);
    await timeCalls(direct, perRound, directSamples);
  }
}
const directStats = summarise(directSamples);
const engineStats = summarise(engineSamples);
const overhead = { p50: engineStats.p50 - directStats.p50, p99: engineStats.p99 - directStats.p99 };
const cacheHitUs = await timeCacheHit();

const format = (value: number): string => value.toFixed(2).padStart(10);
console.log(
  `engine overhead: ${callsPerVariant} streamed calls each (${deltas.length} deltas + finish, zero latency), ${rounds} interleaved rounds`,
);
console.log(`${'variant'.padEnd(16)} ${'p50 µs'.padStart(10)} ${'p99 µs'.padStart(10)}`);
console.log(`${'direct adapter'.padEnd(16)} ${format(directStats.p50)} ${format(directStats.p99)}`);
console.log(`${'execute()'.padEnd(16)} ${format(engineStats.p50)} ${format(engineStats.p99)}`);
console.log(
  `${'overhead'.padEnd(16)} ${format(overhead.p50)} ${format(overhead.p99)}   (target p50 <= 50 µs)`,
);
console.log(
  `decision cache hit: ${cacheHitUs === null ? 'no decision cache yet' : `${cacheHitUs.toFixed(3)} µs`}`,
);
console.log(
  JSON.stringify({
    bench: 'engine-overhead',
    p50_overhead_us: Number(overhead.p50.toFixed(2)),
    p99_overhead_us: Number(overhead.p99.toFixed(2)),
    cache_hit_us: cacheHitUs === null ? null : Number(cacheHitUs.toFixed(3)),
  }),
);
