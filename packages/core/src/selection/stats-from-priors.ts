import { taskTypes, type TaskType } from '../context/therapeutic-context.ts';
import type { ModelSpec } from '../registry/model-spec.ts';
import type { RegistrySnapshot } from '../registry/registry-snapshot.ts';
import type { ModelTaskStats, StatsView } from './selection-types.ts';

/**
 * How many observations a registry prior is worth. Small, so that Thompson sampling draws widely
 * around a prior nobody has checked yet and a handful of real outcomes soon outweigh it.
 */
export const priorObservationWeight = 4;

function priorStats(model: ModelSpec, taskType: TaskType): ModelTaskStats {
  return {
    qualityMean: model.qualityPriors.byTask[taskType] ?? model.qualityPriors.default,
    qualityObservations: priorObservationWeight,
    timeToFirstTokenP50Ms: model.latencyPriors.timeToFirstTokenP50Ms,
    timeToFirstTokenP95Ms: model.latencyPriors.timeToFirstTokenP95Ms,
    outputTokensPerSecond: model.latencyPriors.outputTokensPerSecond,
    errorRate: 0,
  };
}

/**
 * The statistics selection uses before anything has been observed: each model's registry priors
 * (quality for the task, else its default quality; latency priors; no errors), each worth
 * {@link priorObservationWeight} observations. Built once per snapshot; `statsOf` allocates
 * nothing, and the returned objects are frozen because they are shared between calls. Asking for a
 * model the snapshot does not hold throws: the view must come from the snapshot selection runs on.
 */
export function statsFromPriors(snapshot: RegistrySnapshot): StatsView {
  const byTask = new Map<TaskType, Map<string, ModelTaskStats>>();
  for (const taskType of taskTypes) {
    const byModel = new Map<string, ModelTaskStats>();
    for (const model of snapshot.models) {
      if (!byModel.has(model.id)) byModel.set(model.id, Object.freeze(priorStats(model, taskType)));
    }
    byTask.set(taskType, byModel);
  }
  // Selection asks for one task many times in a row: remember the last task's table.
  let lastTaskType: TaskType | undefined;
  let lastTable: Map<string, ModelTaskStats> | undefined;
  return {
    statsOf(modelId: string, taskType: TaskType): ModelTaskStats {
      if (taskType !== lastTaskType) {
        lastTable = byTask.get(taskType);
        lastTaskType = taskType;
      }
      const stats = lastTable?.get(modelId);
      if (stats === undefined) {
        throw new RangeError(
          `No prior statistics for model "${modelId}" and task "${taskType}" in registry version ` +
            `${snapshot.version}: build the stats view from the snapshot you select against.`,
        );
      }
      return stats;
    },
  };
}
