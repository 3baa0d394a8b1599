import { describe, expect, it } from '@jest/globals';
import { applyToBucket, MemoryTokenBuckets } from './token-buckets.js';

const rule = { capacity: 3, perSecond: 2 };

describe('token buckets', () => {
  it('starts full, refills at its rate, and never above its capacity', () => {
    let state = undefined as { tokens: number; at: number } | undefined;
    for (let i = 0; i < 3; i++) {
      const step = applyToBucket(state, rule, 1000, 1);
      expect(step.waitMs).toBe(0);
      state = { tokens: step.tokens, at: 1000 };
    }
    // Empty: the next token comes in 500 ms (2 a second), and nothing is taken meanwhile.
    expect(applyToBucket(state, rule, 1000, 1)).toEqual({ tokens: 0, waitMs: 500 });
    expect(applyToBucket(state, rule, 1200, 1).waitMs).toBe(300);
    expect(applyToBucket(state, rule, 1500, 1)).toEqual({ tokens: 0, waitMs: 0 });
    // A long pause refills to the capacity, not beyond.
    expect(applyToBucket(state, rule, 100_000, 1)).toEqual({ tokens: 2, waitMs: 0 });
  });

  it('gives a token back, capped at the capacity', () => {
    expect(applyToBucket({ tokens: 0, at: 0 }, rule, 0, -1)).toEqual({ tokens: 1, waitMs: 0 });
    expect(applyToBucket(undefined, rule, 0, -1)).toEqual({ tokens: 3, waitMs: 0 });
  });

  it('keeps one bucket per key in memory', async () => {
    const buckets = new MemoryTokenBuckets();
    const slow = { capacity: 2, perSecond: 0.001 };
    expect(await buckets.take('a', slow)).toBe(0);
    expect(await buckets.take('a', slow)).toBe(0);
    expect(await buckets.take('a', slow)).toBeGreaterThan(900_000);
    expect(await buckets.take('b', slow)).toBe(0);
    await buckets.give('a', slow);
    expect(await buckets.take('a', slow)).toBe(0);
  });
});
