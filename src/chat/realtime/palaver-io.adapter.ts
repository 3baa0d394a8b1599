import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../../config/app-config.js';
import type { RedisClient } from '../../redis/redis.module.js';
import { MAX_FRAME_BYTES } from './ws-rooms.server.js';

/**
 * Socket.IO on the app's HTTP server. With Redis, the Redis Streams adapter joins the instances
 * (it survives Redis restarts and carries the inter-instance message events).
 */
export class PalaverIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly redis: RedisClient | null,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      // The plain WebSocket rooms share the HTTP server: leave upgrades of other paths alone.
      destroyUpgrade: false,
      maxHttpBufferSize: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      pingInterval: 25_000,
      pingTimeout: 20_000,
      cors: this.config.corsOrigins ? { origin: this.config.corsOrigins === '*' ? '*' : this.config.corsOrigins } : undefined,
    } as ServerOptions);
    if (this.config.redisUrl && this.redis) server.adapter(createAdapter(this.redis, { streamName: `${this.config.redisKeyPrefix}:socket.io` }));
    return server;
  }
}
