import { describe, expect, it } from '@jest/globals';
import { PacedSendQueue, SendRateLimiter } from './send-rate-limiter.js';

describe('PacedSendQueue', () => {
  it('sends a burst beyond the rate in order, delaying instead of dropping', async () => {
    const sent: number[] = [];
    const times: number[] = [];
    const started = Date.now();
    const queue = new PacedSendQueue(new SendRateLimiter(3, 200), 10, async (n: number) => {
      sent.push(n);
      times.push(Date.now() - started);
    });
    expect(queue.push(1, 2, 3, 4, 5, 6, 7)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Three per 200 ms window: the 4th waits for the second window, the 7th for the third.
    expect(times[3]).toBeGreaterThanOrEqual(190);
    expect(times[6]).toBeGreaterThanOrEqual(390);
  });

  it('refuses what does not fit, and sends nothing after stop()', async () => {
    const sent: number[] = [];
    const queue = new PacedSendQueue(new SendRateLimiter(1, 10_000), 2, async (n: number) => void sent.push(n));
    expect(queue.push(1, 2)).toBe(true);
    expect(queue.push(3, 4)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    queue.stop();
    expect(sent).toEqual([1]);
    expect(queue.push(5)).toBe(false);
  });
});
