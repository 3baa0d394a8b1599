import { Injectable, Logger } from '@nestjs/common';
import type { MessageView } from '../chat.types.js';
import { CLUSTER_ACCOUNT_DELETED_EVENT, CLUSTER_MEMBERS_REMOVED_EVENT, CLUSTER_MESSAGE_EVENT, CLUSTER_MESSAGES_EVENT, CLUSTER_ROOM_SIGNAL_EVENT, type ChatNamespace, type RoomSignal, type WireMessage } from './realtime-events.js';

/** What arrives from the other instances. */
export interface ClusterHandlers {
  message(message: MessageView): void;
  accountDeleted(userId: number): void;
  roomSignal(signal: RoomSignal): void;
  membersRemoved(conversationId: number, userIds: number[]): void;
}

/**
 * Between the instances of one deployment, through the Socket.IO adapter (Redis, channels under
 * REDIS_KEY_PREFIX) as server-side events: every stored message, account deletions (to close
 * plain WebSocket rooms elsewhere), and typing, read and presence notices for the plain WebSocket
 * rooms (Socket.IO sockets get theirs through the adapter's rooms). Without Redis it does nothing. A failed forward is logged,
 * never thrown: local members already got the message, and the other instances' sequencers read
 * the gap from the database.
 *
 * Messages stored in one tick (a committed batch) travel together, in order, as one event: one
 * Redis publish and one decode instead of one per message (docs/performance.md). Single-message
 * events of instances still on an earlier version are read too, so a rolling upgrade loses
 * nothing (the older instances, which do not read batches, fill the gap from the database).
 */
@Injectable()
export class ClusterRelay {
  private readonly logger = new Logger(ClusterRelay.name);
  private namespace: ChatNamespace | null = null;
  private outgoing: WireMessage[] = [];

  /** Joins the instances through the namespace's adapter (when clustered) and hands what arrives to `handlers`. */
  attach(namespace: ChatNamespace, clustered: boolean, handlers: ClusterHandlers): void {
    if (!clustered) return;
    this.namespace = namespace;
    const receive = (wire: WireMessage) => handlers.message({ ...wire, createdAt: new Date(wire.createdAt) });
    namespace.on(CLUSTER_MESSAGE_EVENT, receive);
    namespace.on(CLUSTER_MESSAGES_EVENT, (wires) => {
      if (Array.isArray(wires)) for (const wire of wires) receive(wire);
    });
    namespace.on(CLUSTER_ACCOUNT_DELETED_EVENT, (userId) => handlers.accountDeleted(userId));
    namespace.on(CLUSTER_ROOM_SIGNAL_EVENT, (signal) => handlers.roomSignal(signal));
    namespace.on(CLUSTER_MEMBERS_REMOVED_EVENT, ({ conversationId, userIds }) => handlers.membersRemoved(conversationId, userIds));
  }

  forwardMessage(message: MessageView): void {
    if (!this.namespace) return;
    if (!this.outgoing.length) process.nextTick(() => this.flushMessages());
    this.outgoing.push({ ...message, createdAt: message.createdAt.toISOString() });
  }

  private flushMessages(): void {
    const wires = this.outgoing;
    this.outgoing = [];
    if (wires.length) this.send(`${wires.length} message(s) from ${wires[0].id}`, () => this.namespace?.serverSideEmit(CLUSTER_MESSAGES_EVENT, wires));
  }

  forwardAccountDeleted(userId: number): void {
    this.send(`the deletion of account ${userId}`, () => this.namespace?.serverSideEmit(CLUSTER_ACCOUNT_DELETED_EVENT, userId));
  }

  forwardMembersRemoved(conversationId: number, userIds: number[]): void {
    this.send(`the removal of ${userIds.length} member(s) of ${conversationId}`, () => this.namespace?.serverSideEmit(CLUSTER_MEMBERS_REMOVED_EVENT, { conversationId, userIds }));
  }

  forwardRoomSignal(signal: RoomSignal): void {
    this.send(`a ${signal.frame.type} notice`, () => this.namespace?.serverSideEmit(CLUSTER_ROOM_SIGNAL_EVENT, signal));
  }

  private send(what: string, emit: () => void): void {
    try {
      emit();
    } catch (error) {
      this.logger.warn(`could not forward ${what} to other instances: ${(error as Error).message}`);
    }
  }
}
