import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { MemoryTokenBuckets, RedisTokenBuckets, TOKEN_BUCKETS } from '../common/rate/token-buckets.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.module.js';
import { ChatBudgets } from './chat-budgets.js';
import { ChatService } from './chat.service.js';
import { ChatRoomsController } from './http/chat-rooms.controller.js';
import { ConversationsController } from './http/conversations.controller.js';
import { ConversationsRepository } from './persistence/conversations.repository.js';
import { MessageWriter } from './persistence/message-writer.js';
import { MessagesRepository } from './persistence/messages.repository.js';
import { ChatGateway } from './realtime/chat.gateway.js';
import { ConnectionSlots } from './realtime/connection-slots.js';
import { RealtimeCore } from './realtime/realtime-core.service.js';
import { RealtimeHub } from './realtime/realtime-hub.service.js';
import { WsRoomsServer } from './realtime/ws-rooms.server.js';

@Module({
  imports: [AuthModule, UsersModule],
  controllers: [ConversationsController, ChatRoomsController],
  providers: [
    ChatService,
    ConversationsRepository,
    MessagesRepository,
    MessageWriter,
    ChatBudgets,
    RealtimeHub,
    RealtimeCore,
    ConnectionSlots,
    ChatGateway,
    WsRoomsServer,
    {
      // Per-user budgets: shared by every instance through Redis when there is one.
      provide: TOKEN_BUCKETS,
      inject: [APP_CONFIG, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: RedisClient | null) =>
        config.redisUrl && redis ? new RedisTokenBuckets(redis, `${config.redisKeyPrefix}:budget:`) : new MemoryTokenBuckets(),
    },
  ],
  exports: [ChatService, ConversationsRepository],
})
export class ChatModule {}
