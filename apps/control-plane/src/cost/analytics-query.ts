import { ApiError, type ApiIssue } from '../errors/api-error.ts';

/** What analytics rows can be grouped by. */
export const analyticsDimensions = [
  'day',
  'model',
  'provider',
  'taskType',
  'player',
  'session',
  'tenant',
] as const;

/** One grouping dimension; `day` is the UTC calendar day of the request. */
export type AnalyticsDimension = (typeof analyticsDimensions)[number];

/** A checked analytics query: a half-open time range `[from, to)` and the dimensions to group by. */
export interface AnalyticsQuery {
  from: Date;
  to: Date;
  groupBy: AnalyticsDimension[];
}

const dayMs = 86_400_000;
/** Longest range one query may cover, so a typo cannot ask for a century of rows. */
const maxRangeDays = 400;

/**
 * Reads `?from=<ISO>&to=<ISO>&groupBy=<dims>`. Defaults: the 24 hours before now, grouped by model.
 * Each bad parameter is named in the 400 with what to send instead.
 */
export function parseAnalyticsQuery(query: Record<string, unknown>, now: number): AnalyticsQuery {
  const issues: ApiIssue[] = [];
  const to = readTime(query.to, 'to', new Date(now), issues);
  const from = readTime(query.from, 'from', new Date((to?.getTime() ?? now) - dayMs), issues);
  const groupBy = readGroupBy(query.groupBy, issues);
  for (const name of Object.keys(query)) {
    if (!['from', 'to', 'groupBy'].includes(name)) {
      issues.push({ path: name, message: 'unknown parameter; the parameters are from, to and groupBy' });
    }
  }
  if (from !== undefined && to !== undefined && issues.length === 0) {
    if (from.getTime() >= to.getTime()) {
      issues.push({ path: 'from', message: 'expected a time before "to"' });
    } else if (to.getTime() - from.getTime() > maxRangeDays * dayMs) {
      issues.push({
        path: 'from',
        message: `expected a range of at most ${maxRangeDays} days; query in parts`,
      });
    }
  }
  if (issues.length > 0 || from === undefined || to === undefined || groupBy === undefined) {
    throw ApiError.invalidRequest(issues, 'The analytics query is invalid');
  }
  return { from, to, groupBy };
}

function readTime(value: unknown, name: string, fallback: Date, issues: ApiIssue[]): Date | undefined {
  if (value === undefined || value === '') return fallback;
  const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    issues.push({ path: name, message: 'expected one ISO 8601 time such as 2026-01-31T00:00:00Z' });
    return undefined;
  }
  return time;
}

function readGroupBy(value: unknown, issues: ApiIssue[]): AnalyticsDimension[] | undefined {
  if (value === undefined || value === '') return ['model'];
  if (typeof value !== 'string') {
    issues.push({ path: 'groupBy', message: 'expected one comma-separated list such as day,model' });
    return undefined;
  }
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(analyticsDimensions as readonly string[]).includes(name));
  if (unknown.length > 0) {
    issues.push({
      path: 'groupBy',
      message: `unknown dimension ${unknown.map((name) => JSON.stringify(name)).join(', ')}; choose from ${analyticsDimensions.join(', ')}`,
    });
    return undefined;
  }
  return [...new Set(names)] as AnalyticsDimension[];
}
