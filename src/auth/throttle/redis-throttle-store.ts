import type { RedisClient } from '../../redis/redis.module.js';
import type { ThrottleStore } from './throttle-store.js';

/** The same fixed windows in Redis: INCR, with the expiry set by the hit that opens the window. */
export class RedisThrottleStore implements ThrottleStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async hit(key: string, windowMs: number) {
    const fullKey = this.prefix + key;
    const [count, , ttl] = (await this.redis.multi().incr(fullKey).pExpire(fullKey, windowMs, 'NX').pTTL(fullKey).exec()) as unknown as [number, number, number];
    return { count: Number(count), remainingMs: Math.max(0, Number(ttl)) };
  }

  async peek(key: string) {
    const fullKey = this.prefix + key;
    const [count, ttl] = (await this.redis.multi().get(fullKey).pTTL(fullKey).exec()) as unknown as [string | null, number];
    return { count: Number(count ?? 0), remainingMs: Math.max(0, Number(ttl)) };
  }

  async release(key: string) {
    // DECR on an expired key would make a key of -1 without expiry: only an open window is touched.
    await this.redis.eval(`if redis.call('GET', KEYS[1]) and tonumber(redis.call('GET', KEYS[1])) > 0 then return redis.call('DECR', KEYS[1]) end return 0`, {
      keys: [this.prefix + key],
    });
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }
}
