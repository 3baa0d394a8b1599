import { Logger } from '@nestjs/common';
import { Ack as AckParam, ConnectedSocket, MessageBody, OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { authFailureReason } from '../../auth/auth.service.js';
import type { AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { describeError } from '../../common/errors/describe-error.js';
import { AppLifecycle } from '../../lifecycle/app-lifecycle.js';
import { validatePayload } from '../../common/validation/validate-payload.js';
import { toApiMessage, toConversationDto } from '../chat.mappers.js';
import { ChatService } from '../chat.service.js';
import { conversationRef } from '../chat.types.js';
import { SocketConversationDto, SocketJoinDto, SocketReadDto, SocketSendDto } from '../http/dto/socket.dto.js';
import { RealtimeCore } from './realtime-core.service.js';
import { conversationRoom } from './conversation-streams.js';
import type { AckFailure, ChatNamespace, ChatSocket, ClientEvents } from './realtime-events.js';
import { handshakeToken } from './socket-token.js';

/** Replay pages while catching up with `after`. */
const REPLAY_PAGE = 200;

interface SocketState {
  user: AuthenticatedUser;
  /** Gives the user's connection slot back (once). */
  release: () => void;
  /** Tells presence and typing the connection closed (once). */
  closed?: () => void;
}

function fail(error: unknown): AckFailure {
  const { status, message, headers } = describeError(error);
  const retryAfter = Number(headers?.['Retry-After']);
  return { ok: false, error: retryAfter > 0 ? { status, message, retry_after: retryAfter } : { status, message } };
}

/** The acknowledgement of a handler: `{ok: true, ...result}`, or the error it threw. */
async function answer<T extends object>(work: () => Promise<T>): Promise<({ ok: true } & T) | AckFailure> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    return fail(error);
  }
}

/**
 * Socket.IO namespace `/chat`. It only translates: every write goes through ChatService, every
 * delivery through the RealtimeHub. Errors answer the ack and never drop the connection.
 */
@WebSocketGateway({ namespace: '/chat' })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);

  constructor(
    private readonly core: RealtimeCore,
    private readonly chat: ChatService,
    private readonly lifecycle: AppLifecycle,
  ) {}

  afterInit(namespace: ChatNamespace): void {
    // Authentication in the handshake: nothing of the namespace is reachable without a valid access token.
    namespace.use((socket, next) => {
      if (this.lifecycle.closing) return next(new Error('Server is shutting down; connect to another instance'));
      const token = handshakeToken({ auth: socket.handshake.auth, headers: socket.handshake.headers, query: socket.handshake.query });
      if (!token) return next(new Error('Authentication required: send the access token as auth.token'));
      this.core.authenticate(token).then(
        (user) => {
          const release = this.core.takeSlot(user.id);
          if (!release) return next(new Error(`Too many connections for this user (at most ${this.core.maxConnections})`));
          // The slot goes back (once) on whichever comes first: leaving the namespace, or the
          // transport closing. A client that went away during the token check never "disconnects"
          // from the namespace (it never joined), so its slot was never given back.
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
    this.core.attachSocketIo(namespace);
  }

  handleConnection(socket: ChatSocket): void {
    const state = socket.data as SocketState | undefined;
    if (!state?.user) return void socket.disconnect(true);
    void socket.join(`user:${state.user.id}`);
    state.closed = this.core.opened(state.user, socket.id, 'socket.io');
  }

  handleDisconnect(socket: ChatSocket): void {
    const state = socket.data as SocketState | undefined;
    state?.release?.();
    state?.closed?.();
  }

  @SubscribeMessage('conversation:join')
  join(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown): Promise<ClientEvents['conversation:join']['ack']> {
    return answer(async () => {
      const { user, body, conversation } = await this.target(socket, SocketJoinDto, payload);
      const room = conversationRoom(conversation.id);
      const after = body.after;
      await this.core.stream(conversation, {
        from: after,
        // With `after`, every newer message first, a page at a time.
        replay:
          after === undefined
            ? undefined
            : async (delivered) => {
                for (let last = after; ; ) {
                  const page = await this.chat.history(user.id, { id: conversation.id }, { limit: REPLAY_PAGE, after: last });
                  for (const message of page.messages) {
                    socket.emit('message:new', toApiMessage(message));
                    delivered((last = message.id));
                  }
                  if (page.messages.length < REPLAY_PAGE) return;
                }
              },
        attach: (held) => {
          if (!socket.connected) return;
          void socket.join(room);
          for (const message of held) socket.emit('message:new', toApiMessage(message));
        },
      });
      return { conversation: toConversationDto(conversation, []) };
    });
  }

  @SubscribeMessage('conversation:leave')
  leave(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown): Promise<ClientEvents['conversation:leave']['ack']> {
    return answer(async () => {
      const { conversation } = await this.target(socket, SocketConversationDto, payload);
      await socket.leave(conversationRoom(conversation.id));
      return { conversation: { id: conversation.id } };
    });
  }

  /** Moves the caller's read marker; the other members and the caller's other connections are told. */
  @SubscribeMessage('conversation:read')
  read(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown): Promise<ClientEvents['conversation:read']['ack']> {
    return answer(async () => {
      const { user, body, reference } = await this.request(socket, SocketReadDto, payload);
      const { marker, unread } = await this.core.markRead(user, reference, body.message, socket.id);
      return { last_read_message: marker.messageId, unread_count: unread };
    });
  }

  @SubscribeMessage('typing:start')
  typingStart(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown): Promise<ClientEvents['typing:start']['ack']> {
    return answer(async () => {
      const { user, reference } = await this.request(socket, SocketConversationDto, payload);
      await this.core.startTyping(user, reference, socket.id);
      return {};
    });
  }

  @SubscribeMessage('typing:stop')
  typingStop(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown): Promise<ClientEvents['typing:stop']['ack']> {
    return answer(async () => {
      const { user, reference } = await this.request(socket, SocketConversationDto, payload);
      await this.core.stopTyping(user, reference);
      return {};
    });
  }

  /** The caller, their validated payload, and the conversation it names (not resolved: no query). */
  private async request<T extends { conversation: number | string }>(socket: ChatSocket, dto: new () => T, payload: unknown) {
    const { user } = socket.data as SocketState;
    const body = await validatePayload(dto, payload);
    return { user, body, reference: conversationRef(body.conversation) };
  }

  /** The caller, their validated payload, and the conversation it names (404 unless they are a member). */
  private async target<T extends { conversation: number | string }>(socket: ChatSocket, dto: new () => T, payload: unknown) {
    const { user, body, reference } = await this.request(socket, dto, payload);
    return { user, body, conversation: await this.chat.resolve(user.id, reference) };
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
      // The user's message budget is taken by the chat service, as for REST: 429 with retry_after.
      const body = await validatePayload(SocketSendDto, payload);
      await this.core.send(user.id, conversationRef(body.conversation), body.text, body.client_id, { replyTo: body.reply_to }, ({ message }) => reply({ ok: true, message: toApiMessage(message) }));
    } catch (error) {
      if (describeError(error).status >= 500) this.logger.error(`message:send failed: ${(error as Error).stack ?? String(error)}`);
      reply(fail(error));
    }
  }
}
