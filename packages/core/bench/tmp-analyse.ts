/**
 * Benchmark of `select()` over a 200-model registry and a mix of requests: every task type and
 * risk level, sensitive contexts, cost ceilings, latency budgets, budgets, tools, JSON mode, pins,
 * exclusions and open circuits. Each call is timed on its own with `process.hrtime.bigint()`.
 * Prints a table for people and, as the very last line, one JSON line for machines.
 *
 * Run: `pnpm --filter @switchboard/core bench`.
 */
import { riskLevels, taskTypes, type TherapeuticContextInput } from '../src/context/therapeutic-context.ts';
import { parseTherapeuticContext } from '../src/context/therapeutic-context.ts';
import type { ModelSpecInput } from '../src/registry/model-spec.ts';
import type { RoutingPolicyInput } from '../src/registry/routing-policy.ts';
import { createSeededRandom, healthFromMap, select, statsFromPriors } from '../src/selection/index.ts';
import type { BudgetView, CircuitStatus, SelectionInput, SelectionRequest } from '../src/selection/index.ts';
import { testModel, testSnapshot } from '../src/selection/testing/test-registry.ts';

const modelCount = 200;
const contextCount = 512;
const warmupCalls = 30_000;
const measuredCalls = 200_000;

const random = createSeededRandom(20_240_601);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
const chance = (probability: number): boolean => random.next() < probability;
const between = (low: number, high: number): number => low + (high - low) * random.next();

const providers = ['openai', 'anthropic', 'openrouter', 'groq', 'together', 'mistral', 'ollama', 'lmstudio', 'vllm', 'legacy'];
const localProviders = new Set(['ollama', 'lmstudio', 'vllm']);
const windows = [4_096, 8_192, 16_384, 32_768, 128_000, 200_000];

function generateModel(index: number): ModelSpecInput {
  const provider = pick(providers);
  const local = localProviders.has(provider);
  const contextWindow = pick(windows);
  const byTask: Partial<Record<(typeof taskTypes)[number], number>> = {};
  for (const taskType of taskTypes) if (chance(0.5)) byTask[taskType] = Number(between(0.3, 0.95).toFixed(2));
  const inputPrice = Math.round(Math.exp(between(Math.log(50_000), Math.log(15_000_000))));
  return testModel(`${provider}/model-${index}`, {
    provider,
    contextWindow,
    maxOutputTokens: Math.min(contextWindow, pick([1_024, 2_048, 4_096, 8_192, 16_384])),
    capabilities: {
      streaming: chance(0.95),
      tools: chance(0.6),
      jsonMode: chance(0.5),
      systemRole: chance(0.9),
      assistantPrefill: chance(0.3),
    },
    price: local
      ? chance(0.5)
        ? null
        : { inputPerMillionMicros: 0, outputPerMillionMicros: 0, version: 'local' }
      : chance(0.05)
        ? null
        : { inputPerMillionMicros: inputPrice, outputPerMillionMicros: inputPrice * 4, version: 'bench-1' },
    privacy: { local, zeroRetention: !local && chance(0.2) },
    safetyTier: pick([0, 1, 1, 2, 2, 2, 3, 3] as const),
    qualityPriors: { default: Number(between(0.3, 0.95).toFixed(2)), byTask },
    latencyPriors: (() => {
      const p50 = between(80, 2_500);
      return { timeToFirstTokenP50Ms: p50, timeToFirstTokenP95Ms: p50 * between(1.5, 4), outputTokensPerSecond: between(15, 400) };
    })(),
    enabled: chance(0.95),
  });
}

const models = Array.from({ length: modelCount }, (_, index) => generateModel(index));
const policies: RoutingPolicyInput[] = [
  { name: 'default', explorationRate: 0.1, maxCandidates: 4 },
  {
    name: 'therapy',
    appliesTo: { taskTypes: ['therapeutic_response', 'safety_screening'] },
    weights: { quality: 3, latency: 1, cost: 0.5 },
    denyModels: models.filter(() => chance(0.05)).map((model) => model.id),
  },
  {
    name: 'fast-dialogue',
    appliesTo: { taskTypes: ['dialogue_generation', 'choice_generation'] },
    weights: { quality: 1, latency: 3, cost: 1 },
    allowModels: models.filter(() => chance(0.6)).map((model) => model.id),
    maxCandidates: 3,
  },
];
const snapshot = testSnapshot({ models, policies, disabledProviders: ['legacy'] });
const stats = statsFromPriors(snapshot);
const circuits = new Map<string, CircuitStatus>();
for (const model of models) {
  if (chance(0.05)) circuits.set(model.id, 'open');
  else if (chance(0.03)) circuits.set(model.id, 'half-open');
}
const health = healthFromMap(circuits);

