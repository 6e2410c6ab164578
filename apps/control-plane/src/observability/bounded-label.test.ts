import { describe, expect, it } from 'vitest';
import { BoundedLabel, overflowLabel } from './bounded-label.ts';

describe('BoundedLabel', () => {
  it('passes known values through and folds new ones beyond the cap into "other"', () => {
    const label = new BoundedLabel(2, 10);
    expect(label.of('model-a')).toBe('model-a');
    expect(label.of('model-b')).toBe('model-b');
    expect(label.of('model-c')).toBe(overflowLabel);
    expect(label.of('model-a')).toBe('model-a');
  });

  it('cuts long values so one label value cannot be arbitrarily large', () => {
    expect(new BoundedLabel(5, 4).of('abcdefgh')).toBe('abcd');
  });
});
