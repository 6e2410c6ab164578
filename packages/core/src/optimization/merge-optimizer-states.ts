import { mergeLatency, mergeQuality, mergeReliability } from './evidence-decay.ts';
import { copySketch } from './latency-sketch.ts';
import {
  allCells,
  emptyState,
  type OptimizerCell,
  type OptimizerHalfLives,
  type OptimizerState,
} from './optimizer-state.ts';

function sameHalfLives(first: Readonly<OptimizerHalfLives>, second: Readonly<OptimizerHalfLives>): boolean {
  return (
    first.qualityMs === second.qualityMs &&
    first.recentQualityMs === second.recentQualityMs &&
    first.latencyMs === second.latencyMs &&
    first.reliabilityMs === second.reliabilityMs
  );
}

function mergeCells(
  first: OptimizerCell,
  second: OptimizerCell,
  halfLives: OptimizerHalfLives,
): OptimizerCell {
  return {
    modelId: first.modelId,
    taskType: first.taskType,
    quality: mergeQuality(first.quality, second.quality, halfLives),
    reliability: mergeReliability(first.reliability, second.reliability, halfLives.reliabilityMs),
    latency: mergeLatency(first.latency, second.latency, halfLives.latencyMs),
  };
}

/** A deep copy of a cell. */
export function copyCell(cell: OptimizerCell): OptimizerCell {
  return {
    modelId: cell.modelId,
    taskType: cell.taskType,
    quality: { ...cell.quality },
    reliability: { ...cell.reliability },
    latency: {
      ...cell.latency,
      firstToken: copySketch(cell.latency.firstToken),
      total: copySketch(cell.latency.total),
    },
  };
}

/**
 * Combines what two optimisers learned (two SDK instances, or an SDK's report and the control
 * plane's state) into a new state; neither input changes. For each (model, task type) pair, every
 * kind of evidence is brought to the later of the two update times and summed: discounted counts
 * add, latency sketches add bucket by bucket. So merging is commutative and associative (up to
 * floating-point rounding), and merging the states of two hosts gives what one host would have
 * learned from both hosts' events. Merge reports of disjoint traffic only: a state merged with
 * itself counts its evidence twice.
 *
 * Throws a `RangeError` when the half-lives differ, since evidence discounted at two rates cannot
 * be summed meaningfully: configure every host with the same half-lives.
 */
export function mergeOptimizerStates(first: OptimizerState, second: OptimizerState): OptimizerState {
  if (!sameHalfLives(first.halfLives, second.halfLives)) {
    throw new RangeError(
      `Cannot merge optimiser states with different half-lives (${JSON.stringify(first.halfLives)} and ` +
        `${JSON.stringify(second.halfLives)}): configure every host with the same half-lives.`,
    );
  }
  const merged = emptyState(first.halfLives);
  const place = (cell: OptimizerCell) => {
    let byModel = merged.cells.get(cell.taskType);
    if (byModel === undefined) {
      byModel = new Map();
      merged.cells.set(cell.taskType, byModel);
    }
    byModel.set(cell.modelId, cell);
  };
  for (const cell of allCells(first)) {
    const other = second.cells.get(cell.taskType)?.get(cell.modelId);
    place(other === undefined ? copyCell(cell) : mergeCells(cell, other, first.halfLives));
  }
  for (const cell of allCells(second)) {
    if (first.cells.get(cell.taskType)?.has(cell.modelId) !== true) place(copyCell(cell));
  }
  return merged;
}
