/**
 * A small game loop on the Switchboard SDK in direct mode: selection and execution run in this
 * process, on a registry snapshot, and the models are Switchboard's simulated ones, so it runs with
 * no keys and no network.
 *
 * Six scripted turns of "The Lantern Road" show what a game service sees:
 * 1-2. a narrative turn and a dialogue turn, each on the model the therapeutic context asks for;
 * 3. the model that answered goes down (its provider answers 503 to everything): the turn fails
 *    over to another model and the player sees one ordinary answer;
 * 4. the same model breaks off mid-answer: another continues it and the answer reads as one;
 * 5. a crisis message: only a safety-tier-3 model may answer, with no exploration;
 * 6. the same with that model down too: the engine's safe message answers, flagged as such.
 *
 * With SWITCHBOARD_URL and SWITCHBOARD_API_KEY set, the registry comes from that control plane
 * instead of the bundled default (the models still run here).
 */
import {
  buildRegistrySnapshot,
  defaultRegistryContent,
  defaultRegistryEpoch,
  formatMicros,
  ProviderError,
  type ChatModelAdapterV1,
  type ChatRequest,
  type ModelSpec,
  type RiskLevel,
  type TaskType,
} from '@switchboard/core';
import { createSeededRandom, createSimulatedAdapterForModel } from '@switchboard/provider-sim';
import {
  createControlPlaneRegistrySource,
  createModelClient,
  type ModelClientRegistry,
  type ModelClientResponse,
} from '@switchboard/sdk';

/** What the game's world does to a model, turn by turn: nothing, take it down, or cut it off. */
type ModelTrouble = 'down' | 'cuts-off';

/**
 * The simulated adapter of one model, with trouble switched on and off by the game script. A
 * `down` model's provider refuses every call as overloaded (what a 503 from a real provider
 * becomes); a `cuts-off` model streams a little and then the connection ends without a finish.
 */
function createTroubledAdapter(model: ModelSpec, trouble: Map<string, ModelTrouble>): ChatModelAdapterV1 {
  // Twenty times the registry's speed: the script should not keep you waiting.
  const speed = {
    timeToFirstTokenMs: model.latencyPriors.timeToFirstTokenP50Ms / 20,
    timeToFirstTokenP95Ms: model.latencyPriors.timeToFirstTokenP95Ms / 20,
    outputTokensPerSecond: model.latencyPriors.outputTokensPerSecond * 20,
  };
  const healthy = createSimulatedAdapterForModel(model, speed);
  const cutOff = createSimulatedAdapterForModel(model, { ...speed, behaviour: 'cut-after-12' });
  const down = (): ProviderError =>
    new ProviderError({
      kind: 'overloaded',
      status: 503,
      message: `${model.provider} answered 503 Service Unavailable`,
      provider: model.provider,
      modelId: model.id,
    });
  const pick = (): ChatModelAdapterV1 => (trouble.get(model.id) === 'cuts-off' ? cutOff : healthy);
  return {
    specificationVersion: 'v1',
    provider: healthy.provider,
    providerModel: healthy.providerModel,
    doGenerate: (request: ChatRequest) =>
      trouble.get(model.id) === 'down' ? Promise.reject(down()) : pick().doGenerate(request),
    doStream: (request: ChatRequest) =>
      trouble.get(model.id) === 'down' ? Promise.reject(down()) : pick().doStream(request),
  };
}

/**
 * A stand-in for the game's risk classifier. A real game screens each message with a classifier
 * (or a `safety_screening` request) and must err on the side of caution; a keyword list is only
 * enough for a script.
 */
function assessRisk(message: string): RiskLevel {
  if (/\b(do not want to go on|end it|hurt myself)\b/i.test(message)) return 'crisis';
  if (/\b(hopeless|alone|scared)\b/i.test(message)) return 'elevated';
  return 'low';
}

function printTurn(turn: number, title: string, response: ModelClientResponse): void {
  const { decision, attempts, contributors } = response.result;
  console.log(`\nTurn ${turn}: ${title}`);
  console.log(`  decision: ${decision.summary}`);
  for (const attempt of attempts) {
    const error = attempt.error === undefined ? '' : ` (${attempt.error.kind})`;
    console.log(
      `  attempt ${attempt.index + 1}: ${attempt.trigger} on ${attempt.modelId} -> ${attempt.outcome}${error}`,
    );
  }
  const failedOver = attempts.filter(
    (attempt) => attempt.trigger === 'failover' || attempt.trigger === 'handoff',
  );
  if (failedOver.length > 0) {
    const from = attempts.filter((attempt) => attempt.outcome !== 'ok').map((attempt) => attempt.modelId);
    console.log(
      `  failover: ${[...new Set(from)].join(', ')} failed; ${failedOver.at(-1)?.modelId} took over`,
    );
  }
  if (contributors.length > 1) console.log(`  one answer, written by ${contributors.join(' then ')}`);
  if (response.fallback !== undefined) {
    console.log(
      `  crisis fail-safe: every safe model failed, the safe message answered (${response.fallback})`,
    );
  }
  console.log(
    `  answered by: ${response.answeredBy ?? 'the safe message'}; cost ${formatMicros(response.cost.micros)}`,
  );
  const text = response.text.replace(/\s+/g, ' ');
  console.log(`  narrator: ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`);
}