function generateInput(index: number): SelectionInput {
  const contextInput: TherapeuticContextInput = {
    taskType: taskTypes[index % taskTypes.length]!,
    riskLevel: riskLevels[Math.floor(index / taskTypes.length) % riskLevels.length]!,
    creativity: Number(random.next().toFixed(2)),
    privacy: chance(0.2) ? 'sensitive' : 'standard',
  };
  if (chance(0.3)) contextInput.costCeilingMicros = Math.round(between(500, 50_000));
  if (chance(0.3)) contextInput.latencyBudgetMs = Math.round(between(2_000, 30_000));
  const request: SelectionRequest = {
    estimatedInputTokens: Math.round(Math.exp(between(Math.log(200), Math.log(60_000)))),
  };
  if (chance(0.5)) request.maxOutputTokens = pick([256, 512, 1_024, 2_048]);
  if (chance(0.2)) request.requiresTools = true;
  if (chance(0.1)) request.requiresJsonMode = true;
  if (chance(0.5)) request.requiresStreaming = true;
  if (chance(0.05)) request.pinnedModelId = pick(models).id;
  if (chance(0.1)) request.excludeModelIds = [pick(models).id, pick(models).id];
  let budget: BudgetView | undefined;
  if (chance(0.2)) budget = { remainingMicros: Math.round(between(1_000, 100_000)), preferCheaper: chance(0.5) };
  return {
    context: parseTherapeuticContext(contextInput),
    request,
    snapshot,
    health,
    stats,
    budget,
    seed: index * 7_919,
  };
}

const inputs = Array.from({ length: contextCount }, (_, index) => generateInput(index));

let candidateTotal = 0;
let rejectionTotal = 0;
let emptyDecisions = 0;
for (const input of inputs) {
  const decision = select(input);
  candidateTotal += decision.candidates.length;
  rejectionTotal += decision.rejections.length;
  if (decision.candidates.length === 0) emptyDecisions++;
}

let sink = 0;
for (let call = 0; call < warmupCalls; call++) sink += select(inputs[call % contextCount]!).candidates.length;

const perInput = new Float64Array(contextCount);
const durations = new Float64Array(measuredCalls);
const started = process.hrtime.bigint();
for (let call = 0; call < measuredCalls; call++) {
  const input = inputs[call % contextCount]!;
  const before = process.hrtime.bigint();
  const decision = select(input);
  const after = process.hrtime.bigint();
  sink += decision.candidates.length;
  durations[call] = Number(after - before) / 1_000; perInput[call % contextCount]! += durations[call]!;
}
const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
durations.sort();
const quantile = (share: number): number => durations[Math.min(measuredCalls - 1, Math.floor(share * measuredCalls))]!;
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
let sum = 0;
for (const duration of durations) sum += duration;

const p50 = round(quantile(0.5));
const p90 = round(quantile(0.9));
const p99 = round(quantile(0.99));
const p999 = round(quantile(0.999));
const mean = round(sum / measuredCalls);
const opsPerSecond = Math.round(measuredCalls / elapsedSeconds);

console.log(`select() over ${modelCount} models, ${contextCount} mixed requests, ${measuredCalls.toLocaleString('en')} timed calls`);
console.log(
  `per request: ${round(candidateTotal / contextCount, 1)} candidates, ${round(rejectionTotal / contextCount, 1)} rejections, ` +
    `${round((100 * emptyDecisions) / contextCount, 1)}% with no eligible model`,
);
console.table([{ 'p50 µs': p50, 'p90 µs': p90, 'p99 µs': p99, 'p99.9 µs': p999, 'mean µs': mean, 'ops/s': opsPerSecond }]);
if (sink < 0) console.log('unreachable');
console.log(JSON.stringify({ bench: 'select', models: modelCount, p50_us: p50, p99_us: p99, ops_per_s: opsPerSecond }));
const rows = inputs.map((input, index) => { const d = select(input); const codes: Record<string, number> = {}; for (const r of d.rejections) codes[r.code] = (codes[r.code] ?? 0) + 1; return { us: round(perInput[index]! / (measuredCalls / contextCount)), risk: input.context.riskLevel, eligible: d.candidates.length, rej: d.rejections.length, codes: JSON.stringify(codes) }; });
rows.sort((a, b) => b.us - a.us);
console.table(rows.slice(0, 25));
console.table(rows.slice(-5));
const worst = inputs.map((input, index) => ({ input, us: perInput[index]! })).sort((a, b) => b.us - a.us).slice(0, 20).map((entry) => entry.input);
const worstTimes = new Float64Array(100_000);
for (let i = 0; i < 100_000; i++) { const a = process.hrtime.bigint(); select(worst[i % 20]!); worstTimes[i] = Number(process.hrtime.bigint() - a) / 1000; }
worstTimes.sort();
console.log('worst-20 p50 us', worstTimes[50_000]!.toFixed(1), 'p25', worstTimes[25_000]!.toFixed(1));
