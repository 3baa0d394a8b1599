import { afterAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { TooManyRequestsException } from '../../common/errors/api-exceptions.js';
import { loadConfig } from '../../config/app-config.js';
import type { RedisClient } from '../../redis/redis.module.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { RedisThrottleStore } from './redis-throttle-store.js';
import { MemoryThrottleStore, type ThrottleStore } from './throttle-store.js';

const config = loadConfig({ DATA_DIR: 'memory', LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '5', LOGIN_THROTTLE_WINDOW: '60' });

function behavesAsThrottle(name: string, makeStore: () => Promise<ThrottleStore>) {
  describe(`LoginThrottleService with ${name}`, () => {
    it('blocks one account from one address after its failures, with the time to wait', async () => {
      const throttle = new LoginThrottleService(await makeStore(), config);
      const user = `victim-${Math.random()}`;
      for (let i = 0; i < 3; i++) {
        await throttle.assertAllowed(user, '10.0.0.1');
        await throttle.recordFailure(user, '10.0.0.1');
      }
      const blocked = await throttle.assertAllowed(user, '10.0.0.1').catch((error: unknown) => error);
      expect(blocked).toBeInstanceOf(TooManyRequestsException);
      expect((blocked as TooManyRequestsException).retryAfterSeconds).toBeGreaterThan(0);
      expect((blocked as TooManyRequestsException).retryAfterSeconds).toBeLessThanOrEqual(60);
      // The owner, elsewhere, is not locked out by the attacker's failures.
      await expect(throttle.assertAllowed(user, '10.0.0.2')).resolves.toBeUndefined();
    });

    it('blocks an address that sprays many accounts', async () => {
      const throttle = new LoginThrottleService(await makeStore(), config);
      const ip = `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
      for (let i = 0; i < 5; i++) await throttle.recordFailure(`account-${i}-${Math.random()}`, ip);
      await expect(throttle.assertAllowed(`fresh-${Math.random()}`, ip)).rejects.toBeInstanceOf(TooManyRequestsException);
    });

    it('clears an account-and-address window on success, and counts usernames case-insensitively', async () => {
      const throttle = new LoginThrottleService(await makeStore(), config);
      const user = `Someone-${Math.random()}`;
      await throttle.recordFailure(user, '10.2.0.1');
      await throttle.recordFailure(user.toLowerCase(), '10.2.0.1');
      await throttle.recordSuccess(user.toUpperCase(), '10.2.0.1');
      await throttle.recordFailure(user, '10.2.0.1');
      await throttle.recordFailure(user, '10.2.0.1');
      await expect(throttle.assertAllowed(user, '10.2.0.1')).resolves.toBeUndefined();
    });
  });
}

behavesAsThrottle('the memory store', async () => new MemoryThrottleStore());

// Redis is part of the multi-instance setup; this runs where REDIS_URL points at a server (CI does).
const redisUrl = process.env.REDIS_URL;
const clients: RedisClient[] = [];
if (redisUrl) {
  behavesAsThrottle('the Redis store', async () => {
    const client = createClient({ url: redisUrl });
    await client.connect();
    clients.push(client);
    return new RedisThrottleStore(client, `palaver-test:${process.pid}:${Math.random()}:`);
  });
} else {
  describe.skip('LoginThrottleService with the Redis store (set REDIS_URL to run)', () => {
    it.skip('shares the same behaviour', () => undefined);
  });
}
afterAll(async () => {
  for (const client of clients) await client.close();
});
