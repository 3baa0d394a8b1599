import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ConversationView, MessageView, ReactionView } from '../chat/chat.types.js';

/**
 * The application's domain events, one map of names to payloads, owned by no feature module:
 * ChatService publishes what happens in conversations, account deletion publishes
 * `account.deleted`, and the real-time fan-out (Socket.IO and plain WebSocket) subscribes. No
 * transport is imported here.
 */
export interface DomainEventMap {
  /** Exactly once per stored message (never for an idempotent retry), after it is committed. */
  'message.created': { message: MessageView };
  /** A message's text was edited (the whole message as it now is). */
  'message.updated': { message: MessageView };
  /** A message was deleted (its place stays; its text is gone). */
  'message.deleted': { conversationId: number; messageId: number };
  /** A message's reactions changed. */
  'message.reactions': { conversationId: number; messageId: number; reactions: ReactionView[] };
  /** A conversation was created (members may want a notice). */
  'conversation.created': { conversation: ConversationView };
  /** A group changed: title, members or roles (`conversation` as the one who changed it sees it). */
  'conversation.updated': { conversation: ConversationView };
  /** People were added to a group; they start with everything so far read (`lastMessageId`). */
  'conversation.joined': { conversation: ConversationView; userIds: number[]; lastMessageId: number | null };
  /** People left or were removed from a conversation: they lose access at once, on every instance. */
  'conversation.removed': { conversationId: number; userIds: number[] };
  /** An account was deleted: its live connections must close. */
  'account.deleted': { userId: number };
  /** A member's read marker moved forward (not on sends: a sender's marker follows their message). */
  'conversation.read': ReadEvent;
  /** A member started or stopped typing (never stored). */
  'typing.changed': TypingEvent;
  /** A user came online (first connection anywhere) or went offline (last one closed, after the grace period). */
  'presence.changed': PresenceEvent;
}

/** Who a real-time notice is about. */
export interface Actor {
  id: number;
  username: string;
}

export interface ReadEvent {
  conversationId: number;
  user: Actor;
  lastReadMessageId: number | null;
  /** Every member of the conversation (the reader included: their other devices clear their badge). */
  memberIds: number[];
  /** The connection the read came from, which needs no notice (a Socket.IO socket id, a room connection's id). */
  origin?: string;
}

export interface TypingEvent {
  conversationId: number;
  user: Actor;
  typing: boolean;
  /** The members to tell (without those the typist has blocked). */
  memberIds: number[];
  /** Members the typist has blocked: never told. */
  hiddenFrom: number[];
}

export interface PresenceEvent {
  user: Actor;
  online: boolean;
  lastSeen: Date;
  /** Whom it concerns: people sharing a conversation with the user, and friends. */
  contactIds: number[];
  /** The user's conversations (for their plain WebSocket rooms). */
  conversationIds: number[];
  /** People the user has blocked: never told. */
  hiddenFrom: number[];
}

type DomainEventName = keyof DomainEventMap;

@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  on<E extends DomainEventName>(event: E, listener: (payload: DomainEventMap[E]) => void | Promise<void>): () => void {
    const wrapped = (payload: DomainEventMap[E]) => {
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

  emit<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): void {
    this.emitter.emit(event, payload);
  }
}
