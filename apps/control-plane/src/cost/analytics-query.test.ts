import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { parseAnalyticsQuery } from './analytics-query.ts';

const now = Date.UTC(2026, 10, 27, 12, 30);

function issuePaths(query: Record<string, unknown>): string[] {
  try {
    parseAnalyticsQuery(query, now);
  } catch (error) {
    if (error instanceof ApiError) return error.issues?.map((issue) => issue.path) ?? [];
    throw error;
  }
  throw new Error('expected the query to be refused');
}

describe('parseAnalyticsQuery', () => {
  it('defaults to the last 24 hours grouped by model', () => {
    expect(parseAnalyticsQuery({}, now)).toEqual({
      from: new Date(now - 86_400_000),
      to: new Date(now),
      groupBy: ['model'],
    });
  });

  it('reads a range and a list of dimensions, each once', () => {
    expect(
      parseAnalyticsQuery(
        { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', groupBy: 'day, model,day' },
        now,
      ),
    ).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
      groupBy: ['day', 'model'],
    });
  });

  it('names every bad parameter', () => {
    expect(issuePaths({ groupBy: 'model,colour' })).toEqual(['groupBy']);
    expect(issuePaths({ from: 'last tuesday' })).toEqual(['from']);
    expect(issuePaths({ to: '2026-02-31T99:00:00Z' })).toEqual(['to']);
    expect(issuePaths({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' })).toEqual(['from']);
    expect(issuePaths({ from: '2020-01-01T00:00:00Z' })).toEqual(['from']);
    expect(issuePaths({ groupBy: ['model', 'day'] })).toEqual(['groupBy']);
    expect(issuePaths({ model: 'x' })).toEqual(['model']);
  });
});
