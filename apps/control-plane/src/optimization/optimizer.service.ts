import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  createOptimizerState,
  deserializeOptimizerState,
  mergeOptimizerStates,
  recordOutcome,
  recordQuality,
  serializeOptimizerState,
  statsView,
  type OptimizerState,
  type QualitySignal,
  type RegistrySnapshot,
  type StatsView,
  type TaskType,
} from '@switchboard/core';
import { attemptOutcomesOfEvent } from '@switchboard/sdk';
import { CLOCK, type Clock } from '../config/clock.ts';
import { TrafficOutcomeBus, type TrafficOutcome } from '../traffic/traffic-outcome-bus.ts';
import { OptimizerRepository } from './optimizer.repository.ts';

/** Settings of the optimiser. */
export interface OptimizerOptions {
  /**
   * How often the learned state is saved (and other instances' evidence read back). A crash loses at
   * most this much learning; a clean shutdown saves first. Default 30 s.
   */
  saveIntervalMs: number;
}

/** Injection token of the {@link OptimizerOptions}. */
export const OPTIMIZER_OPTIONS = Symbol.for('switchboard.control-plane.optimizer-options');

/** The default {@link OptimizerOptions}. */
export const defaultOptimizerOptions: OptimizerOptions = Object.freeze({ saveIntervalMs: 30_000 });

/** The published state: its JSON and strong ETag, made once per change. */
export interface PublishedOptimizerState {
  body: string;
  etag: string;
}

/** How long a stats view is reused while nothing new is learned (evidence also fades with time). */
const viewLifetimeMs = 1000;
/**
 * How long a stats view is reused even when something was learned. A view memoises each pair it
 * computes, so under heavy traffic rebuilding it for every request would recompute every pair's
 * quantiles per request (measured: 13 µs a selection on priors, 37 µs with a view rebuilt each
 * time); a tenth of a second of staleness is invisible to learning that works over minutes.
 */
const viewMinimumLifetimeMs = 100;

/**
 * The fleet's optimiser: what every finished request (gateway and SDK telemetry, from the
 * {@link TrafficOutcomeBus}) and every piece of feedback taught about each (model, task type), as
 * core's optimiser state. Selection scores with it (`statsView`), SDKs fetch it
 * (`GET /v1/optimizer/state`), and it is saved to the database so a restart keeps it.
 *
 * Two states, so that several instances share one stored state without counting anything twice:
 * `pending` holds the evidence this instance gathered since its last save; `live` is the stored
 * state as last read plus `pending`, and is what selection and SDKs see. A save merges `pending` into
 * the stored row under a row lock (core's `mergeOptimizerStates` sums disjoint evidence), then reads
 * the result back as the new `live`, which brings in what the other instances saved meanwhile.
 */
