import type { TaskType } from '../context/therapeutic-context.ts';
import { addQualityEvidence } from './evidence-decay.ts';
import { cellFor, checkEventKeys, type OptimizerState } from './optimizer-state.ts';
import { qualitySignalEvidence, type QualitySignal } from './quality-signal.ts';

/** One piece of evidence about how good a model's answer was. */
export interface QualityObservation {
  /** Registry id of the model that wrote the answer. */
  modelId: string;
  taskType: TaskType;
  /** When the signal arrived, epoch milliseconds from the injected clock. */
  now: number;
  signal: QualitySignal;
}

/**
 * Adds a quality signal to the model's discounted Beta posterior for the task, changing `state` in
 * place (see `OptimizerState`). What each signal adds is `qualitySignalEvidence`'s table; older
 * evidence fades with the quality half-life, so a model whose answers get worse is re-learned.
 * Throws a `RangeError` for an unknown task type or signal, a missing model id, a time that is not
 * a finite number, or a feedback score outside 0..1.
 */
export function recordQuality(state: OptimizerState, observation: QualityObservation): void {
  const { modelId, taskType, now } = observation;
  checkEventKeys(modelId, taskType, now);
  const evidence = qualitySignalEvidence(observation.signal);
  const quality = cellFor(state, modelId, taskType).quality;
  addQualityEvidence(quality, evidence.successes, evidence.failures, now, state.halfLives);
}
