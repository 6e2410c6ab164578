/**
 * Benchmark of `select()` over a 200-model registry and a mix of requests: every task type and
 * risk level, sensitive contexts, cost ceilings, latency budgets, budgets, tools, JSON mode, pins,
 * exclusions and open circuits. Each call is timed on its own with `process.hrtime.bigint()`.
 * The timed calls run in several rounds; the table shows each round and the JSON line reports the
 * median round, so that one burst of another process on a shared machine does not decide the result.
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
const rounds = 5;
const callsPerRound = 50_000;

const random = createSeededRandom(20_240_601);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
const chance = (probability: number): boolean => random.next() < probability;
const between = (low: number, high: number): number => low + (high - low) * random.next();

const providers = [
  'openai',
  'anthropic',
  'openrouter',
  'groq',
  'together',
  'mistral',
  'ollama',
  'lmstudio',
  'vllm',
  'legacy',
];
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
      return {
        timeToFirstTokenP50Ms: p50,
        timeToFirstTokenP95Ms: p50 * between(1.5, 4),
        outputTokensPerSecond: between(15, 400),
      };
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
  if (chance(0.2))
    budget = { remainingMicros: Math.round(between(1_000, 100_000)), preferCheaper: chance(0.5) };
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

interface RoundResult {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  mean: number;
  opsPerSecond: number;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

function timeRound(): RoundResult {
  const durations = new Float64Array(callsPerRound);
  const started = process.hrtime.bigint();
  for (let call = 0; call < callsPerRound; call++) {
    const input = inputs[call % contextCount]!;
    const before = process.hrtime.bigint();
    const decision = select(input);
    const after = process.hrtime.bigint();
    sink += decision.candidates.length;
    durations[call] = Number(after - before) / 1_000;
  }
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  durations.sort();
  const quantile = (share: number): number =>
    durations[Math.min(callsPerRound - 1, Math.floor(share * callsPerRound))]!;
  let sum = 0;
  for (const duration of durations) sum += duration;
  return {
    p50: round(quantile(0.5)),
    p90: round(quantile(0.9)),
    p99: round(quantile(0.99)),
    p999: round(quantile(0.999)),
    mean: round(sum / callsPerRound),
    opsPerSecond: Math.round(callsPerRound / elapsedSeconds),
  };
}

const results = Array.from({ length: rounds }, () => timeRound());
const median = (pick: (result: RoundResult) => number): number => {
  const values = results.map(pick).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
};
const summary: RoundResult = {
  p50: median((result) => result.p50),
  p90: median((result) => result.p90),
  p99: median((result) => result.p99),
  p999: median((result) => result.p999),
  mean: median((result) => result.mean),
  opsPerSecond: median((result) => result.opsPerSecond),
};

console.log(
  `select() over ${modelCount} models, ${contextCount} mixed requests, ` +
    `${rounds} rounds of ${callsPerRound.toLocaleString('en')} individually timed calls`,
);
console.log(
  `per request: ${round(candidateTotal / contextCount, 1)} candidates, ${round(rejectionTotal / contextCount, 1)} rejections, ` +
    `${round((100 * emptyDecisions) / contextCount, 1)}% with no eligible model`,
);
const row = (label: string, result: RoundResult) => ({
  round: label,
  'p50 µs': result.p50,
  'p90 µs': result.p90,
  'p99 µs': result.p99,
  'p99.9 µs': result.p999,
  'mean µs': result.mean,
  'ops/s': result.opsPerSecond,
});
console.table([...results.map((result, index) => row(String(index + 1), result)), row('median', summary)]);
if (sink < 0) console.log('unreachable');
console.log(
  JSON.stringify({
    bench: 'select',
    models: modelCount,
    p50_us: summary.p50,
    p99_us: summary.p99,
    ops_per_s: summary.opsPerSecond,
  }),
);
