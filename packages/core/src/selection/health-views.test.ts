import { describe, expect, it } from 'vitest';
import { allHealthy, healthFromMap } from './health-views.ts';

describe('health views', () => {
  it('reads statuses from a Map or a record, and models it does not know as closed', () => {
    const fromMap = healthFromMap(new Map([['a', 'open' as const]]));
    const fromRecord = healthFromMap({ a: 'half-open', b: 'open' });
    expect(fromMap.circuitOf('a')).toBe('open');
    expect(fromMap.circuitOf('new-model')).toBe('closed');
    expect(fromRecord.circuitOf('a')).toBe('half-open');
    expect(fromRecord.circuitOf('b')).toBe('open');
    expect(fromRecord.circuitOf('toString')).toBe('closed');
  });

  it('reports every circuit closed in allHealthy', () => {
    expect(allHealthy.circuitOf('anything')).toBe('closed');
  });
});
