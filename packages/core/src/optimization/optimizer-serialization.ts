import { z } from 'zod';
import { taskTypes } from '../context/therapeutic-context.ts';
import { formatZodIssues, SwitchboardValidationError } from '../validation.ts';
import { isValidSketch, latencySketchIndexRange, type LatencySketch } from './latency-sketch.ts';
import { copyCell } from './merge-optimizer-states.ts';
import {
  allCells,
  emptyState,
  optimizerStateVersion,
  resolveHalfLives,
  type OptimizerCell,
  type OptimizerState,
} from './optimizer-state.ts';

const weight = z.number().nonnegative();
const maximumBuckets = latencySketchIndexRange.maximum - latencySketchIndexRange.minimum + 1;

const sketchSchema = z
  .strictObject({
    offset: z.number().int(),
    counts: z.array(weight).max(maximumBuckets),
  })
  .refine((sketch) => isValidSketch(sketch), {
    message:
      `bucket indices must lie in ${latencySketchIndexRange.minimum}..${latencySketchIndexRange.maximum} ` +
      `(offset plus the number of counts)`,
  });

const cellSchema = z.strictObject({
  modelId: z.string().min(1),
  taskType: z.enum(taskTypes),
  quality: z.strictObject({
    updatedAt: z.number(),
    successes: weight,
    failures: weight,
    // Absent from states written before change detection: no recent evidence, which only means a
    // change is noticed from the next signals on.
    recentSuccesses: weight.default(0),
    recentFailures: weight.default(0),
    // Absent from states written before signal weights were tracked: filled in by
    // `deserializeOptimizerState` as if every unit of evidence had been one observation, the
    // precision those states were judged with.
    squaredWeights: weight.optional(),
    recentSquaredWeights: weight.optional(),
  }),
  reliability: z
    .strictObject({ updatedAt: z.number(), attempts: weight, errors: weight })
    .refine((counts) => counts.errors <= counts.attempts * (1 + 1e-9), {
      message: 'errors must not exceed attempts',
      path: ['errors'],
    }),
  latency: z.strictObject({
    updatedAt: z.number(),
    firstToken: sketchSchema,
    total: sketchSchema,
    outputTokens: weight,
    generationMs: weight,
    throughputSamples: weight,
  }),
});

/**
 * The JSON schema of a serialised optimiser state (version 1). The recent quality counts and their
 * half-life, and the squared signal weights, were added later, optionally, so states serialised
 * before them still read.
 */
export const serializedOptimizerStateSchema = z
  .strictObject({
    version: z.literal(optimizerStateVersion),
    halfLives: z
      .strictObject({
        qualityMs: z.number().positive(),
        // Absent from states written before change detection: the default applies.
        recentQualityMs: z.number().positive().optional(),
        latencyMs: z.number().positive(),
        reliabilityMs: z.number().positive(),
      })
      .refine(
        (halfLives) =>
          halfLives.recentQualityMs === undefined || halfLives.recentQualityMs <= halfLives.qualityMs,
        { message: 'recentQualityMs must not exceed qualityMs', path: ['recentQualityMs'] },
      ),
    cells: z.array(cellSchema),
  })
  .superRefine((state, context) => {
    const seen = new Set<string>();
    state.cells.forEach((cell, index) => {
      const key = `${cell.taskType}\u0000${cell.modelId}`;
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['cells', index],
          message: `a second cell for model "${cell.modelId}" and task "${cell.taskType}" (each pair appears once)`,
        });
      }
      seen.add(key);
    });
  });

/** An optimiser state as plain JSON: what SDKs report and the control plane publishes. */
export type SerializedOptimizerState = z.output<typeof serializedOptimizerStateSchema>;

const taskOrder = new Map<string, number>(taskTypes.map((taskType, index) => [taskType, index]));

function copySketchJson(sketch: LatencySketch): LatencySketch {
  return { offset: sketch.offset, counts: sketch.counts.slice() };
}

/**
 * The state as plain JSON (`JSON.stringify` it as it is), with a version field. Cells come in a
 * canonical order (task type, then model id), so equal states serialise to equal JSON. The result
 * shares nothing with the state.
 */
export function serializeOptimizerState(state: OptimizerState): SerializedOptimizerState {
  const cells = [...allCells(state)].sort(
    (first, second) =>
      taskOrder.get(first.taskType)! - taskOrder.get(second.taskType)! ||
      (first.modelId < second.modelId ? -1 : first.modelId > second.modelId ? 1 : 0),
  );
  return {
    version: optimizerStateVersion,
    halfLives: { ...state.halfLives },
    cells: cells.map((cell) => ({
      modelId: cell.modelId,
      taskType: cell.taskType,
      quality: { ...cell.quality },
      reliability: { ...cell.reliability },
      latency: {
        ...cell.latency,
        firstToken: copySketchJson(cell.latency.firstToken),
        total: copySketchJson(cell.latency.total),
      },
    })),
  };
}

const discardAdvice =
  'discard it and start from createOptimizerState(): traffic re-teaches what it held within a few half-lives';

/**
 * Reads a serialised state: the parsed JSON value, or the JSON text itself. Everything is checked
 * (zod, strict): a state from another version, with negative or non-numeric weights, sketch buckets
 * out of range, more errors than attempts or a pair listed twice is refused with a
 * `SwitchboardValidationError` that names each bad field, rather than quietly skewing selection.
 */
export function deserializeOptimizerState(input: unknown): OptimizerState {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (error) {
      throw new SwitchboardValidationError(
        `Invalid optimiser state: not JSON (${(error as Error).message}); ${discardAdvice}.`,
        [{ path: [], message: 'not JSON' }],
      );
    }
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof value === 'object' && value !== null && version !== optimizerStateVersion) {
    const message = `version ${String(version)} is not one this Switchboard reads (it reads version ${optimizerStateVersion})`;
    throw new SwitchboardValidationError(`Invalid optimiser state: ${message}; ${discardAdvice}.`, [
      { path: ['version'], message },
    ]);
  }
  const parsed = serializedOptimizerStateSchema.safeParse(value);
  if (!parsed.success) {
    throw new SwitchboardValidationError(
      `Invalid optimiser state: ${formatZodIssues(parsed.error.issues)}; ${discardAdvice}.`,
      parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    );
  }
  const state = emptyState(resolveHalfLives(parsed.data.halfLives));
  for (const cell of parsed.data.cells) {
    let byModel = state.cells.get(cell.taskType);
    if (byModel === undefined) {
      byModel = new Map();
      state.cells.set(cell.taskType, byModel);
    }
    const quality = cell.quality;
    byModel.set(
      cell.modelId,
      copyCell({
        ...cell,
        quality: {
          ...quality,
          squaredWeights: quality.squaredWeights ?? quality.successes + quality.failures,
          recentSquaredWeights:
            quality.recentSquaredWeights ?? quality.recentSuccesses + quality.recentFailures,
        },
      } as OptimizerCell),
    );
  }
  return state;
}
