import { describe, expect, it } from '@jest/globals';
import { MemoryPresenceStore } from './presence-store.js';

describe('MemoryPresenceStore', () => {
  const timing = { graceMs: 1000, ttlMs: 45_000 };

  it('announces a user at their first connection only', async () => {
    const store = new MemoryPresenceStore(timing);
    expect(await store.connect(1)).toBe(true);
    expect(await store.connect(1)).toBe(false);
    expect(await store.online([1, 2])).toEqual(new Set([1]));
  });

  it('keeps a user online until their last connection has been closed for the grace period', async () => {
    const store = new MemoryPresenceStore(timing);
    await store.connect(1);
    await store.connect(1);
    await store.disconnect(1, 10_000);
    expect(await store.sweep(20_000)).toEqual([]);
    await store.disconnect(1, 20_000);
    expect(await store.sweep(20_500)).toEqual([]);
    expect(await store.online([1])).toEqual(new Set([1]));
    expect(await store.sweep(21_000)).toEqual([{ userId: 1, lastSeen: 20_000 }]);
    expect(await store.online([1])).toEqual(new Set());
    expect(await store.sweep(30_000)).toEqual([]);
  });

  it('a reconnection within the grace period neither goes offline nor comes online again', async () => {
    const store = new MemoryPresenceStore(timing);
    await store.connect(1);
    await store.disconnect(1, 10_000);
    expect(await store.connect(1)).toBe(false);
    expect(await store.sweep(12_000)).toEqual([]);
    expect(await store.online([1])).toEqual(new Set([1]));
  });

  it('takes every connection of this instance out at shutdown', async () => {
    const store = new MemoryPresenceStore(timing);
    await store.connect(1);
    await store.connect(1);
    await store.leaveAll(new Map([[1, 2]]), 5000);
    expect(await store.sweep(6000)).toEqual([{ userId: 1, lastSeen: 5000 }]);
  });
});
