import { Inject, Logger } from '@nestjs/common';
import { Ack as AckParam, ConnectedSocket, MessageBody, OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { AuthService, authFailureReason } from '../../auth/auth.service.js';
import type { AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { describeError } from '../../common/errors/describe-error.js';
import { AppLifecycle } from '../../lifecycle/app-lifecycle.js';
import { validatePayload } from '../../common/validation/validate-payload.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module.js';
import { toApiMessage, toConversationDto } from '../chat.mappers.js';
import { ChatService } from '../chat.service.js';
import { SocketJoinDto, SocketLeaveDto, SocketSendDto } from '../dto/socket.dto.js';
import { conversationRoom, RealtimeHub } from './realtime-hub.service.js';
import type { AckFailure, ChatNamespace, ChatSocket, ClientEvents } from './realtime-events.js';
import { handshakeToken } from './socket-token.js';

/** Replay pages while catching up with `after`. */
const REPLAY_PAGE = 200;

interface SocketState {
  user: AuthenticatedUser;
  /** Gives the user's connection slot back (once). */
  release: () => void;
}

function fail(error: unknown): AckFailure {
  const { status, message, headers } = describeError(error);
  const retryAfter = Number(headers?.['Retry-After']);
  return { ok: false, error: retryAfter > 0 ? { status, message, retry_after: retryAfter } : { status, message } };
}

/**
 * Socket.IO namespace `/chat`. It only translates: every write goes through ChatService, every
 * delivery through the RealtimeHub. Errors answer the ack and never drop the connection.
 */
@WebSocketGateway({ namespace: '/chat' })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);

  constructor(
    private readonly chat: ChatService,
    private readonly auth: AuthService,
    private readonly hub: RealtimeHub,
    private readonly lifecycle: AppLifecycle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
  ) {}

  afterInit(namespace: ChatNamespace): void {
    // Authentication in the handshake: nothing of the namespace is reachable without a valid access token.
    namespace.use((socket, next) => {
      if (this.lifecycle.closing) return next(new Error('Server is shutting down; connect to another instance'));
      const token = handshakeToken({ auth: socket.handshake.auth, headers: socket.handshake.headers, query: socket.handshake.query });
      if (!token) return next(new Error('Authentication required: send the access token as auth.token'));
      this.auth.authenticateAccessToken(token).then(
        (user) => {
          if (!this.hub.acquireConnection(user.id, this.config.realtime.maxConnectionsPerUser)) {
            return next(new Error(`Too many connections for this user (at most ${this.config.realtime.maxConnectionsPerUser})`));
          }
          // The slot goes back exactly once, on whichever comes first: leaving the namespace, or the
          // transport closing. A client that went away during the token check never "disconnects"
          // from the namespace (it never joined), so its slot was never given back.
          let released = false;
          const release = () => {
            if (released) return;
            released = true;
            this.hub.releaseConnection(user.id);
          };
          if (socket.conn.readyState !== 'open') {
            release();
            return next(new Error('Connection closed during the handshake'));
          }
          socket.conn.once('close', release);
          const state: SocketState = { user, release };
          socket.data = state;
          next();
        },
        (error: Error) => next(new Error(authFailureReason(error))),
      );
    });
    this.hub.attach(namespace, Boolean(this.config.redisUrl && this.redis));
  }

  handleConnection(socket: ChatSocket): void {
    const state = socket.data as SocketState | undefined;
    if (!state?.user) return void socket.disconnect(true);
    void socket.join(`user:${state.user.id}`);
  }

  handleDisconnect(socket: ChatSocket): void {
    (socket.data as SocketState | undefined)?.release?.();
  }

  @SubscribeMessage('conversation:join')
  async join(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown): Promise<ClientEvents['conversation:join']['ack']> {
    try {
      const { user } = socket.data as SocketState;
      const body = await validatePayload(SocketJoinDto, payload);
      const conversation = await this.chat.resolve(user.id, body.conversation);
      const room = conversationRoom(conversation.id);
      this.hub.follow(conversation.id, conversation.messageCount);
      if (body.after === undefined) {
        await socket.join(room);
      } else {
        // Live messages are held back while the history is replayed, then released in id order
        // right after joining, in one synchronous step: no gap, and no message out of order.
        const gate = this.hub.openGate(conversation.id);
        let last = body.after;
        try {
          for (;;) {
            const page = await this.chat.history(user.id, conversation.id, { limit: REPLAY_PAGE, after: last });
            for (const message of page.messages) socket.emit('message:new', toApiMessage(message));
            if (page.messages.length) last = page.messages[page.messages.length - 1].id;
            if (page.messages.length < REPLAY_PAGE) break;
          }
        } finally {
          const held = this.hub.closeGate(gate, last);
          if (socket.connected) {
            void socket.join(room);
            for (const message of held) socket.emit('message:new', toApiMessage(message));
          }
        }
      }
      return { ok: true, conversation: toConversationDto(conversation, []) };
    } catch (error) {
      return fail(error);
    }
  }

  @SubscribeMessage('conversation:leave')
  async leave(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown): Promise<ClientEvents['conversation:leave']['ack']> {
    try {
      const { user } = socket.data as SocketState;
      const body = await validatePayload(SocketLeaveDto, payload);
      const conversation = await this.chat.resolve(user.id, body.conversation);
      await socket.leave(conversationRoom(conversation.id));
      return { ok: true, conversation: { id: conversation.id } };
    } catch (error) {
      return fail(error);
    }
  }

  /**
   * Acknowledged by hand inside the tracked send, so a shutdown that waits for in-flight sends
   * also waits until their acknowledgements are written.
   */
  @SubscribeMessage('message:send')
  async send(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown, @AckParam() ack?: (answer: ClientEvents['message:send']['ack']) => void): Promise<void> {
    const reply = (answer: ClientEvents['message:send']['ack']) => {
      if (typeof ack === 'function') ack(answer);
    };
    try {
      const { user } = socket.data as SocketState;
      if (this.lifecycle.closing) return reply({ ok: false, error: { status: 503, message: 'Server is shutting down; reconnect and retry' } });
      // The user's message budget is taken by the chat service, as for REST: 429 with retry_after.
      const body = await validatePayload(SocketSendDto, payload);
      await this.lifecycle.track(async () => {
        const { message } = await this.chat.sendTo(user.id, body.conversation, body.text, body.client_id);
        reply({ ok: true, message: toApiMessage(message) });
      });
    } catch (error) {
      if (describeError(error).status >= 500) this.logger.error(`message:send failed: ${(error as Error).stack ?? String(error)}`);
      reply(fail(error));
    }
  }
}
