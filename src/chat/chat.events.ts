import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ConversationView, MessageView } from './chat.types.js';

/**
 * Domain events of the chat, one map of names to payloads. ChatService publishes; the real-time
 * fan-out (Socket.IO and plain WebSocket) subscribes. No transport is imported here.
 */
export interface ChatEventMap {
  /** Exactly once per stored message (never for an idempotent retry), after it is committed. */
  'message.created': { message: MessageView };
  /** A conversation was created (members may want a notice). */
  'conversation.created': { conversation: ConversationView };
  /** An account was deleted: its live connections must close. */
  'account.deleted': { userId: number };
}

type ChatEventName = keyof ChatEventMap;

@Injectable()
export class ChatEvents {
  private readonly logger = new Logger(ChatEvents.name);
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  on<E extends ChatEventName>(event: E, listener: (payload: ChatEventMap[E]) => void | Promise<void>): () => void {
    const wrapped = (payload: ChatEventMap[E]) => {
      try {
        const result = listener(payload);
        if (result instanceof Promise) result.catch((error: Error) => this.logger.error(`${event} listener failed: ${error.stack ?? error.message}`));
      } catch (error) {
        this.logger.error(`${event} listener failed: ${(error as Error).stack ?? String(error)}`);
      }
    };
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<E extends ChatEventName>(event: E, payload: ChatEventMap[E]): void {
    this.emitter.emit(event, payload);
  }
}