async function chooseRegistry(): Promise<ModelClientRegistry> {
  const baseUrl = process.env.SWITCHBOARD_URL;
  const apiKey = process.env.SWITCHBOARD_API_KEY;
  if (baseUrl !== undefined && apiKey !== undefined) {
    console.log(`Registry: the control plane at ${baseUrl}`);
    return createControlPlaneRegistrySource({ baseUrl, apiKey });
  }
  console.log(
    'Registry: the bundled simulated models (set SWITCHBOARD_URL and SWITCHBOARD_API_KEY to use a control plane)',
  );
  // The bundled registry also lists real models (OpenAI, Anthropic); without their keys this game
  // keeps only the simulated ones, as the control plane does when it seeds itself without keys.
  const content = defaultRegistryContent();
  const simulated = {
    ...content,
    providers: content.providers.filter((provider) => provider.kind === 'sim'),
    models: content.models.filter((model) => model.provider === 'sim'),
  };
  return { snapshot: buildRegistrySnapshot(simulated, { version: 1, createdAt: defaultRegistryEpoch }) };
}

const trouble = new Map<string, ModelTrouble>();
const client = await createModelClient({
  registry: await chooseRegistry(),
  providers: { sim: (_provider, model) => createTroubledAdapter(model, trouble) },
  // Seeded so the script plays the same way every time; a real game leaves the default.
  random: createSeededRandom(17),
});

const sessionId = 'lantern-road-player-17';
const systemPrompt = 'You are the narrator of "The Lantern Road", a gentle therapeutic adventure.';
let turnNumber = 0;
async function playTurn(
  title: string,
  userMessage: string,
  taskType: TaskType,
  creativity: number,
  /** A model to try first (failover still follows the ranking behind it). */
  pinnedModelId?: string,
): Promise<ModelClientResponse> {
  turnNumber += 1;
  const riskLevel = assessRisk(userMessage);
  const response = await client.chat({
    sessionId,
    systemPrompt,
    userMessage,
    // A disclosure is pinned: every later model sees it, however small its window.
    pinUserMessage: riskLevel === 'crisis',
    maxOutputTokens: 80,
    context: { taskType, riskLevel, creativity, playerId: 'player-17', sessionId },
    ...(pinnedModelId === undefined ? {} : { pinnedModelId }),
  });
  printTurn(turnNumber, `${title} [${taskType}, risk ${riskLevel}]`, response);
  return response;
}

try {
  console.log('The Lantern Road: a game loop on the Switchboard SDK (direct mode)');
  await playTurn(
    'a narrative turn',
    'I follow the lantern light into the flooded mill.',
    'narrative_generation',
    0.85,
  );
  const dialogue = await playTurn(
    'a dialogue turn',
    'I ask the miller what happened here.',
    'dialogue_generation',
    0.7,
  );
  // The game rates the answer (a player's thumbs-up, a coherence check); the optimiser learns from it.
  client.feedback(dialogue.decisionId, 0.9);

  // The next two turns put that model first (a pin), so the script shows its failure every time;
  // without the pin, what the client has learned about speed and errors could rank another first.
  const lastModel = dialogue.answeredBy;
  if (lastModel !== undefined) trouble.set(lastModel, 'down');
  await playTurn(
    `${lastModel ?? 'the last model'} is down`,
    'I tell the miller I know how it feels to lose a home.',
    'dialogue_generation',
    0.7,
    lastModel,
  );
  trouble.clear();

  // The same model now breaks off mid-answer: another model continues the answer the player is reading.
  if (lastModel !== undefined) trouble.set(lastModel, 'cuts-off');
  await playTurn(
    `${lastModel ?? 'the model'} breaks off mid-answer`,
    'I look out over the water wheel.',
    'narrative_generation',
    0.6,
    lastModel,
  );
  trouble.clear();

  const safety = client.snapshot().models.find((model) => model.safetyTier === 3);
  await playTurn('a crisis message', 'Honestly I do not want to go on anymore.', 'therapeutic_response', 0.3);

  if (safety !== undefined) trouble.set(safety.id, 'down');
  await playTurn(
    `a crisis message while ${safety?.id ?? 'the safety model'} is down`,
    'I said I do not want to go on.',
    'therapeutic_response',
    0.3,
  );
  trouble.clear();
} finally {
  await client.close();
}
console.log('\nThe game loop ended.');
