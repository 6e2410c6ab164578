import { parseTherapeuticContext, type TherapeuticContextInput } from '../../context/therapeutic-context.ts';
import type { RegistrySnapshot } from '../../registry/registry-snapshot.ts';
import { allHealthy } from '../health-views.ts';
import { select } from '../select.ts';
import type {
  BudgetView,
  Decision,
  HealthView,
  ModelTaskStats,
  SelectionInput,
  SelectionRequest,
  StatsView,
} from '../selection-types.ts';
import { statsFromPriors } from '../stats-from-priors.ts';

/** What a test changes about a selection; everything else takes a plain, permissive default. */
export interface TestSelectionOptions {
  context?: TherapeuticContextInput;
  request?: Partial<SelectionRequest>;
  health?: HealthView;
  stats?: StatsView;
  budget?: BudgetView;
  seed?: number;
}

/** A full selection input: 1,000 prompt tokens, a parsed context, all healthy, registry priors. */
export function testSelectionInput(
  snapshot: RegistrySnapshot,
  options: TestSelectionOptions = {},
): SelectionInput {
  return {
    context: parseTherapeuticContext(options.context ?? {}),
    request: { estimatedInputTokens: 1_000, ...options.request },
    snapshot,
    health: options.health ?? allHealthy,
    stats: options.stats ?? statsFromPriors(snapshot),
    budget: options.budget,
    seed: options.seed ?? 1,
  };
}

/** `select()` over {@link testSelectionInput}. */
export function testSelect(snapshot: RegistrySnapshot, options: TestSelectionOptions = {}): Decision {
  return select(testSelectionInput(snapshot, options));
}

/**
 * Registry priors with per-model changes (an error rate, a very confident quality estimate, ...)
 * laid over them, for tests of how statistics move the ranking.
 */
export function statsWith(
  snapshot: RegistrySnapshot,
  overrides: Readonly<Record<string, Partial<ModelTaskStats>>>,
): StatsView {
  const priors = statsFromPriors(snapshot);
  return {
    statsOf: (modelId, taskType) => ({ ...priors.statsOf(modelId, taskType), ...overrides[modelId] }),
  };
}
