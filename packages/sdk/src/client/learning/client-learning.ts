import {
  createOptimizerState,
  mergeOptimizerStates,
  recordOutcome,
  recordQuality,
  serializeOptimizerState,
  statsView,
  type OptimizerHalfLives,
  type OptimizerState,
  type QualitySignal,
  type RegistrySnapshot,
  type SerializedOptimizerState,
  type StatsView,
  type TaskType,
} from '@switchboard/core';
import { attemptOutcomesOf, type LearnableTelemetry } from './telemetry-outcomes.ts';

/** How long a stats view is reused while nothing new is learned. */
const viewLifetimeMs = 1000;

/** Settings of {@link ClientLearning}. */
export interface ClientLearningOptions {
  /** How fast evidence fades (core's `OptimizerHalfLives`); must equal the control plane's to use its fleet state. */
  halfLives?: Partial<OptimizerHalfLives> | undefined;
  /**
   * Whether the attempts this client learns from also reach the control plane whose fleet state it
   * adopts (its telemetry goes there). When true, adopting a fleet state drops the attempts learned
   * locally since the previous adoption, because the fleet state now holds them (or will at the
   * next one): counting them twice would make this client's own traffic weigh double.
   */
  fleetIncludesOwnAttempts: boolean;
  /** Told why a fleet state was not adopted. */
  onWarning: (message: string) => void;
}

/**
 * What one client learns, kept in three optimiser states so that nothing is counted twice when the
 * fleet's state (the control plane's, learned from every host's telemetry) is laid underneath:
 *
 * - `fleet`: the last state the control plane published, replaced whole at each adoption;
 * - `attempts`: this client's attempts since that adoption. The control plane learns the same
 *   attempts from this client's telemetry, so each adoption empties it (when
 *   `fleetIncludesOwnAttempts`); an attempt made just before an adoption but ingested just after it
 *   is missing from the view until the next adoption: an undercount for one poll, never a double
 *   count;
 * - `quality`: this client's feedback and game signals, which the client does not report (the
 *   control plane learns quality only from `POST /v1/feedback` on its own decisions), so it is
 *   never in the fleet state and is kept across adoptions.
 *
 * Selection reads `combined`, which is fleet ⊕ attempts ⊕ quality (core's `mergeOptimizerStates`),
 * kept up to date by recording every event into it as well, so no merge runs per request.
 */
export class ClientLearning {
  readonly #options: ClientLearningOptions;
  readonly #quality: OptimizerState;
  #attempts: OptimizerState;
  #combined: OptimizerState;
  #revision = 0;
  #view: { snapshot: RegistrySnapshot; revision: number; at: number; view: StatsView } | undefined;

  constructor(options: ClientLearningOptions) {
    this.#options = options;
    this.#quality = createOptimizerState({ halfLives: options.halfLives });
    this.#attempts = createOptimizerState({ halfLives: options.halfLives });
    this.#combined = createOptimizerState({ halfLives: options.halfLives });
  }

  /** Grows with every recorded event and adoption: a cheap "has anything changed" for caches. */
  get revision(): number {
    return this.#revision;
  }

  /** Learns from one request's attempts (its telemetry fields), dated from `requestStartedAt`. */
  recordAttempts(telemetry: LearnableTelemetry, requestStartedAt: number): void {
    const outcomes = attemptOutcomesOf(telemetry, requestStartedAt);
    if (outcomes.length === 0) return;
    for (const outcome of outcomes) {
      recordOutcome(this.#attempts, outcome);
      recordOutcome(this.#combined, outcome);
    }
    this.#revision += 1;
  }

  /** Learns one quality signal about `modelId`'s answer for `taskType`. */
  recordQuality(modelId: string, taskType: TaskType, signal: QualitySignal, now: number): void {
    const observation = { modelId, taskType, signal, now };
    recordQuality(this.#quality, observation);
    recordQuality(this.#combined, observation);
    this.#revision += 1;
  }

  /**
   * Lays the fleet's state under this client's own. Refused with a warning (the local state stays in
   * force) when its half-lives differ from this client's, since such evidence cannot be summed.
   */
  adoptFleet(fleet: OptimizerState): void {
    const own = this.#quality.halfLives;
    // Every half-life, the short quality memory included: core's merge refuses states that differ in
    // any of them, and would throw here instead of leaving the local state in force.
    if (
      fleet.halfLives.qualityMs !== own.qualityMs ||
      fleet.halfLives.recentQualityMs !== own.recentQualityMs ||
      fleet.halfLives.latencyMs !== own.latencyMs ||
      fleet.halfLives.reliabilityMs !== own.reliabilityMs
    ) {
      this.#options.onWarning(
        `The control plane's optimiser state uses half-lives ${JSON.stringify(fleet.halfLives)}, this client ` +
          `${JSON.stringify(own)}: it is ignored. Configure the client's learning.halfLives like the control plane's.`,
      );
      return;
    }
    if (this.#options.fleetIncludesOwnAttempts) {
      this.#attempts = createOptimizerState({ halfLives: own });
    }
    this.#combined = mergeOptimizerStates(mergeOptimizerStates(fleet, this.#attempts), this.#quality);
    this.#revision += 1;
  }

  /**
   * The statistics selection scores with. Rebuilt when something was learned since the last call or
   * a second has passed (evidence fades with time even when nothing new arrives); otherwise the last
   * view is reused, since a view memoises each pair it has computed.
   */
  statsView(snapshot: RegistrySnapshot, now: number): StatsView {
    const cached = this.#view;
    if (
      cached !== undefined &&
      cached.snapshot === snapshot &&
      cached.revision === this.#revision &&
      Math.abs(now - cached.at) < viewLifetimeMs
    ) {
      return cached.view;
    }
    const view = statsView(this.#combined, snapshot, now);
    this.#view = { snapshot, revision: this.#revision, at: now, view };
    return view;
  }

  /** What selection reads now (fleet and local evidence together), as JSON. */
  serialize(): SerializedOptimizerState {
    return serializeOptimizerState(this.#combined);
  }
}
