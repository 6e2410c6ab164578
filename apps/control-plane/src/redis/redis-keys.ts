/**
 * Every Redis key, channel and queue name the control plane uses, built from one prefix. Keeping them
 * in one place means a deployment (or a test run) with its own prefix can never read or clobber
 * another's state, and an operator can find everything Switchboard keeps with `SCAN MATCH <prefix>:*`.
 */
export interface RedisKeys {
  /** The prefix itself, for libraries that take one (bull's `prefix`). */
  readonly prefix: string;
  /**
   * Spent and reserved micro-dollars of one budget in one period. `budgetStamp` (when the budget was
   * created) keeps a budget deleted and created again under the same id from inheriting the old counter.
   */
  budgetCounter(budgetId: string, budgetStamp: string, periodStart: string): string;
  /** Marks a reservation as settled or released, so a repeated settle adds nothing. */
  budgetReservation(reservationId: string): string;
  /** The open reservations of one budget counter, scored by when they lapse (an instance died holding them). */
  budgetOpenReservations(budgetId: string, budgetStamp: string, periodStart: string): string;
  /** Pub/sub channel announcing budget definition changes, so every instance drops its cached list. */
  budgetChannel(): string;
  /** The shared circuit state of one model. */
  circuit(modelId: string): string;
  /** Pub/sub channel announcing circuit changes. */
  circuitChannel(): string;
  /** Set of the model ids that have a shared circuit, so a joining instance can read them all. */
  circuitModels(): string;
  /** The token bucket of one API key. */
  rateLimit(apiKeyId: string): string;
  /** Pub/sub channel announcing registry changes to every instance. */
  registryChannel(): string;
  /** Name of the bull queue that runs active health probes once per interval across the fleet. */
  probeQueue(): string;
  /** Pub/sub channel carrying each active probe's result (and each finished round) to every instance. */
  probeResultChannel(): string;
  /** A short-lived lock held by one instance. */
  lock(name: string): string;
}

/** The key builder for one prefix. */
export function redisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    budgetCounter: (budgetId, budgetStamp, periodStart) =>
      `${prefix}:budget:${budgetId}:${budgetStamp}:${periodStart}`,
    budgetReservation: (reservationId) => `${prefix}:budget-reservation:${reservationId}`,
    budgetOpenReservations: (budgetId, budgetStamp, periodStart) =>
      `${prefix}:budget-open:${budgetId}:${budgetStamp}:${periodStart}`,
    budgetChannel: () => `${prefix}:budget-events`,
    circuit: (modelId) => `${prefix}:circuit:${modelId}`,
    circuitChannel: () => `${prefix}:circuit-events`,
    circuitModels: () => `${prefix}:circuit-models`,
    rateLimit: (apiKeyId) => `${prefix}:rate-limit:${apiKeyId}`,
    registryChannel: () => `${prefix}:registry-events`,
    probeQueue: () => `${prefix}-probes`,
    probeResultChannel: () => `${prefix}:probe-results`,
    lock: (name) => `${prefix}:lock:${name}`,
  };
}
