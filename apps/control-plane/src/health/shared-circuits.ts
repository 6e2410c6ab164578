import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { CircuitState } from '@switchboard/core';
import { isCircuitTransition } from './circuit-change.ts';
import { CircuitStateRepository, type SharedCircuitState } from './circuit-state.repository.ts';
import { ModelHealthService } from './model-health.service.ts';

/**
 * Keeps this instance's circuits in step with the fleet's when Redis is configured (does nothing
 * otherwise). Each local transition (open, half-open probe claimed, closed, reset) is written to Redis
 * with a new version and announced; each announcement, and on every (re)connection everything
 * stored, is applied to the local view in version order, so all instances converge on the last
 * transition Redis accepted, usually within milliseconds.
 *
 * While Redis is unreachable the local circuits keep working alone; the models whose transitions
 * could not be written are remembered and written when Redis is back, before the fleet's states are
 * read, so that the freshest local knowledge (say, a provider that went down during the outage) is
 * not overwritten by an older shared one.
 */
@Injectable()
export class SharedCircuits implements OnModuleInit, OnApplicationShutdown {
  readonly #logger = new Logger('SharedCircuits');
  /** The highest version applied or written per model. */
  private readonly versions = new Map<string, number>();
  /** This instance's transitions per model, counted so that an echo can be matched to the latest. */
  private readonly sequences = new Map<string, number>();
  /** Models whose latest local transition is not in Redis yet. */
  private readonly unsynced = new Set<string>();
  private stopListening: (() => void)[] = [];
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  private stopped = false;

  constructor(
    @Inject(ModelHealthService) private readonly health: ModelHealthService,
    @Inject(CircuitStateRepository) private readonly repository: CircuitStateRepository,
  ) {}

  onModuleInit(): void {
    if (!this.repository.configured) return;
    this.stopListening = [
      this.health.onCircuitTransition((modelId, state) => this.publish(modelId, state)),
      this.repository.subscribe((shared) => this.apply(shared)),
    ];
    this.repository.onReconnect(() => void this.resync());
  }

  onApplicationShutdown(): Promise<void> | undefined {
    this.stopped = true;
    for (const stop of this.stopListening) stop();
    return this.resyncing;
  }

  /**
   * Writes the local transitions Redis missed, then adopts every stored circuit newer than what
   * this instance has applied. Runs on every (re)connection; public for tests.
   */
  resync(): Promise<void> {
    if (this.resyncing !== undefined) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = this.runResync().finally(() => {
      this.resyncing = undefined;
      if (this.resyncAgain && !this.stopped) {
        this.resyncAgain = false;
        void this.resync();
      }
    });
    return this.resyncing;
  }

  private async runResync(): Promise<void> {
    // The subscriber may reconnect first; the command connection's own ready event comes later.
    if (!this.repository.ready) return;
    try {
      for (const modelId of [...this.unsynced]) {
        this.unsynced.delete(modelId);
        await this.write(modelId, this.health.circuitOf(modelId));
      }
      const stored = await this.repository.readAll();
      // Redis may have come back empty (versions restart at 1): what it holds now is the reference.
      this.versions.clear();
      for (const shared of stored) this.apply(shared);
    } catch (error) {
      // Redis went away again; the next reconnection retries.
      this.#logger.debug?.(
        `Circuit resync failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private publish(modelId: string, state: CircuitState): void {
    if (this.stopped) return;
    void this.write(modelId, state);
  }

  private async write(modelId: string, state: CircuitState): Promise<void> {
    const sequence = (this.sequences.get(modelId) ?? 0) + 1;
    this.sequences.set(modelId, sequence);
    try {
      // The version is taken from the echo, not from this reply: an older transition of another
      // instance may arrive between the two, and the echo is what restores ours after it.
      await this.repository.write(modelId, state, sequence);
    } catch {
      this.unsynced.add(modelId);
    }
  }

  /**
   * Applies one stored or announced state. Older versions are ignored. This instance's own echo
   * changes nothing unless someone else's transition was applied in between (then ours, being
   * later in Redis's order, is restored); an echo of an older local transition is ignored, the
   * newer one is on its way.
   */
  private apply(shared: SharedCircuitState): void {
    if (this.stopped) return;
    if (shared.version <= (this.versions.get(shared.modelId) ?? 0)) return;
    this.versions.set(shared.modelId, shared.version);
    if (shared.origin === this.repository.instanceId) {
      if (shared.originSequence !== this.sequences.get(shared.modelId)) return;
    } else if (this.unsynced.has(shared.modelId)) {
      // A local transition Redis has not heard of yet is newer than anything stored; it will be written.
      return;
    }
    if (!isCircuitTransition(this.health.circuitOf(shared.modelId), shared.state)) return;
    this.health.applySharedCircuit(shared.modelId, shared.state);
  }
}
