import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { toApiMessage, toRoomMessage } from '../chat.mappers.js';
import type { MessageView } from '../chat.types.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { MessagesRepository } from '../persistence/messages.repository.js';
import { ConversationSequencer } from './conversation-sequencer.js';
import type { ChatNamespace, RoomSignal } from './realtime-events.js';

/** A live connection to one room over plain WebSocket. */
export interface RoomSubscriber {
  /** This connection, in signals' `exceptConnection`. */
  id: string;
  conversationId: number;
  userId: number;
  /** Opted in with `?events=all`: also gets typing, read and presence frames. */
  signals: boolean;
  /** Ends the connection: the account is gone (4401), or its user is no longer a member (4403). */
  close(code: number, reason: string): void;
  /** A text frame's UTF-8 bytes, encoded once for all subscribers. */
  send(frame: Buffer): void;
}

/** Live messages held back for a connection that is still replaying history. */
export interface ReplayGate {
  conversationId: number;
  buffer: MessageView[];
}

export function conversationRoom(conversationId: number): string {
  return `conversation:${conversationId}`;
}

/**
 * This instance's live conversations: each conversation's messages put in `seq` order
 * ({@link ConversationSequencer}, which reads a gap from the database) and delivered to this
 * instance's own connections only: Socket.IO sockets in `conversation:<id>`, plain WebSocket
 * subscribers of the room, and the buffers of connections still replaying (so replay + live has
 * no gap).
 *
 * A conversation has a sequencer here while it has members connected here: joins call
 * {@link follow} with the conversation's message count, and a sweep drops sequencers nobody
 * listens to any more. Messages of conversations without one have nobody to go to here.
 */
@Injectable()
export class ConversationStreams implements OnModuleDestroy {
  private readonly logger = new Logger(ConversationStreams.name);
  private namespace: ChatNamespace | null = null;
  private readonly subscribers = new Map<number, Set<RoomSubscriber>>();
  private readonly gates = new Set<ReplayGate>();
  private readonly sequencers = new Map<number, ConversationSequencer>();
  private readonly sweeper = setInterval(() => this.sweep(), 30_000).unref();

  constructor(
    private readonly messages: MessagesRepository,
    private readonly metrics: Metrics,
  ) {}

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    for (const sequencer of this.sequencers.values()) sequencer.close();
    this.sequencers.clear();
  }

  /** The Socket.IO namespace whose conversation rooms get live messages. */
  useNamespace(namespace: ChatNamespace): void {
    this.namespace = namespace;
  }

  /**
   * Called when a connection starts listening to a conversation, with its message count as read
   * then: live delivery here starts after that message (if nobody here listened yet).
   */
  follow(conversationId: number, messageCount: number): void {
    if (this.sequencers.has(conversationId)) return;
    this.sequencers.set(
      conversationId,
      new ConversationSequencer(conversationId, messageCount, {
        deliver: (message) => this.deliver(message),
        fetchRange: async (id, from, to) => {
          const missed = await this.messages.messagesBySeq(id, from, to);
          this.metrics.gapFilled(missed.length);
          return missed;
        },
        onFillError: (error) => this.logger.warn(`conversation ${conversationId}: could not read missed messages: ${error.message}`),
      }),
    );
  }

  /** A stored message, from this instance or another: delivered in its conversation's order, if anyone here listens. */
  accept(message: MessageView): void {
    this.sequencers.get(message.conversationId)?.accept(message);
  }

  openGate(conversationId: number): ReplayGate {
    const gate: ReplayGate = { conversationId, buffer: [] };
    this.gates.add(gate);
    return gate;
  }

  /** Ends a replay: returns the held-back messages newer than `lastDeliveredId`, in id order, once each. */
  closeGate(gate: ReplayGate, lastDeliveredId: number): MessageView[] {
    this.gates.delete(gate);
    const seen = new Set<number>();
    return gate.buffer
      .filter((m) => m.id > lastDeliveredId && !seen.has(m.id) && seen.add(m.id))
      .sort((a, b) => a.id - b.id);
  }

  subscribe(subscriber: RoomSubscriber): () => void {
    let set = this.subscribers.get(subscriber.conversationId);
    if (!set) this.subscribers.set(subscriber.conversationId, (set = new Set()));
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (!set.size) this.subscribers.delete(subscriber.conversationId);
    };
  }

  /** A typing, read or presence notice to this instance's room connections that opted in. */
  signal(signal: RoomSignal): void {
    let frame: Buffer | null = null;
    for (const conversationId of signal.conversationIds) {
      for (const subscriber of this.subscribers.get(conversationId) ?? []) {
        if (!subscriber.signals || subscriber.userId === signal.exceptUserId || subscriber.id === signal.exceptConnection || signal.hiddenFrom?.includes(subscriber.userId)) continue;
        subscriber.send((frame ??= Buffer.from(JSON.stringify(signal.frame))));
      }
    }
  }

  /** Closes this instance's plain WebSocket rooms of a user (the account was deleted). */
  closeRoomsOf(userId: number): void {
    for (const subscribers of this.subscribers.values()) for (const subscriber of [...subscribers]) if (subscriber.userId === userId) subscriber.close(4401, 'Account deleted');
  }

  /** Closes this instance's plain WebSocket connections of these users to one room (they are no longer members). */
  closeMemberships(conversationId: number, userIds: number[]): void {
    for (const subscriber of [...(this.subscribers.get(conversationId) ?? [])]) {
      if (userIds.includes(subscriber.userId)) subscriber.close(4403, 'No longer a member of this conversation');
    }
  }

  private deliver(message: MessageView): void {
    this.metrics.delivered(message.createdAt);
    if (this.namespace) this.namespace.local.to(conversationRoom(message.conversationId)).emit('message:new', toApiMessage(message));
    const subscribers = this.subscribers.get(message.conversationId);
    if (subscribers?.size) {
      const frame = Buffer.from(JSON.stringify(toRoomMessage(message)));
      for (const subscriber of subscribers) subscriber.send(frame);
    }
    for (const gate of this.gates) if (gate.conversationId === message.conversationId) gate.buffer.push(message);
  }

  /** Drops the sequencers of conversations nobody here listens to any more. */
  private sweep(): void {
    const rooms = this.namespace?.adapter.rooms;
    const replaying = new Set([...this.gates].map((gate) => gate.conversationId));
    for (const [id, sequencer] of this.sequencers) {
      // A join that has just followed may not be in its room yet.
      if (Date.now() - sequencer.createdAt < 5000) continue;
      const listened = rooms?.has(conversationRoom(id)) || this.subscribers.has(id) || replaying.has(id);
      if (!listened) {
        sequencer.close();
        this.sequencers.delete(id);
      }
    }
  }
}
