import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../events/domain-events.js';
import { AppLifecycle } from '../../lifecycle/app-lifecycle.js';
import { toApiMessage, toConversationDto, toRoomMessage } from '../chat.mappers.js';
import { MessagesRepository } from '../persistence/messages.repository.js';
import type { MessageView } from '../chat.types.js';
import { ConversationSequencer } from './conversation-sequencer.js';
import { CLUSTER_ACCOUNT_DELETED_EVENT, CLUSTER_MESSAGE_EVENT, type ChatNamespace, type WireMessage } from './realtime-events.js';

/** A live connection to one room over plain WebSocket. */
export interface RoomSubscriber {
  conversationId: number;
  userId: number;
  /** Ends the connection (the account is gone). */
  close(): void;
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
 * The one real-time fan-out. Every stored message reaches this hub on every instance: the
 * instance that stored it gets ChatService's event, and forwards it to the others through the
 * Socket.IO adapter (Redis) as a server-side event. Each instance then puts each conversation's
 * messages in `seq` order ({@link ConversationSequencer}) and delivers to its own connections
 * only: Socket.IO sockets in `conversation:<id>`, plain WebSocket subscribers of the room, and the
 * buffers of connections that are still replaying (so replay + live has no gap).
 *
 * A conversation has a sequencer here while it has members connected here: joins call
 * {@link follow} with the conversation's message count, and a sweep drops sequencers nobody
 * listens to any more. Messages of conversations without one have nobody to go to here.
 */
@Injectable()
export class RealtimeHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeHub.name);
  private namespace: ChatNamespace | null = null;
  private clustered = false;
  private readonly subscribers = new Map<number, Set<RoomSubscriber>>();
  private readonly gates = new Set<ReplayGate>();
  private readonly sequencers = new Map<number, ConversationSequencer>();
  private readonly sweeper = setInterval(() => this.sweep(), 30_000).unref();

  constructor(
    private readonly events: DomainEvents,
    private readonly messages: MessagesRepository,
    private readonly lifecycle: AppLifecycle,
  ) {}

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    for (const sequencer of this.sequencers.values()) sequencer.close();
    this.sequencers.clear();
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
        deliver: (message) => this.deliverLocally(message),
        fetchRange: (id, from, to) => this.messages.messagesBySeq(id, from, to),
        onFillError: (error) => this.logger.warn(`conversation ${conversationId}: could not read missed messages: ${error.message}`),
      }),
    );
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

  onModuleInit(): void {
    this.events.on('message.created', ({ message }) => this.publish(message));
    this.events.on('conversation.created', ({ conversation }) => {
      const dto = toConversationDto(conversation, []);
      for (const member of conversation.members) this.namespace?.to(`user:${member.id}`).emit('conversation:new', dto);
    });
    this.events.on('account.deleted', ({ userId }) => {
      // Socket.IO: through the adapter, so every instance's sockets of the user are closed.
      this.namespace?.in(`user:${userId}`).disconnectSockets(true);
      this.closeRooms(userId);
      if (this.clustered) {
        try {
          this.namespace?.serverSideEmit(CLUSTER_ACCOUNT_DELETED_EVENT, userId);
        } catch (error) {
          this.logger.warn(`could not tell other instances that account ${userId} was deleted: ${(error as Error).message}`);
        }
      }
    });
  }

  /**
   * Once the sends under way are stored and acknowledged (see AppLifecycle): tells Socket.IO
   * clients to reconnect (elsewhere) and closes their connections.
   */
  private async closeSocketIo(namespace: ChatNamespace): Promise<void> {
    const sockets = [...namespace.sockets.values()];
    namespace.local.emit('server:shutdown', { reconnect: true });
    // A Socket.IO-level disconnect is queued behind the notice and the last acknowledgements;
    // wait (at most a second) until they are written before the server closes the transports.
    namespace.local.disconnectSockets(false);
    await Promise.race([
      Promise.all(
        sockets.map((socket) => {
          const conn = socket.conn as unknown as { writeBuffer?: unknown[]; once(event: string, listener: () => void): void; readyState?: string };
          return conn.writeBuffer?.length && conn.readyState === 'open' ? new Promise<void>((resolve) => conn.once('drain', resolve)) : Promise.resolve();
        }),
      ),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
  }

  /** Called by the gateway once the `/chat` namespace exists. */
  attach(namespace: ChatNamespace, clustered: boolean): void {
    this.namespace = namespace;
    this.clustered = clustered;
    this.lifecycle.onDrained(() => this.closeSocketIo(namespace));
    if (clustered) {
      namespace.on(CLUSTER_MESSAGE_EVENT, (wire) => this.sequencers.get(wire.conversationId)?.accept({ ...wire, createdAt: new Date(wire.createdAt) }));
      namespace.on(CLUSTER_ACCOUNT_DELETED_EVENT, (userId) => this.closeRooms(userId));
    }
  }

  private publish(message: MessageView): void {
    this.sequencers.get(message.conversationId)?.accept(message);
    if (this.clustered && this.namespace) {
      const wire: WireMessage = { ...message, createdAt: message.createdAt.toISOString() };
      try {
        this.namespace.serverSideEmit(CLUSTER_MESSAGE_EVENT, wire);
      } catch (error) {
        // Redis down: local members still got it; others catch up by rejoining with `after`.
        this.logger.warn(`could not forward message ${message.id} to other instances: ${(error as Error).message}`);
      }
    }
  }

  private deliverLocally(message: MessageView): void {
    if (this.namespace) this.namespace.local.to(conversationRoom(message.conversationId)).emit('message:new', toApiMessage(message));
    const subscribers = this.subscribers.get(message.conversationId);
    if (subscribers?.size) {
      const frame = Buffer.from(JSON.stringify(toRoomMessage(message)));
      for (const subscriber of subscribers) subscriber.send(frame);
    }
    for (const gate of this.gates) if (gate.conversationId === message.conversationId) gate.buffer.push(message);
  }

  /** Closes this instance's plain WebSocket rooms of a user. */
  private closeRooms(userId: number): void {
    for (const subscribers of this.subscribers.values()) for (const subscriber of [...subscribers]) if (subscriber.userId === userId) subscriber.close();
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
}
