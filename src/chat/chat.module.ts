import { Module } from '@nestjs/common';
import { ApiChatController } from './api-chat.controller.js';
import { ChatEvents } from './chat.events.js';
import { ChatQueries } from './chat.queries.js';
import { ChatService } from './chat.service.js';
import { MessengerController } from './messenger.controller.js';

@Module({
  controllers: [ApiChatController, MessengerController],
  providers: [ChatService, ChatQueries, ChatEvents],
  exports: [ChatService, ChatEvents],
})
export class ChatModule {}
