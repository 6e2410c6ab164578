import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../config/clock.ts';
import { parseAnalyticsQuery, type AnalyticsDimension, type AnalyticsQuery } from './analytics-query.ts';
import { AnalyticsRepository, type DimensionValues } from './analytics.repository.ts';

/** A row of either report: the value of each `groupBy` dimension (`null` when the request had none). */
type DimensionFields = Partial<Record<AnalyticsDimension, string | null>>;

/** One group of `GET /admin/analytics/cost`. */
export type CostRow = DimensionFields & {
  /** Known cost in integer micro-dollars; attempts of unknown cost add nothing here, see below. */
  costMicros: number;
  /** Billed attempts whose cost is unknown (no price, no usage): the cost above is a floor when > 0. */
  unknownCostAttempts: number;
  attempts: number;
  /** Requests with at least one attempt in the group. */
  requests: number;
  inputTokens: number;
  outputTokens: number;
};

/** `GET /admin/analytics/cost`. */
export interface CostReport {
  from: string;
  to: string;
  groupBy: AnalyticsDimension[];
  rows: CostRow[];
  totals: {
    costMicros: number;
    unknownCostAttempts: number;
    attempts: number;
    /** Every request in the range, including those that found no model to call. */
    requests: number;
  };
  /** The current UTC calendar month, whatever the range. */
  monthToDate: {
    costMicros: number;
    /** Cost so far divided by the days elapsed (at least one hour's worth). */
    runRateMicrosPerDay: number;
    /** The run rate over the whole month. */
    projectedMonthMicros: number;
  };
}

/** One group of `GET /admin/analytics/performance`. */
export type PerformanceRow = DimensionFields & {
  requests: number;
  attempts: number;
  /** Failed attempts / attempts (cancelled hedges are not failures). */
  errorRate: number;
  /** Requests answered by other than the first candidate's first attempt (or the safe message) / requests. */
  fallbackRate: number;
  /** Duration of succeeded attempts. */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TimeToFirstTokenMs: number | null;
  /** Mean feedback score (0..1) of the group's answers; `null` without feedback. */
  meanQuality: number | null;
  feedbackCount: number;
  /**
   * Mean quality per dollar of mean cost of a scored answer: `meanQuality / (cost of the scored
   * answers / scored answers, in dollars)`. `null` without feedback, when the scored answers cost
   * nothing, or when any of them has an unknown cost (the ratio would flatter an unpriced model).
   */
  qualityPerDollar: number | null;
};

/** `GET /admin/analytics/performance`. */
export interface PerformanceReport {
  from: string;
  to: string;
  groupBy: AnalyticsDimension[];
  rows: PerformanceRow[];
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** Cost and performance analytics over the ledger (see {@link AnalyticsRepository} for how it stays indexed). */
@Injectable()
export class AnalyticsService {
  constructor(
    @Inject(AnalyticsRepository) private readonly repository: AnalyticsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async cost(parameters: Record<string, unknown>): Promise<CostReport> {
    const now = this.clock.now();
    const query = parseAnalyticsQuery(parameters, now);
    const [sums, requests, monthToDate] = await Promise.all([
      this.repository.costByGroup(query),
      this.repository.requestCount(query.from, query.to),
      this.monthToDate(now),
    ]);
    const rows = sums.map((sum) => ({
      ...dimensionFields(query, sum.dimensions),
      costMicros: sum.costMicros,
      unknownCostAttempts: sum.unknownCostAttempts,
      attempts: sum.attempts,
      requests: sum.requests,
      inputTokens: sum.inputTokens,
      outputTokens: sum.outputTokens,
    }));
    return {
      ...range(query),
      rows,
      totals: {
        costMicros: sums.reduce((total, sum) => total + sum.costMicros, 0),
        unknownCostAttempts: sums.reduce((total, sum) => total + sum.unknownCostAttempts, 0),
        attempts: sums.reduce((total, sum) => total + sum.attempts, 0),
        requests,
      },
      monthToDate,
    };
  }

  async performance(parameters: Record<string, unknown>): Promise<PerformanceReport> {
    const query = parseAnalyticsQuery(parameters, this.clock.now());
    const [figures, quality] = await Promise.all([
      this.repository.performanceByGroup(query),
      this.repository.qualityByGroup(query),
    ]);
    const qualityByKey = new Map(quality.map((entry) => [JSON.stringify(entry.dimensions), entry]));
    const rows = figures.map((figure): PerformanceRow => {
      const scored = qualityByKey.get(JSON.stringify(figure.dimensions));
      return {
        ...dimensionFields(query, figure.dimensions),
        requests: figure.requests,
        attempts: figure.attempts,
        errorRate: figure.attempts === 0 ? 0 : figure.failedAttempts / figure.attempts,
        fallbackRate: figure.requests === 0 ? 0 : figure.fallbackRequests / figure.requests,
        p50LatencyMs: figure.p50LatencyMs,
        p95LatencyMs: figure.p95LatencyMs,
        p50TimeToFirstTokenMs: figure.p50TimeToFirstTokenMs,
        meanQuality: scored?.meanQuality ?? null,
        feedbackCount: scored?.feedbackCount ?? 0,
        qualityPerDollar:
          scored === undefined || scored.scoredCostMicros <= 0 || scored.scoredUnknownCostAttempts > 0
            ? null
            : scored.meanQuality / (scored.scoredCostMicros / scored.scoredRequests / 1_000_000),
      };
    });
    return { ...range(query), rows };
  }

  private async monthToDate(now: number): Promise<CostReport['monthToDate']> {
    const today = new Date(now);
    const monthStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1);
    const nextMonth = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1);
    const costMicros = await this.repository.costSince(new Date(monthStart));
    const elapsedDays = Math.max(now - monthStart, hourMs) / dayMs;
    const runRate = costMicros / elapsedDays;
    return {
      costMicros,
      runRateMicrosPerDay: Math.round(runRate),
      projectedMonthMicros: Math.round(runRate * ((nextMonth - monthStart) / dayMs)),
    };
  }
}

function range(query: AnalyticsQuery): { from: string; to: string; groupBy: AnalyticsDimension[] } {
  return { from: query.from.toISOString(), to: query.to.toISOString(), groupBy: query.groupBy };
}

function dimensionFields(query: AnalyticsQuery, values: DimensionValues): DimensionFields {
  return Object.fromEntries(query.groupBy.map((dimension, index) => [dimension, values[index] ?? null]));
}