@Injectable()
export class OptimizerService implements OnModuleInit, OnModuleDestroy {
  readonly #logger = new Logger('Optimizer');
  #live: OptimizerState = createOptimizerState();
  #pending: OptimizerState = createOptimizerState();
  #revision = 0;
  #published: (PublishedOptimizerState & { revision: number }) | undefined;
  #view: { snapshot: RegistrySnapshot; revision: number; at: number; view: StatsView } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #saving: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(TrafficOutcomeBus) private readonly bus: TrafficOutcomeBus,
    @Inject(OptimizerRepository) private readonly repository: OptimizerRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OPTIMIZER_OPTIONS) private readonly options: OptimizerOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    const stored = await this.repository.load();
    if (stored !== undefined) this.#live = this.#parseStored(stored) ?? this.#live;
    this.#unsubscribe = this.bus.subscribe((outcome) => this.recordTraffic(outcome));
    this.#timer = setInterval(() => void this.save(), this.options.saveIntervalMs);
    this.#timer.unref();
  }

  /** Saves what is pending before the database closes (it closes at application shutdown, after this). */
  async onModuleDestroy(): Promise<void> {
    this.#unsubscribe?.();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.save();
  }

  /** Learns from one finished request's attempts (see the SDK's `attemptOutcomesOf` for the reading). */
  recordTraffic(outcome: TrafficOutcome): void {
    const outcomes = attemptOutcomesOfEvent(outcome.event, this.clock.now());
    if (outcomes.length === 0) return;
    for (const attempt of outcomes) {
      recordOutcome(this.#live, attempt);
      recordOutcome(this.#pending, attempt);
    }
    this.#revision += 1;
  }

  /**
   * Learns one quality signal about a model's answer for a task: explicit feedback, a game signal or
   * a safety screen's outcome, weighed by core's `qualitySignalEvidence` table. Throws a `RangeError`
   * for a signal core refuses (a score outside 0..1).
   */
  recordQuality(modelId: string, taskType: TaskType, signal: QualitySignal): void {
    const observation = { modelId, taskType, signal, now: this.clock.now() };
    recordQuality(this.#pending, observation);
    recordQuality(this.#live, observation);
    this.#revision += 1;
    // Feedback is rare and deliberate: the next decision must see it, so the view is rebuilt now
    // rather than after the short reuse window that keeps busy traffic from rebuilding it per request.
    this.#view = undefined;
  }

  /** The statistics selection scores with: registry priors with the fleet's evidence laid over them. */
  statsView(snapshot: RegistrySnapshot): StatsView {
    const now = this.clock.now();
    const cached = this.#view;
    if (cached !== undefined && cached.snapshot === snapshot) {
      const age = Math.abs(now - cached.at);
      const lifetime = cached.revision === this.#revision ? viewLifetimeMs : viewMinimumLifetimeMs;
      if (age < lifetime) return cached.view;
    }
    const view = statsView(this.#live, snapshot, now);
    this.#view = { snapshot, revision: this.#revision, at: now, view };
    return view;
  }

  /** The state SDKs fetch, serialised once per change; the ETag is a hash of the JSON. */
  published(): PublishedOptimizerState {
    const cached = this.#published;
    if (cached !== undefined && cached.revision === this.#revision) return cached;
    const body = JSON.stringify(serializeOptimizerState(this.#live));
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    this.#published = { body, etag, revision: this.#revision };
    return this.#published;
  }

  /**
   * Merges the evidence gathered since the last save into the stored state and reads back the
   * result (with other instances' evidence). One save at a time; a failed save keeps its evidence
   * pending for the next.
   */
  save(): Promise<void> {
    this.#saving ??= this.#saveOnce().finally(() => {
      this.#saving = undefined;
    });
    return this.#saving;
  }

  async #saveOnce(): Promise<void> {
    const saving = this.#pending;
    this.#pending = createOptimizerState({ halfLives: saving.halfLives });
    const empty = JSON.stringify(serializeOptimizerState(this.#pending));
    try {
      const written = await this.repository.update(
        (stored) => JSON.stringify(serializeOptimizerState(this.#combineStored(stored, saving))),
        empty,
        new Date(this.clock.now()).toISOString(),
      );
      this.#live = mergeOptimizerStates(deserializeOptimizerState(written), this.#pending);
      this.#revision += 1;
    } catch (error) {
      this.#pending = mergeOptimizerStates(saving, this.#pending);
      this.#logger.warn(
        `Could not save the optimiser state; it is kept and saved with the next attempt: ${messageOf(error)}`,
      );
    }
  }

  /** The stored state with `saving` merged in; an unreadable stored state is replaced, with a warning. */
  #combineStored(stored: string, saving: OptimizerState): OptimizerState {
    const parsed = this.#parseStored(stored);
    if (parsed === undefined) return saving;
    try {
      return mergeOptimizerStates(parsed, saving);
    } catch (error) {
      this.#logger.warn(`The stored optimiser state is replaced: ${messageOf(error)}`);
      return saving;
    }
  }

  #parseStored(stored: string): OptimizerState | undefined {
    try {
      return deserializeOptimizerState(stored);
    } catch (error) {
      this.#logger.warn(`The stored optimiser state is unreadable and starts afresh: ${messageOf(error)}`);
      return undefined;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
