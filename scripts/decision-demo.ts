/**
 * The `start` command until the control plane exists: routes a few therapeutic turns against the
 * bundled default registry and prints each decision with its reasons. Nothing is called; this shows
 * what Switchboard would choose and why.
 */
import {
  allHealthy,
  defaultRegistrySnapshot,
  estimateTokens,
  formatMicros,
  parseTherapeuticContext,
  select,
  statsFromPriors,
  type ChatMessage,
  type Decision,
  type TherapeuticContextInput,
} from '@switchboard/core';

interface DemoTurn {
  title: string;
  context: TherapeuticContextInput;
  messages: ChatMessage[];
  maxOutputTokens?: number;
}

const narratorPrompt =
  'You are the narrator of "The Lantern Road", a gentle therapeutic adventure. Keep the player safe and in control.';

const turns: DemoTurn[] = [
  {
    title: 'A narrative turn: the party reaches the flooded mill',
    context: { taskType: 'narrative_generation', riskLevel: 'none', creativity: 0.85, playerId: 'player-17' },
    messages: [
      { role: 'system', content: narratorPrompt },
      { role: 'user', content: 'I push open the mill door and look for the miller.' },
    ],
    maxOutputTokens: 600,
  },
  {
    title: 'A crisis message: the player writes that they want to disappear',
    context: {
      taskType: 'therapeutic_response',
      riskLevel: 'crisis',
      creativity: 0.6,
      playerId: 'player-17',
    },
    messages: [
      { role: 'system', content: narratorPrompt },
      { role: 'user', content: '(player text withheld from this demo: a disclosure of self-harm intent)' },
    ],
    maxOutputTokens: 400,
  },
  {
    title: 'A privacy-sensitive turn: the player shares a diagnosis',
    context: { taskType: 'therapeutic_response', riskLevel: 'low', privacy: 'sensitive', creativity: 0.4 },
    messages: [
      { role: 'system', content: narratorPrompt },
      { role: 'user', content: '(player text withheld: mentions their own diagnosis and medication)' },
    ],
    maxOutputTokens: 400,
  },
  {
    title: 'A cheap safety screen of the last player message',
    context: { taskType: 'safety_screening', creativity: 0, latencyBudgetMs: 2_000, costCeilingMicros: 500 },
    messages: [
      { role: 'system', content: 'Classify the risk in the player message as JSON {"risk": ...}.' },
      { role: 'user', content: 'I push open the mill door and look for the miller.' },
    ],
    maxOutputTokens: 50,
  },
];

/** Models whose provider needs a key this machine does not have: shown, but marked as not callable here. */
function missingKeyNote(modelId: string): string {
  const model = snapshot.models.find((candidate) => candidate.id === modelId);
  const provider = snapshot.providers.find((candidate) => candidate.id === model?.provider);
  const variable = provider?.apiKeyEnv;
  return variable !== undefined && !process.env[variable] ? ` [not callable here: ${variable} is unset]` : '';
}

function printDecision(turn: DemoTurn, decision: Decision, inputTokens: number): void {
  console.log(`\n== ${turn.title}`);
  console.log(
    `   context: task=${decision.taskType} risk=${decision.riskLevel} policy=${decision.policyName} prompt≈${inputTokens} tokens`,
  );
  console.log(`   ${decision.summary}`);
  if (decision.noEligibleModel) console.log(`   NO ELIGIBLE MODEL: ${decision.noEligibleModel.reason}`);
  const { temperature, topP, maxOutputTokens } = decision.parameters;
  console.log(
    `   parameters: temperature=${temperature.toFixed(2)} top_p=${topP} max_tokens=${maxOutputTokens}`,
  );
  decision.candidates.forEach((candidate, rank) => {
    const cost =
      candidate.estimatedCostMicros === undefined ? 'unpriced' : formatMicros(candidate.estimatedCostMicros);
    console.log(
      `   ${rank + 1}. ${candidate.modelId.padEnd(44)} score ${candidate.score.toFixed(3)}  ≤${cost}  — ${candidate.reason}${missingKeyNote(candidate.modelId)}`,
    );
  });
  for (const rejection of decision.rejections) {
    console.log(`   ✗ ${rejection.modelId.padEnd(44)} ${rejection.reason}`);
  }
}

const snapshot = defaultRegistrySnapshot();
const stats = statsFromPriors(snapshot);
console.log(
  `Switchboard decision demo — default registry v${snapshot.version} (${snapshot.models.length} models, ` +
    `${snapshot.policies.length} policies, hash ${snapshot.hash.slice(0, 12)})`,
);
turns.forEach((turn, index) => {
  const context = parseTherapeuticContext(turn.context);
  const estimatedInputTokens = estimateTokens(turn.messages, { family: 'openai' });
  const decision = select({
    context,
    request: { estimatedInputTokens, maxOutputTokens: turn.maxOutputTokens },
    snapshot,
    health: allHealthy,
    stats,
    seed: 1000 + index,
  });
  printDecision(turn, decision, estimatedInputTokens);
});
