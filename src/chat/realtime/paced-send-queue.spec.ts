import { describe, expect, it } from '@jest/globals';
import { MemoryTokenBuckets } from '../../common/rate/token-buckets.js';
import { PacedSendQueue } from './paced-send-queue.js';

/** A budget of `capacity` refilled at `perSecond`, as the rooms use it. */
function budget(capacity: number, perSecond: number) {
  const buckets = new MemoryTokenBuckets();
  return () => buckets.take('user', { capacity, perSecond });
}

describe('PacedSendQueue', () => {
  it('sends a burst beyond the budget in order, delaying instead of dropping', async () => {
    const sent: number[] = [];
    const times: number[] = [];
    const started = Date.now();
    const queue = new PacedSendQueue(budget(3, 10), 10, async (n: number) => {
      sent.push(n);
      times.push(Date.now() - started);
    });
    expect(queue.push(1, 2, 3, 4, 5, 6, 7)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Three at once, then one per 100 ms: the 4th waits ~100 ms, the 7th ~400 ms.
    expect(times[2]).toBeLessThan(50);
    expect(times[3]).toBeGreaterThanOrEqual(90);
    expect(times[6]).toBeGreaterThanOrEqual(390);
  });

  it('refuses what does not fit, and sends nothing after stop()', async () => {
    const sent: number[] = [];
    const queue = new PacedSendQueue(budget(1, 0.001), 2, async (n: number) => void sent.push(n));
    expect(queue.push(1, 2)).toBe(true);
    expect(queue.push(3, 4)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    queue.stop();
    expect(sent).toEqual([1]);
    expect(queue.push(5)).toBe(false);
  });

  it('shares one budget between queues (one user, several rooms)', async () => {
    const shared = budget(2, 0.001);
    const sent: string[] = [];
    const a = new PacedSendQueue(shared, 10, async (s: string) => void sent.push(s));
    const b = new PacedSendQueue(shared, 10, async (s: string) => void sent.push(s));
    a.push('a1', 'a2');
    b.push('b1', 'b2');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sent).toHaveLength(2);
    a.stop();
    b.stop();
  });
});
