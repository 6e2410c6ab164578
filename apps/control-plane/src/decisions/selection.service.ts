import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  select,
  statsFromPriors,
  type BudgetView,
  type Decision,
  type RegistrySnapshot,
  type SelectionRequest,
  type StatsView,
  type TherapeuticContext,
} from '@switchboard/core';
import { CLOCK, type Clock } from '../config/clock.ts';
import { OptimizerService } from '../optimization/optimizer.service.ts';
import { CIRCUIT_BREAKERS, type CircuitBreakers } from './circuit-breakers.ts';

/**
 * Runs core's `select()` for the control plane: against a given snapshot, with the shared circuit
 * breakers as health, and the fleet optimiser's statistics (registry priors with what traffic and
 * feedback taught laid over them), or the priors alone when the optimisation module is absent.
 * Each call draws a fresh seed, so Thompson sampling spreads traffic between models of similar quality.
 */
@Injectable()
export class SelectionService {
  private readonly stats = new WeakMap<RegistrySnapshot, StatsView>();

  constructor(
    @Inject(CIRCUIT_BREAKERS) private readonly breakers: CircuitBreakers,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(OptimizerService) private readonly optimizer?: OptimizerService,
  ) {}

  /**
   * A decision for `request` in `context`, within `budget` when budgets apply (see the budgets
   * module). Throws core's validation error for an unknown policy.
   */
  select(
    snapshot: RegistrySnapshot,
    context: TherapeuticContext,
    request: SelectionRequest,
    budget?: BudgetView,
  ): Decision {
    return select({
      context,
      request,
      snapshot,
      budget,
      health: this.breakers.healthView(this.clock.now()),
      stats: this.statsOf(snapshot),
      seed: Math.floor(Math.random() * 0x1_0000_0000),
    });
  }

  private statsOf(snapshot: RegistrySnapshot): StatsView {
    if (this.optimizer !== undefined) return this.optimizer.statsView(snapshot);
    let stats = this.stats.get(snapshot);
    if (stats === undefined) {
      stats = statsFromPriors(snapshot);
      this.stats.set(snapshot, stats);
    }
    return stats;
  }
}
