import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { LedgerRepository } from './ledger.repository.ts';

/** How often the rollup deltas are folded; tests set `intervalMs: 0` and call `fold()` themselves. */
export interface LedgerRollupFoldOptions {
  /** Milliseconds between folds; 0: no timer (folds only on `fold()` and at shutdown). */
  intervalMs: number;
}

export const defaultLedgerRollupFoldOptions: LedgerRollupFoldOptions = { intervalMs: 1000 };

/** Injection token of {@link LedgerRollupFoldOptions} (optional; the defaults apply without it). */
export const LEDGER_ROLLUP_FOLD_OPTIONS = Symbol.for('switchboard.control-plane.ledger-rollup-fold');

/**
 * Folds `ledger_rollup_deltas` into `ledger_hourly_rollup` every second and once more before the
 * database closes at shutdown. Nothing depends on its timing: analytics reads the rollup together
 * with the deltas not folded yet, a crash leaves the deltas where they are for the next fold (of
 * this instance when it restarts, or of any other), and folds of several instances may overlap
 * (see `LedgerRepository.foldRollup`). Folding only keeps the delta table small, so that reading
 * it stays cheap. A failed fold is logged (error code only) and tried again on the next tick.
 */
@Injectable()
export class LedgerRollupFolder implements OnModuleInit, BeforeApplicationShutdown {
  readonly #logger = new Logger('Ledger');
  readonly #options: LedgerRollupFoldOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #folding: Promise<number> | undefined;

  constructor(
    @Inject(LedgerRepository) private readonly repository: LedgerRepository,
    @Optional()
    @Inject(LEDGER_ROLLUP_FOLD_OPTIONS)
    options: Partial<LedgerRollupFoldOptions> | undefined,
  ) {
    this.#options = { ...defaultLedgerRollupFoldOptions, ...options };
  }

  onModuleInit(): void {
    if (this.#options.intervalMs <= 0) return;
    this.#timer = setInterval(() => void this.#tick(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /**
   * Folds now and resolves with the deltas folded; a fold already running is waited for, then a
   * new one runs (so everything acknowledged before the call is folded when it resolves). Throws
   * what the database throws.
   */
  async fold(): Promise<number> {
    while (this.#folding !== undefined) await this.#folding.catch(() => undefined);
    const folding = this.repository.foldRollup();
    this.#folding = folding;
    try {
      return await folding;
    } finally {
      this.#folding = undefined;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    // Not needed for correctness (the deltas are durable and read by analytics); it leaves the
    // table empty for the next start.
    await this.fold().catch((error: unknown) => this.#warn(error));
  }

  async #tick(): Promise<void> {
    // A fold still running (a slow database) is not stacked upon.
    if (this.#folding !== undefined) return;
    await this.fold().catch((error: unknown) => this.#warn(error));
  }

  #warn(error: unknown): void {
    this.#logger.warn(`Could not fold the ledger's rollup deltas (${describe(error)}); retrying later.`);
  }
}

/** An error's name and code, never its message (a driver's message can quote values). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
