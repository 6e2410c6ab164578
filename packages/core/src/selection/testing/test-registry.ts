import type { ModelSpecInput, ProviderSpecInput } from '../../registry/model-spec.ts';
import { buildRegistrySnapshot, type RegistrySnapshot } from '../../registry/registry-snapshot.ts';
import type { RoutingPolicyInput } from '../../registry/routing-policy.ts';

/**
 * A model for tests and benchmarks that qualifies almost everywhere (safety tier 3, every
 * capability, a roomy window, a price), so that a test changes only the field its rule is about.
 */
export function testModel(id: string, overrides: Partial<ModelSpecInput> = {}): ModelSpecInput {
  return {
    id,
    provider: 'test',
    providerModel: id,
    contextWindow: 32_768,
    maxOutputTokens: 4_096,
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: false },
    price: { inputPerMillionMicros: 1_000_000, outputPerMillionMicros: 2_000_000, version: 'test-prices-1' },
    privacy: { local: false, zeroRetention: false },
    safetyTier: 3,
    qualityPriors: { default: 0.7, byTask: {} },
    latencyPriors: { timeToFirstTokenP50Ms: 400, timeToFirstTokenP95Ms: 900, outputTokensPerSecond: 80 },
    ...overrides,
  };
}

/** What a test registry holds; providers are derived from the models unless given. */
export interface TestRegistryOptions {
  models: ModelSpecInput[];
  policies?: RoutingPolicyInput[];
  providers?: ProviderSpecInput[];
  /** Ids of derived providers to mark disabled. */
  disabledProviders?: string[];
  version?: number;
}

/** A validated snapshot from test models, with one enabled `sim` provider per distinct provider id. */
export function testSnapshot(options: TestRegistryOptions): RegistrySnapshot {
  const disabled = new Set(options.disabledProviders ?? []);
  const providers =
    options.providers ??
    [...new Set(options.models.map((model) => model.provider))].map((id) => ({
      id,
      kind: 'sim' as const,
      enabled: !disabled.has(id),
    }));
  return buildRegistrySnapshot(
    { providers, models: options.models, policies: options.policies ?? [] },
    { version: options.version ?? 1, createdAt: '2025-01-01T00:00:00.000Z' },
  );
}
