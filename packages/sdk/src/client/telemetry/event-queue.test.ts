import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.ts';

type Operation = { kind: 'push'; value: number } | { kind: 'shift' } | { kind: 'take'; count: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), value: fc.integer() }),
  fc.record({ kind: fc.constant('shift' as const) }),
  fc.record({ kind: fc.constant('take' as const), count: fc.integer({ min: 0, max: 40 }) }),
);

describe('EventQueue', () => {
  it('behaves like an array used as a first-in first-out queue, across compactions', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 5000 }), (operations) => {
        const queue = new EventQueue<number>();
        const model: number[] = [];
        for (const step of operations) {
          if (step.kind === 'push') {
            queue.push(step.value);
            model.push(step.value);
          } else if (step.kind === 'shift') {
            expect(queue.shift()).toBe(model.shift());
          } else {
            expect(queue.take(step.count)).toEqual(model.splice(0, step.count));
          }
          expect(queue.length).toBe(model.length);
        }
        expect(queue.toArray()).toEqual(model);
      }),
      { numRuns: 60 },
    );
  });

  it('stays correct after more than a thousand removals (the compaction path)', () => {
    const queue = new EventQueue<number>();
    for (let index = 0; index < 3000; index++) queue.push(index);
    for (let index = 0; index < 2000; index++) expect(queue.shift()).toBe(index);
    expect(queue.take(3)).toEqual([2000, 2001, 2002]);
    expect(queue.length).toBe(997);
    queue.clear();
    expect(queue.shift()).toBeUndefined();
  });
});
