import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import type { TelemetryEvent } from '@switchboard/sdk';
import { CLOCK, type Clock } from '../../config/clock.ts';
import { TrafficOutcomeBus, type TrafficOutcome } from '../../traffic/traffic-outcome-bus.ts';
import { BudgetCountersRepository } from './budget-counters.repository.ts';
import { BudgetLedgerRepository, reportedAttemptKey } from './budget-ledger.repository.ts';
import { BudgetService } from './budget.service.ts';

/**
 * Settles the spending of direct-mode SDKs (calls that never passed the gateway, so nothing was
 * reserved for them) into every budget counter that applies: global, and the event's tenant,
 * player and session, in the period the event occurred in.
 *
 * The ledger publishes each NEW telemetry event once, after its commit, on the
 * {@link TrafficOutcomeBus} (a replayed batch publishes nothing). Each billed attempt of known cost
 * is settled as reservation `reported:<eventId>:<attemptIndex>`, so a repeated settle adds nothing,
 * with the instant the ledger received it: the recovery rule of `BudgetCountersRepository` then
 * charges only a counter seeded before that instant; a counter seeded (rebuilt) later holds the
 * attempt in its seed, and a counter that does not exist yet is left to be seeded from the ledger.
 * Unknown costs add nothing, as in the seed. Events are settled in order, a batch at a time.
 */
@Injectable()
export class ReportedSpendingSettler implements OnModuleInit {
  private readonly logger = new Logger('Budgets');
  private queued: TelemetryEvent[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    @Inject(BudgetService) private readonly budgets: BudgetService,
    @Inject(BudgetCountersRepository) private readonly counters: BudgetCountersRepository,
    @Inject(BudgetLedgerRepository) private readonly ledger: BudgetLedgerRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(TrafficOutcomeBus) private readonly bus?: TrafficOutcomeBus,
  ) {}

  onModuleInit(): void {
    this.bus?.subscribe((outcome) => this.accept(outcome));
  }

  /** Resolves once everything accepted so far is settled (for tests and shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Queues an SDK event with spending; the gateway's own traffic was reserved and settled already. */
  accept(outcome: TrafficOutcome): void {
    if (outcome.source !== 'sdk' || !outcome.event.attempts.some(isCharged)) return;
    this.queued.push(outcome.event);
    if (this.queued.length > 1) return;
    this.chain = this.chain.then(() => this.settleQueued());
  }

  private async settleQueued(): Promise<void> {
    const events = this.queued;
    this.queued = [];
    try {
      await this.settleEvents(events);
    } catch (error) {
      this.logger.warn(
        `Could not add ${events.length} reported request(s) to the budget counters ` +
          `(${error instanceof Error ? error.message : 'unknown error'}); they count once a counter is rebuilt from the ledger.`,
      );
    }
  }

  private async settleEvents(events: readonly TelemetryEvent[]): Promise<void> {
    const charged: { event: TelemetryEvent; targets: Awaited<ReturnType<BudgetService['targetsFor']>> }[] =
      [];
    for (const event of events) {
      const occurredAt = Date.parse(event.occurredAt);
      if (Number.isNaN(occurredAt)) continue;
      const targets = await this.budgets.targetsFor(
        {
          ...(event.tenantId === null ? {} : { tenantId: event.tenantId }),
          ...(event.playerId === null ? {} : { playerId: event.playerId }),
          ...(event.sessionId === null ? {} : { sessionId: event.sessionId }),
        },
        occurredAt,
      );
      if (targets.length > 0) charged.push({ event, targets });
    }
    if (charged.length === 0) return;
    const received = await this.ledger.receivedAtOfEvents(charged.map(({ event }) => event.eventId));
    const settledAt = this.clock.now();
    for (const { event, targets } of charged) {
      for (const [attemptIndex, attempt] of event.attempts.entries()) {
        if (!isCharged(attempt)) continue;
        await this.counters.settleReported({
          reservationId: `reported:${event.eventId}:${attemptIndex}`,
          targets,
          chargeMicros: attempt.cost.status === 'known' ? attempt.cost.micros : 0,
          settledAt,
          markerTtlMs: reportedMarkerTtlMs,
          // Published after the commit, so an attempt missing here is not in the ledger at all.
          ledgerRecordedAt:
            received === undefined
              ? undefined
              : (received.get(reportedAttemptKey(event.eventId, attemptIndex)) ?? null),
        });
      }
    }
  }
}

/**
 * How long Redis remembers that a reported attempt was settled. The ledger already publishes each
 * event once; the marker only guards a settle repeated because its answer was lost (an outage's
 * replay), so an hour is plenty, and a busy SDK fleet does not leave a day of markers in Redis.
 */
const reportedMarkerTtlMs = 60 * 60 * 1_000;

/** A billed attempt of known, non-zero cost: what the ledger seed counts. */
function isCharged(attempt: TelemetryEvent['attempts'][number]): boolean {
  return attempt.billed && attempt.cost.status === 'known' && attempt.cost.micros > 0;
}
