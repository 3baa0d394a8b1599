import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { AppConfig } from '../../config/app-config.js';
import { allowedOrigins, originAllowed } from '../../common/http/cors.js';
import type { RedisClient } from '../../redis/redis.module.js';
import { MAX_FRAME_BYTES, SOCKET_IO_PATH } from './ws-rooms.server.js';
import { coalesceEngineIoWrites } from './coalesced-writes.js';

/**
 * Socket.IO on the app's HTTP server. With Redis, the Redis Streams adapter joins the instances
 * (it survives Redis restarts and carries the inter-instance message events).
 */
export class PalaverIoAdapter extends IoAdapter {
  private adapterClient: RedisClient | null = null;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly redis: RedisClient | null,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    coalesceEngineIoWrites();
    const server: Server = super.createIOServer(port, {
      ...options,
      // The plain WebSocket rooms share the HTTP server and answer every other path's upgrade
      // (WsRoomsServer), at once rather than engine.io's "end it after a second if nobody wrote".
      destroyUpgrade: false,
      path: SOCKET_IO_PATH.replace(/\/$/, ''),
      maxHttpBufferSize: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      pingInterval: 25_000,
      pingTimeout: 20_000,
      cors: allowedOrigins(this.config) ? { origin: allowedOrigins(this.config)! } : undefined,
      // CORS does not cover WebSocket handshakes: browsers on other sites are refused here.
      allowRequest: (request: { headers: { origin?: string } }, callback: (error: string | null | undefined, allowed: boolean) => void) =>
        callback(null, originAllowed(this.config, request.headers.origin)),
    } as ServerOptions);
    if (this.config.redisUrl && this.redis) {
      // The adapter gets its own client, which queues commands while Redis is away. On the shared
      // client (which fails commands at once while disconnected) the adapter's read loop, which
      // retries XREAD immediately after an error, spun at 100% CPU for the whole outage.
      const client = this.redis.duplicate({ disableOfflineQueue: false });
      client.on('error', (error: Error) => this.logger.warn(`Redis (Socket.IO adapter) error: ${error.message}`));
      client.connect().catch((error: Error) => this.logger.warn(`Redis (Socket.IO adapter) could not connect yet: ${error.message}`));
      // @socket.io/redis-streams-adapter 0.3 sends server-side events with PUBLISH and drops the
      // promise: while Redis is away the rejection went unhandled, which ends a Node process. The
      // event is lost for the other instances (their clients catch up by rejoining with `after`).
      const publish = client.publish.bind(client) as (channel: string, message: string | Buffer) => Promise<number>;
      (client as unknown as { publish: typeof publish }).publish = (channel, message) =>
        publish(channel, message).catch((error: Error) => {
          this.logger.warn(`Redis (Socket.IO adapter) publish failed: ${error.message}`);
          return 0;
        });
      this.adapterClient = client;
      // Both names carry REDIS_KEY_PREFIX: the stream, and the PUB/SUB channels that server-side
      // events travel on (by default `socket.io#/chat#` for every deployment on the Redis, which
      // delivered one deployment's messages to another's members of the same conversation id).
      const prefix = `${this.config.redisKeyPrefix}:socket.io`;
      server.adapter(createAdapter(client, { streamName: prefix, channelPrefix: prefix }));
    }
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    const client = this.adapterClient;
    this.adapterClient = null;
    if (client?.isOpen) await client.close().catch(() => undefined);
  }

  /**
   * Nest's default keeps an RxJS pipeline per handler for the lifetime of every socket (fromEvent,
   * mergeMap, takeUntil and a shared disconnect stream). Plain listeners do the same per message
   * (run the handler, emit `{ event, data }` results, answer the ack unless the handler does) and
   * keep nothing per socket but the listeners (docs/performance.md).
   */
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args);
        let results: Observable<unknown>;
        try {
          results = transform(callback(data, ack));
        } catch (error) {
          this.logger.error(error);
          return;
        }
        results.subscribe({
          next: (response) => {
            if (response === null || response === undefined) return;
            const reply = response as { event?: string; data?: unknown };
            if (reply.event) socket.emit(reply.event, reply.data);
            else if (!isAckHandledManually && typeof ack === 'function') ack(response);
          },
          error: (error: unknown) => this.logger.error(error),
        });
      });
    }
  }
}
