import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, type FactoryProvider } from '@nestjs/common';
import { createClient } from 'redis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

export type RedisClient = ReturnType<typeof createClient>;
/** The shared Redis client, or `null` when REDIS_URL is unset (single instance, in memory). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.client?.isOpen) await this.client.close().catch(() => undefined);
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<RedisClient | null> => {
        if (!config.redisUrl) return null;
        const logger = new Logger('Redis');
        const client = createClient({
          url: config.redisUrl,
          // Keep reconnecting (capped back-off) rather than giving up: Redis may be restarted.
          socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 3000), connectTimeout: 5000 },
          // Fail commands at once while disconnected, instead of queueing them without bound.
          disableOfflineQueue: true,
        });
        client.on('error', (error: Error) => logger.warn(`Redis error: ${error.message}`));
        await client.connect();
        return client;
      },
    },
    RedisLifecycle,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}

/**
 * A provider of a store that lives in Redis when REDIS_URL is set (shared by every instance, its
 * keys under `<REDIS_KEY_PREFIX>:<keyspace>:`), else in this process's memory.
 */
export function sharedStore<T>(token: symbol, keyspace: string, inRedis: (client: RedisClient, prefix: string) => T, inMemory: () => T): FactoryProvider<T> {
  return {
    provide: token,
    inject: [APP_CONFIG, REDIS_CLIENT],
    useFactory: (config: AppConfig, redis: RedisClient | null) => (config.redisUrl && redis ? inRedis(redis, `${config.redisKeyPrefix}:${keyspace}:`) : inMemory()),
  };
}
