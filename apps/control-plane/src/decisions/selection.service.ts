import { Inject, Injectable } from '@nestjs/common';
import {
  select,
  statsFromPriors,
  type Decision,
  type RegistrySnapshot,
  type SelectionRequest,
  type StatsView,
  type TherapeuticContext,
} from '@switchboard/core';
import { CLOCK, type Clock } from '../config/clock.ts';
import { CIRCUIT_BREAKERS, type CircuitBreakers } from './circuit-breakers.ts';

/**
 * Runs core's `select()` for the control plane: against a given snapshot, with the shared circuit
 * breakers as health, and statistics from the registry's priors (built once per snapshot; the
 * optimiser's observed statistics replace them in a later issue). Each call draws a fresh seed, so
 * Thompson sampling spreads traffic between models of similar quality.
 */
@Injectable()
export class SelectionService {
  private readonly stats = new WeakMap<RegistrySnapshot, StatsView>();

  constructor(
    @Inject(CIRCUIT_BREAKERS) private readonly breakers: CircuitBreakers,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A decision for `request` in `context`. Throws core's validation error for an unknown policy. */
  select(snapshot: RegistrySnapshot, context: TherapeuticContext, request: SelectionRequest): Decision {
    return select({
      context,
      request,
      snapshot,
      health: this.breakers.healthView(this.clock.now()),
      stats: this.statsOf(snapshot),
      seed: Math.floor(Math.random() * 0x1_0000_0000),
    });
  }

  private statsOf(snapshot: RegistrySnapshot): StatsView {
    let stats = this.stats.get(snapshot);
    if (stats === undefined) {
      stats = statsFromPriors(snapshot);
      this.stats.set(snapshot, stats);
    }
    return stats;
  }
}
