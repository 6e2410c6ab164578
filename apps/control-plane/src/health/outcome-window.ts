/** One attempt's outcome as the statistics keep it. */
export interface ObservedOutcome {
  /** When it ended, in milliseconds of the injected clock. */
  at: number;
  /** False for a health failure (requests the model could not serve); true for a success. */
  ok: boolean;
  /** Time the attempt took; `null` when the reporter did not measure it. */
  latencyMs: number | null;
}

/** Latency quantiles over the window's successful attempts. */
export interface LatencyQuantiles {
  p50: number;
  p95: number;
  /** Successful attempts with a latency the quantiles come from. */
  samples: number;
}

/** What the window says about a model at one instant. */
export interface OutcomeSummary {
  attempts: number;
  failures: number;
  /** failures / attempts, or `null` with no attempts (unknown is not 0 %). */
  errorRate: number | null;
  /** `null` without any successful, timed attempt. */
  latencyMs: LatencyQuantiles | null;
}

/**
 * The latest outcomes of one model: at most `capacity` of them (a ring buffer, so memory stays
 * bounded however heavy the traffic), and only those younger than `windowMs` count. Quantiles are
 * exact over the kept samples (nearest rank); with at most a few hundred samples, sorting a copy at
 * read time is cheaper than maintaining an estimator on every write. Core's optimisation module,
 * once it exists, supersedes this with its streaming quantiles.
 */
export class OutcomeWindow {
  private readonly outcomes: ObservedOutcome[] = [];
  private next = 0;

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
  ) {}

  add(outcome: ObservedOutcome): void {
    if (this.outcomes.length < this.capacity) {
      this.outcomes.push(outcome);
      return;
    }
    this.outcomes[this.next] = outcome;
    this.next = (this.next + 1) % this.capacity;
  }

  summary(now: number): OutcomeSummary {
    const recent = this.outcomes.filter((outcome) => outcome.at > now - this.windowMs);
    const failures = recent.filter((outcome) => !outcome.ok).length;
    const latencies = recent
      .filter((outcome) => outcome.ok && outcome.latencyMs !== null)
      .map((outcome) => outcome.latencyMs as number)
      .sort((left, right) => left - right);
    return {
      attempts: recent.length,
      failures,
      errorRate: recent.length === 0 ? null : failures / recent.length,
      latencyMs:
        latencies.length === 0
          ? null
          : {
              p50: nearestRank(latencies, 0.5),
              p95: nearestRank(latencies, 0.95),
              samples: latencies.length,
            },
    };
  }
}

/** The nearest-rank quantile of sorted values: the smallest value with at least `q` of them at or below it. */
function nearestRank(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}
