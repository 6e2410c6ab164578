import { Inject, Injectable } from '@nestjs/common';
import type { BudgetScope } from '@switchboard/core';
import { sql, type Kysely } from 'kysely';
import { DATABASE } from '../../database/database.module.ts';
import { ledgerSeedLockKey } from '../ledger-seed-lock.ts';

/** The scope column of `ledger_entries` for each budget scope (global: none). */
const scopeColumns: Readonly<Record<Exclude<BudgetScope, 'global'>, string>> = {
  player: 'player_id',
  session: 'session_id',
  tenant: 'tenant_id',
};

/**
 * Reads what the cost ledger (`ledger_entries`, written by the cost module) says a budget's scope
 * spent since a period began: the seed of a budget counter that does not exist yet. Read-only; the
 * ledger belongs to the cost module.
 */
@Injectable()
export class BudgetLedgerRepository {
  constructor(@Inject(DATABASE) private readonly database: Kysely<unknown>) {}

  /**
   * Integer micro-dollars of billed attempts with a known cost since `periodStart` (epoch ms) for
   * the scope, and the moment the sum stands for (`seededAt`, epoch ms with the database clock's
   * sub-millisecond part): every ledger attempt received before it is in the sum, none received
   * after it is (see `ledger-seed-lock.ts`). Attempts whose cost is unknown add nothing here (the
   * counters charged their reservation instead). Without a ledger table (a deployment without it)
   * the sum is `0`, stamped with `fallbackNow`.
   */
  async spentSince(
    scope: BudgetScope,
    scopeId: string | null,
    periodStart: number,
    fallbackNow: number,
  ): Promise<LedgerSeed> {
    const since = new Date(periodStart).toISOString();
    const column = scope === 'global' ? undefined : scopeColumns[scope];
    const scopeFilter = column === undefined ? sql`` : sql` and ${sql.ref(column)} = ${scopeId ?? ''}`;
    try {
      return await this.database.transaction().execute(async (transaction) => {
        // Waits for every ledger write in flight to commit, and holds new ones back until the sum
        // is taken; the next statement's snapshot then holds exactly what was received before it.
        await sql`select pg_advisory_xact_lock(${sql.lit(ledgerSeedLockKey.toString())}::bigint)`.execute(
          transaction,
        );
        const result = await sql<{ spent: string | number | null; seeded_at: string | number }>`
          select coalesce(sum(cost_micros), 0) as spent,
            extract(epoch from clock_timestamp()) * 1000 as seeded_at
          from ledger_entries
          where billed and cost_status = 'known' and occurred_at >= ${since}${scopeFilter}`.execute(
          transaction,
        );
        const row = result.rows[0];
        return { spentMicros: Number(row?.spent ?? 0), seededAt: Number(row?.seeded_at ?? fallbackNow) };
      });
    } catch (error) {
      if (isMissingTable(error)) return { spentMicros: 0, seededAt: fallbackNow };
      throw error;
    }
  }

  /**
   * When the ledger received each of these attempts (epoch ms on the database's clock, with its
   * sub-millisecond part, by {@link ledgerAttemptKey});
   * attempts it has not received are absent from the map. `undefined` when there is no ledger table.
   */
  async receivedAt(keys: readonly LedgerAttemptKey[]): Promise<Map<string, number> | undefined> {
    const received = new Map<string, number>();
    if (keys.length === 0) return received;
    const decisionIds = [...new Set(keys.map((key) => key.decisionId))];
    try {
      const result = await sql<{ decision_id: string; attempt_index: number; received_at: string | number }>`
        select decision_id, attempt_index, ${receivedMilliseconds} as received_at from ledger_entries
        where decision_id in (${sql.join(decisionIds)})`.execute(this.database);
      for (const row of result.rows) {
        const key = ledgerAttemptKey({
          decisionId: row.decision_id,
          attemptIndex: Number(row.attempt_index),
        });
        received.set(key, Number(row.received_at));
      }
      return received;
    } catch (error) {
      if (isMissingTable(error)) return undefined;
      throw error;
    }
  }

  /**
   * When the ledger received each attempt of these telemetry events (epoch ms as above, by
   * {@link reportedAttemptKey}), read through the primary key; `undefined` when there is no ledger table.
   */
  async receivedAtOfEvents(eventIds: readonly string[]): Promise<Map<string, number> | undefined> {
    const received = new Map<string, number>();
    if (eventIds.length === 0) return received;
    try {
      const result = await sql<{ event_id: string; attempt_index: number; received_at: string | number }>`
        select event_id, attempt_index, ${receivedMilliseconds} as received_at from ledger_entries
        where event_id in (${sql.join([...new Set(eventIds)])})`.execute(this.database);
      for (const row of result.rows) {
        received.set(reportedAttemptKey(row.event_id, Number(row.attempt_index)), Number(row.received_at));
      }
      return received;
    } catch (error) {
      if (isMissingTable(error)) return undefined;
      throw error;
    }
  }
}

/** A budget counter's seed: the ledger's sum, and the moment it stands for. */
export interface LedgerSeed {
  spentMicros: number;
  /** Epoch milliseconds on the database's clock, with its sub-millisecond part. */
  seededAt: number;
}

/**
 * `received_at` as epoch milliseconds with the sub-millisecond part kept: compared with a seed's
 * stamp, two moments a few microseconds apart must not round to the same millisecond.
 */
const receivedMilliseconds = sql`extract(epoch from received_at) * 1000`;

/** `eventId:attemptIndex`: one attempt of a telemetry event, as `ledger_entries` keys it. */
export function reportedAttemptKey(eventId: string, attemptIndex: number): string {
  return `${eventId}:${attemptIndex}`;
}

/** One attempt's row in the ledger. */
export interface LedgerAttemptKey {
  decisionId: string;
  attemptIndex: number;
}

/** `decisionId:attemptIndex`, the key of {@link BudgetLedgerRepository.receivedAt}'s answer. */
export function ledgerAttemptKey(key: LedgerAttemptKey): string {
  return `${key.decisionId}:${key.attemptIndex}`;
}

/** PostgreSQL's `undefined_table` (42P01), from either driver. */
function isMissingTable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '42P01';
}
