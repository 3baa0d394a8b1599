import { Inject, Injectable } from '@nestjs/common';
import { AuthService } from '../../auth/auth.service.js';
import type { AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { ApiException } from '../../common/errors/api-exceptions.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppLifecycle } from '../../lifecycle/app-lifecycle.js';
import { Metrics, type Transport } from '../../metrics/metrics.service.js';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module.js';
import { ChatBudgets } from '../chat-budgets.js';
import type { Actor } from '../../events/domain-events.js';
import { ChatService, type ReadState, type SendOptions } from '../chat.service.js';
import type { ConversationRef, ConversationView, MessageView } from '../chat.types.js';
import { ConnectionSlots } from './connection-slots.js';
import type { Pace } from './paced-send-queue.js';
import type { ChatNamespace } from './realtime-events.js';
import { ConversationStreams, type RoomSubscriber } from './conversation-streams.js';
import { PresenceService } from './presence/presence.service.js';
import { RealtimeHub } from './realtime-hub.service.js';
import { TypingTracker } from './typing-tracker.js';

/** A send refused because the server is closing: the client retries on another instance. */
export class ShuttingDownException extends ApiException {
  constructor() {
    super(503, 'Server is shutting down; reconnect and retry', 'service_unavailable');
  }
}

/** How a connection starts listening: what it sees first, and how it then receives live messages. */
export interface StreamStart {
  /** Replays what the connection should see before live messages, reporting each id it delivered. */
  replay?: (delivered: (id: number) => void) => Promise<void>;
  /** The id the replay starts after (0: from the first message). */
  from?: number;
  /**
   * Starts live delivery to the connection, given the messages stored during the replay that it
   * has not seen (newer than the last replayed id, in id order, each once). Runs synchronously
   * right after the replay, so nothing falls between the two.
   */
  attach: (held: MessageView[]) => void;
}

/**
 * The rules both real-time transports share, so each transport only translates frames: who may
 * connect (the access token, the per-user connection slots), how a connection joins a
 * conversation's stream (replay, then live, with no gap and no duplicate), how sends are paced and
 * taken (refused while closing, waited for by shutdown, answered inside that wait), and where live
 * messages come from.
 */
@Injectable()
export class RealtimeCore {
  constructor(
    private readonly chat: ChatService,
    private readonly hub: RealtimeHub,
    private readonly streams: ConversationStreams,
    private readonly lifecycle: AppLifecycle,
    private readonly auth: AuthService,
    private readonly slots: ConnectionSlots,
    private readonly budgets: ChatBudgets,
    private readonly presence: PresenceService,
    private readonly typing: TypingTracker,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
  ) {}

  /** The user behind a handshake's access token; refused with SimpleJWT's 401 wording. */
  authenticate(token: string): Promise<AuthenticatedUser> {
    return this.auth.authenticateAccessToken(token);
  }

  /** Most real-time connections one user may have open on this instance. */
  get maxConnections(): number {
    return this.slots.max;
  }

  /** True when the user has a connection slot left (checked before a WebSocket upgrade). */
  hasSlot(userId: number): boolean {
    return !this.slots.full(userId);
  }

  /** Takes a connection slot once the connection exists: its release-once function, or null when none is left. */
  takeSlot(userId: number): (() => void) | null {
    return this.slots.take(userId);
  }

  /** A connection of `user` is open (presence and the metrics count it); returns what to call (once) when it closes. */
  opened(user: Actor, connection: string, transport: Transport): () => void {
    const left = this.presence.connected(user);
    const counted = this.metrics.connectionOpened(transport);
    return () => {
      left();
      counted();
      this.typing.connectionClosed(connection);
    };
  }

  /** Moves the user's read marker (see ChatService.markRead); `connection` gets no notice of its own read. */
  markRead(user: Actor, reference: ConversationRef, messageId: number | undefined, connection: string): Promise<ReadState> {
    return this.chat.markRead(user, reference, messageId, connection);
  }

  /** The user types in a conversation: a renewal costs nothing, a start checks membership (404) and the typing budget (429). */
  async startTyping(user: Actor, reference: ConversationRef, connection: string): Promise<void> {
    if ('id' in reference && this.typing.renew(user.id, reference.id, connection)) return;
    await this.typing.start(user, await this.chat.resolve(user.id, reference), connection);
  }

  /** The user stopped typing (404 unless a member). */
  async stopTyping(user: Actor, reference: ConversationRef): Promise<void> {
    const conversationId = 'id' in reference ? reference.id : (await this.chat.resolve(user.id, reference)).id;
    if (this.typing.isTyping(user.id, conversationId)) return this.typing.stop(user.id, conversationId);
    await this.chat.resolve(user.id, { id: conversationId });
  }

  /** Paces one connection's sends by the user's message budget, the one REST and Socket.IO sends also draw on. */
  paceFor(userId: number): Pace {
    return () => this.budgets.takeMessage(userId);
  }

  /** Gives the fan-out the Socket.IO namespace (and joins the instances when Redis is configured). */
  attachSocketIo(namespace: ChatNamespace): void {
    this.hub.attach(namespace, Boolean(this.config.redisUrl && this.redis));
  }

  /** Live messages of a conversation to a plain WebSocket room connection; returns how to stop. */
  subscribe(subscriber: RoomSubscriber): () => void {
    return this.streams.subscribe(subscriber);
  }

  /**
   * Joins a connection to a conversation's live stream. The conversation's message count, as
   * read when it was resolved, tells this instance where its live delivery starts; live messages
   * stored while `replay` runs are held back and handed to `attach`.
   */
  async stream(conversation: ConversationView, start: StreamStart): Promise<void> {
    this.streams.follow(conversation.id, conversation.messageCount);
    if (!start.replay) return start.attach([]);
    const gate = this.streams.openGate(conversation.id);
    let last = start.from ?? 0;
    try {
      await start.replay((id) => (last = id));
    } finally {
      start.attach(this.streams.closeGate(gate, last));
    }
  }

  /**
   * Stores a message from a real-time client and hands the result to `answer`, all inside the
   * lifecycle's tracking, so a shutdown waits until the answer is written. While closing, throws
   * {@link ShuttingDownException} (503) and stores nothing.
   */
  async send(
    userId: number,
    reference: ConversationRef,
    text: unknown,
    clientId: string | null | undefined,
    options: SendOptions,
    answer: (result: { message: MessageView; created: boolean }) => void,
  ): Promise<void> {
    if (this.lifecycle.closing) throw new ShuttingDownException();
    await this.lifecycle.track(async () => answer(await this.chat.sendTo(userId, reference, text, clientId, options)));
  }
}
