import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ProfilesModule } from '../profiles/profiles.module.js';
import { UsersModule } from '../users/users.module.js';
import { MemoryTokenBuckets, RedisTokenBuckets, TOKEN_BUCKETS, type TokenBuckets } from '../common/rate/token-buckets.js';
import { sharedStore } from '../redis/redis.module.js';
import { ChatBudgets } from './chat-budgets.js';
import { ChatService } from './chat.service.js';
import { ChatRoomsController } from './http/chat-rooms.controller.js';
import { ConversationsController } from './http/conversations.controller.js';
import { MessagesController } from './http/messages.controller.js';
import { GroupsController } from './http/groups.controller.js';
import { BlocksController } from './http/blocks.controller.js';
import { BlocksService } from './blocks.service.js';
import { BlocksRepository } from './persistence/blocks.repository.js';
import { PresenceController } from './http/presence.controller.js';
import { ConversationsRepository } from './persistence/conversations.repository.js';
import { MessageChanges } from './persistence/message-changes.js';
import { MessageWriter } from './persistence/message-writer.js';
import { MessagesRepository } from './persistence/messages.repository.js';
import { PresenceRepository } from './persistence/presence.repository.js';
import { ChatGateway } from './realtime/chat.gateway.js';
import { ClusterRelay } from './realtime/cluster-relay.js';
import { ConnectionSlots } from './realtime/connection-slots.js';
import { ConversationStreams } from './realtime/conversation-streams.js';
import { RealtimeCore } from './realtime/realtime-core.service.js';
import { PresenceService, presenceStoreProvider } from './realtime/presence/presence.service.js';
import { RealtimeHub } from './realtime/realtime-hub.service.js';
import { TypingTracker } from './realtime/typing-tracker.js';
import { WsRoomsServer } from './realtime/ws-rooms.server.js';

@Module({
  imports: [AuthModule, UsersModule, ProfilesModule],
  controllers: [ConversationsController, GroupsController, MessagesController, BlocksController, ChatRoomsController, PresenceController],
  providers: [
    ChatService,
    ConversationsRepository,
    MessagesRepository,
    MessageWriter,
    MessageChanges,
    BlocksRepository,
    BlocksService,
    ChatBudgets,
    RealtimeHub,
    ConversationStreams,
    ClusterRelay,
    RealtimeCore,
    ConnectionSlots,
    ChatGateway,
    WsRoomsServer,
    PresenceRepository,
    PresenceService,
    presenceStoreProvider,
    TypingTracker,
    sharedStore<TokenBuckets>(TOKEN_BUCKETS, 'budget', (redis, prefix) => new RedisTokenBuckets(redis, prefix), () => new MemoryTokenBuckets()),
  ],
  exports: [ChatService, ConversationsRepository, BlocksRepository],
})
export class ChatModule {}
