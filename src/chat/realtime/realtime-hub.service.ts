import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../events/domain-events.js';
import { AppLifecycle } from '../../lifecycle/app-lifecycle.js';
import { toApiMessage, toConversationDto, toConversationNotice, toRoomMessage } from '../chat.mappers.js';
import { ClusterRelay } from './cluster-relay.js';
import { conversationRoom, ConversationStreams } from './conversation-streams.js';
import type { ChatNamespace, RoomSignal } from './realtime-events.js';

const userRooms = (ids: number[]) => ids.map((id) => `user:${id}`);

/**
 * The one real-time fan-out, wiring the domain events to the connections: every stored message
 * reaches {@link ConversationStreams} on every instance (this one through the event, the others
 * through the {@link ClusterRelay}); new conversations are pushed to their members' sockets;
 * deleted accounts lose their connections on every instance; read, typing and presence notices go
 * to the sockets of the users they concern (through the adapter: every instance) and to the
 * plain WebSocket rooms that opted in (here, and through the relay); and at shutdown Socket.IO
 * clients are told to reconnect elsewhere.
 */
@Injectable()
export class RealtimeHub implements OnModuleInit {
  private namespace: ChatNamespace | null = null;

  constructor(
    private readonly events: DomainEvents,
    private readonly streams: ConversationStreams,
    private readonly relay: ClusterRelay,
    private readonly lifecycle: AppLifecycle,
  ) {}

  onModuleInit(): void {
    this.events.on('message.created', ({ message }) => {
      this.streams.accept(message);
      this.relay.forwardMessage(message);
    });
    this.events.on('conversation.created', ({ conversation }) => {
      const dto = toConversationDto(conversation, []);
      for (const member of conversation.members) this.namespace?.to(`user:${member.id}`).emit('conversation:new', dto);
    });
    this.events.on('conversation.updated', ({ conversation }) => {
      this.namespace?.to(userRooms(conversation.members.map((m) => m.id))).emit('conversation:updated', toConversationNotice(conversation));
    });
    this.events.on('conversation.joined', ({ conversation, userIds, lastMessageId }) => {
      // The people added start with everything so far read.
      const dto = { ...toConversationDto(conversation, []), unread_count: 0, last_read_message: lastMessageId };
      this.namespace?.to(userRooms(userIds)).emit('conversation:new', dto);
    });
    this.events.on('conversation.removed', ({ conversationId, userIds }) => {
      // Their sockets leave the conversation's room on every instance (through the adapter), and
      // their plain WebSocket rooms of it close, here and elsewhere: nothing more reaches them.
      this.namespace?.in(userRooms(userIds)).socketsLeave(conversationRoom(conversationId));
      this.namespace?.to(userRooms(userIds)).emit('conversation:removed', { conversation: conversationId });
      this.streams.closeMemberships(conversationId, userIds);
      this.relay.forwardMembersRemoved(conversationId, userIds);
    });
    this.events.on('account.deleted', ({ userId }) => {
      // Socket.IO: through the adapter, so every instance's sockets of the user are closed.
      this.namespace?.in(`user:${userId}`).disconnectSockets(true);
      this.streams.closeRoomsOf(userId);
      this.relay.forwardAccountDeleted(userId);
    });
    // Edits, deletions and reactions: to the conversation's Socket.IO room through the adapter
    // (every instance), and to the plain WebSocket rooms that opted in.
    this.events.on('message.updated', ({ message }) => {
      this.namespace?.to(conversationRoom(message.conversationId)).emit('message:updated', toApiMessage(message));
      const frame = { type: 'message_updated' as const, ...toRoomMessage(message), edited_at: message.editedAt?.toISOString() ?? null };
      this.signalRooms({ conversationIds: [message.conversationId], frame });
    });
    this.events.on('message.deleted', ({ conversationId, messageId }) => {
      this.namespace?.to(conversationRoom(conversationId)).emit('message:deleted', { conversation: conversationId, id: messageId });
      this.signalRooms({ conversationIds: [conversationId], frame: { type: 'message_deleted', id: messageId } });
    });
    this.events.on('message.reactions', ({ conversationId, messageId, reactions }) => {
      this.namespace?.to(conversationRoom(conversationId)).emit('message:reactions', { conversation: conversationId, id: messageId, reactions });
      this.signalRooms({ conversationIds: [conversationId], frame: { type: 'reactions', id: messageId, reactions } });
    });
    this.events.on('conversation.read', ({ conversationId, user, lastReadMessageId, memberIds, origin }) => {
      const notice = { conversation: conversationId, user, last_read_message: lastReadMessageId };
      const sockets = this.namespace?.to(userRooms(memberIds));
      (origin ? sockets?.except(origin) : sockets)?.emit('conversation:read', notice);
      this.signalRooms({ conversationIds: [conversationId], frame: { type: 'read', ...notice }, exceptConnection: origin });
    });
    this.events.on('typing.changed', ({ conversationId, user, typing, memberIds, hiddenFrom }) => {
      const notice = { conversation: conversationId, user, typing };
      const others = memberIds.filter((id) => id !== user.id);
      if (others.length) this.namespace?.to(userRooms(others)).emit('typing', notice);
      this.signalRooms({ conversationIds: [conversationId], frame: { type: 'typing', ...notice }, exceptUserId: user.id, hiddenFrom });
    });
    this.events.on('presence.changed', ({ user, online, lastSeen, contactIds, conversationIds, hiddenFrom }) => {
      const notice = { user, online, last_seen: lastSeen.toISOString() };
      if (contactIds.length) this.namespace?.to(userRooms(contactIds)).emit('presence', notice);
      this.signalRooms({ conversationIds, frame: { type: 'presence', ...notice }, exceptUserId: user.id, hiddenFrom });
    });
  }

  /** A notice for the plain WebSocket rooms that opted in: this instance's, and the others'. */
  private signalRooms(signal: RoomSignal): void {
    if (!signal.conversationIds.length) return;
    this.streams.signal(signal);
    this.relay.forwardRoomSignal(signal);
  }

  /** Called by the gateway once the `/chat` namespace exists. */
  attach(namespace: ChatNamespace, clustered: boolean): void {
    this.namespace = namespace;
    this.streams.useNamespace(namespace);
    this.relay.attach(namespace, clustered, {
      message: (message) => this.streams.accept(message),
      accountDeleted: (userId) => this.streams.closeRoomsOf(userId),
      roomSignal: (signal) => this.streams.signal(signal),
      membersRemoved: (conversationId, userIds) => this.streams.closeMemberships(conversationId, userIds),
    });
    this.lifecycle.onDrained(() => this.closeSocketIo(namespace));
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
}
