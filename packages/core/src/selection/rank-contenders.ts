import type { RoutingPolicy } from '../registry/routing-policy.ts';
import { circuitCodes, type ContenderTable } from './contender-table.ts';
import type { SeededRandom } from './seeded-random.ts';

/** The ranked list, as table rows, and how it came about. */
export interface Ranking {
  /** Rows in the order the engine should try them, at most `maxCandidates`. */
  ordered: number[];
  /** Row put first by exploration, or -1. */
  exploratory: number;
  /** Best-scored row the exploratory pick displaced to second place, or -1. */
  displaced: number;
  /** Row of the pinned model when it qualified, or -1. */
  pinned: number;
}

const openCode = circuitCodes.open;

/** `a` ranks before `b`: higher score first, then registry order, so ties break the same way every time. */
function ranksBefore(table: ContenderTable, a: number, b: number): boolean {
  const scoreA = table.score[a]!;
  const scoreB = table.score[b]!;
  return scoreA > scoreB || (scoreA === scoreB && table.modelIndex[a]! < table.modelIndex[b]!);
}

/**
 * The best `limit` rows of one circuit group (open or not) in rank order, by insertion into a short
 * sorted list: linear in the table's size for the handful of places a decision lists.
 */
function topRows(table: ContenderTable, open: boolean, limit: number, skip: number): number[] {
  const top: number[] = [];
  if (limit <= 0) return top;
  for (let row = 0; row < table.count; row++) {
    if (row === skip || (table.circuit[row] === openCode) !== open) continue;
    if (top.length === limit && !ranksBefore(table, row, top[limit - 1]!)) continue;
    let position = top.length;
    while (position > 0 && ranksBefore(table, row, top[position - 1]!)) position--;
    top.splice(position, 0, row);
    if (top.length > limit) top.pop();
  }
  return top;
}

/**
 * The healthy row with the highest exploration score (see `scoreExplorationDraws`), ties broken by
 * registry order; -1 when there is none.
 */
function explorationRow(table: ContenderTable): number {
  let chosen = -1;
  for (let row = 0; row < table.count; row++) {
    if (table.circuit[row] === openCode) continue;
    if (
      chosen < 0 ||
      table.explorationScore[row]! > table.explorationScore[chosen]! ||
      (table.explorationScore[row] === table.explorationScore[chosen] &&
        table.modelIndex[row]! < table.modelIndex[chosen]!)
    ) {
      chosen = row;
    }
  }
  return chosen;
}

/**
 * Orders the table: healthy rows (closed or half-open circuit) by score, then open-circuit rows by
 * score, so an open circuit never outranks a healthy model that qualifies, yet the engine can still
 * try open-circuit models last instead of failing when every qualifying model is open. A qualifying
 * pin heads its group.
 *
 * Exploration is Thompson sampling within a budget. When `explorationAllowed` (none or low risk, no
 * pin), with probability `policy.explorationRate` a Thompson draw decides the first place:
 * `scoreExploration` fills the table's exploration scores, and the healthy row that scores highest
 * there is put first. When that is not the best-scored row, the request is exploratory and the
 * best follows it, so failover goes straight to the model the score prefers; when it is, the draw
 * agreed with what is known and nothing is tried. The share of exploratory requests is thus at most
 * the rate, and falls below it as the posteriors separate.
 */
export function rankContenders(
  table: ContenderTable,
  policy: RoutingPolicy,
  pinnedRow: number,
  explorationAllowed: boolean,
  random: SeededRandom,
  scoreExploration: () => void,
): Ranking {
  const limit = policy.maxCandidates;
  let healthyCount = 0;
  for (let row = 0; row < table.count; row++) if (table.circuit[row] !== openCode) healthyCount++;
  const pinnedOpen = pinnedRow >= 0 && table.circuit[pinnedRow] === openCode;
  const pinnedHealthy = pinnedRow >= 0 && !pinnedOpen;

  let healthy = pinnedHealthy
    ? [pinnedRow, ...topRows(table, false, limit - 1, pinnedRow)]
    : topRows(table, false, limit, -1);
  let exploratory = -1;
  let displaced = -1;
  if (
    explorationAllowed &&
    healthyCount >= 2 &&
    policy.explorationRate > 0 &&
    random.next() < policy.explorationRate
  ) {
    const best = healthy[0]!;
    scoreExploration();
    const drawn = explorationRow(table);
    if (drawn >= 0 && drawn !== best) {
      exploratory = drawn;
      displaced = best;
      const chosen = exploratory;
      healthy = [chosen, ...healthy.filter((row) => row !== chosen)].slice(0, limit);
    }
  }
  const openLimit = limit - healthy.length;
  const open = pinnedOpen
    ? [pinnedRow, ...topRows(table, true, openLimit - 1, pinnedRow)]
    : topRows(table, true, openLimit, -1);
  return {
    ordered: [...healthy, ...open].slice(0, limit),
    exploratory,
    displaced,
    pinned: pinnedRow,
  };
}
