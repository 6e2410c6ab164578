import { buildRegistrySnapshot, defaultRegistryContent, type RegistrySnapshot } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { simulatedProviders } from '../client/__fixtures__/simulated-client.ts';
import { createModelClient } from '../client/model-client.ts';
import { createMemoryTelemetrySink } from '../client/telemetry/memory-telemetry-sink.ts';
import { isExecutionError } from './execution-error.ts';
import { createInMemoryBudgetGuard } from './in-memory-budget-guard.ts';

/** The simulated models (free by default) priced like a small hosted model, so answers cost money. */
function pricedSimulatedSnapshot(): RegistrySnapshot {
  const content = defaultRegistryContent();
  return buildRegistrySnapshot(
    {
      ...content,
      providers: content.providers.filter((provider) => provider.kind === 'sim'),
      models: content.models
        .filter((model) => model.provider === 'sim')
        .map((model) => ({
          ...model,
          price: {
            inputPerMillionMicros: 1_000_000,
            outputPerMillionMicros: 2_000_000,
            version: 'priced-sim',
          },
        })),
    },
    { version: 1, createdAt: '2026-01-01T00:00:00.000Z' },
  );
}

describe('an in-memory budget guard in a direct-mode client', () => {
  it('charges every answer and refuses with budget_exceeded once the hard limit is reached', async () => {
    const sim = simulatedProviders();
    const guard = createInMemoryBudgetGuard({ name: 'game-server-day', limitMicros: 5_000, period: 'day' });
    const client = await createModelClient({
      registry: { snapshot: pricedSimulatedSnapshot() },
      providers: { sim: sim.factory },
      clock: sim.engineClock,
      random: () => 0.5,
      telemetry: createMemoryTelemetrySink(),
      admitAttempt: guard.admitAttempt,
    });
    let charged = 0;
    let refusal: unknown;
    for (let turn = 0; turn < 500 && refusal === undefined; turn += 1) {
      try {
        const response = await client.chat({
          messages: [{ role: 'user', content: 'Where does the path lead?' }],
          context: { taskType: 'dialogue_generation' },
          maxOutputTokens: 200,
        });
        charged += response.cost.micros;
      } catch (error) {
        refusal = error;
      }
    }
    await client.close();
    expect(isExecutionError(refusal)).toBe(true);
    expect(isExecutionError(refusal) && refusal.kind).toBe('budget_exceeded');
    expect(String((refusal as Error).message)).toContain('game-server-day');
    expect(charged).toBeGreaterThan(0);
    expect(guard.state()).toMatchObject({ spentMicros: charged, reservedMicros: 0 });
    expect(guard.state().spentMicros).toBeLessThanOrEqual(5_000);
  });
});
