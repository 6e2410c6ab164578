import type { CircuitStatus, HealthView } from './selection-types.ts';

/** A {@link HealthView} in which every model's circuit is closed: for tests, demos and cold starts. */
export const allHealthy: HealthView = Object.freeze({
  circuitOf: (): CircuitStatus => 'closed',
});

/**
 * A {@link HealthView} over known circuit statuses, from a `Map` or a plain record keyed by model id.
 * Models missing from it read as `closed`, as the contract requires: a new model must be selectable
 * before anything has been observed about it.
 */
export function healthFromMap(
  statuses: ReadonlyMap<string, CircuitStatus> | Readonly<Record<string, CircuitStatus>>,
): HealthView {
  if (statuses instanceof Map) {
    return { circuitOf: (modelId: string): CircuitStatus => statuses.get(modelId) ?? 'closed' };
  }
  const record = statuses as Readonly<Record<string, CircuitStatus>>;
  return {
    circuitOf: (modelId: string): CircuitStatus =>
      Object.prototype.hasOwnProperty.call(record, modelId) ? (record[modelId] ?? 'closed') : 'closed',
  };
}
