import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisPresenceStore } from '../../src/chat/realtime/presence/presence-store.js';
import type { RedisClient } from '../../src/redis/redis.module.js';

/** The Redis presence store on a real Redis: counts over instances, the grace period, a crashed instance. */
(process.env.REDIS_URL ? describe : describe.skip)('RedisPresenceStore (medium)', () => {
  let redis: RedisClient;
  const prefix = `palaver-test-${randomBytes(4).toString('hex')}:presence:`;
  const timing = { graceMs: 1000, ttlMs: 5000 };
  let a: RedisPresenceStore;
  let b: RedisPresenceStore;

  beforeAll(async () => {
    redis = createClient({ url: process.env.REDIS_URL });
    await redis.connect();
    a = new RedisPresenceStore(redis, prefix, 'instance-a', timing);
    b = new RedisPresenceStore(redis, prefix, 'instance-b', timing);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(keys);
    await redis.close();
  });

  it('counts connections over instances: online at the first, offline once the last has been closed for the grace period', async () => {
    expect(await a.connect(1)).toBe(true);
    expect(await b.connect(1)).toBe(false);
    const now = Date.now();
    await a.disconnect(1, now);
    expect(await a.sweep(now + 2000)).toEqual([]);
    await b.disconnect(1, now + 100);
    expect(await b.sweep(now + 600)).toEqual([]);
    expect(await a.online([1])).toEqual(new Set([1]));
    expect(await a.sweep(now + 1200)).toEqual([{ userId: 1, lastSeen: now + 100 }]);
    // Each departure is reported once, to one instance.
    expect(await b.sweep(now + 5000)).toEqual([]);
    expect(await b.online([1])).toEqual(new Set());
  });

  it('a reconnection within the grace period, on another instance, neither flaps nor leaves the user offline', async () => {
    expect(await a.connect(2)).toBe(true);
    const now = Date.now();
    await a.disconnect(2, now);
    expect(await b.connect(2)).toBe(false);
    expect(await a.sweep(now + 1500)).toEqual([]);
    expect(await a.online([2])).toEqual(new Set([2]));
  });

  it("takes a crashed instance's users offline once its counts expire, unless they are connected elsewhere", async () => {
    const crashed = new RedisPresenceStore(redis, prefix, 'instance-crashed', timing);
    expect(await crashed.connect(3)).toBe(true);
    await crashed.connect(4);
    await a.connect(4);
    const connectedAt = Date.now();
    // Nobody refreshes instance-crashed's counts; instance A refreshes its own.
    await a.refresh(new Map([[4, 1]]), connectedAt + 4000);
    expect(await a.sweep(connectedAt + 1000)).toEqual([]);
    const gone = (await b.sweep(connectedAt + timing.ttlMs + 500)).map((g) => g.userId);
    expect(gone).toContain(3);
    expect(gone).not.toContain(4);
    expect(await a.online([3, 4])).toEqual(new Set([4]));
  });

  it('announces again a user whose counts expired while their instance was still connected (a refresh brings them back)', async () => {
    expect(await a.connect(5)).toBe(true);
    const now = Date.now();
    expect((await b.sweep(now + timing.ttlMs + 500)).map((g) => g.userId)).toContain(5);
    expect(await a.refresh(new Map([[5, 1]]), now + timing.ttlMs + 600)).toEqual([5]);
    expect(await a.online([5])).toEqual(new Set([5]));
  });

  it("takes a stopping instance's connections out at once: their users leave after the grace period, not the expiry", async () => {
    const stopping = new RedisPresenceStore(redis, prefix, 'instance-stopping', timing);
    expect(await stopping.connect(6)).toBe(true);
    await stopping.connect(6);
    await stopping.connect(7);
    expect(await b.connect(7)).toBe(false);
    const now = Date.now();
    await stopping.leaveAll(new Map([[6, 2], [7, 1]]), now);
    const gone = (await a.sweep(now + timing.graceMs + 10)).map((g) => g.userId);
    expect(gone).toContain(6);
    expect(gone).not.toContain(7);
    expect(await a.online([6, 7])).toEqual(new Set([7]));
  });
});
