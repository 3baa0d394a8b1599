import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ApiChatController } from './api-chat.controller.js';
import { ChatEvents } from './chat.events.js';
import { ChatQueries } from './chat.queries.js';
import { ChatService } from './chat.service.js';
import { MessageStore } from './message-store.js';
import { MessengerController } from './messenger.controller.js';
import { ChatGateway } from './realtime/chat.gateway.js';
import { RealtimeHub } from './realtime/realtime-hub.service.js';
import { WsRoomsServer } from './realtime/ws-rooms.server.js';

@Module({
  imports: [AuthModule],
  controllers: [ApiChatController, MessengerController],
  providers: [ChatService, ChatQueries, MessageStore, ChatEvents, RealtimeHub, ChatGateway, WsRoomsServer],
  exports: [ChatService, ChatEvents],
})
export class ChatModule {}
