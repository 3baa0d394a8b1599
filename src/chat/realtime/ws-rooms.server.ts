import { BeforeApplicationShutdown, Inject, Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { AuthenticatedUser } from '../../common/decorators/current-user.decorator.js';
import { codeForStatus, describeError, errorBody } from '../../common/errors/describe-error.js';
import { originAllowed } from '../../common/http/cors.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { AppLifecycle } from '../../lifecycle/app-lifecycle.js';
import { toRoomMessage } from '../chat.mappers.js';
import { ChatService } from '../chat.service.js';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE, MESSAGE_MAX_LENGTH } from '../chat.limits.js';
import type { ConversationView } from '../chat.types.js';
import { partClientId, splitLongMessage } from '../long-messages.js';
import { RealtimeCore, ShuttingDownException } from './realtime-core.service.js';
import type { RoomFrames } from './realtime-events.js';
import { PacedSendQueue } from './paced-send-queue.js';
import { handshakeToken } from './socket-token.js';
import { coalesceWrites, tcpSocketOf } from './coalesced-writes.js';

/** `/messenger/ws/ws/chat/<room>/` (the contract) and `/ws/chat/<room>/` (what web clients open). */
const ROOM_PATH = /^\/(?:messenger\/ws\/)?ws\/chat\/([^/]+)\/?$/;
export const MAX_FRAME_BYTES = 64 * 1024;
const HEARTBEAT_MS = 30_000;

/** How a room connection was opened: `?errors=1`, `?events=all`. */
interface RoomOptions {
  errorFrames: boolean;
  signals: boolean;
}

/** What is wrong with a typing or read frame, if anything. */
function signalProblem(frame: Record<string, unknown>): string | null {
  if (frame.type === 'typing' && frame.typing !== undefined && typeof frame.typing !== 'boolean') return '"typing" must be true or false';
  if (frame.type === 'read' && frame.message !== undefined && frame.message !== null && !(Number.isSafeInteger(frame.message) && (frame.message as number) > 0)) {
    return '"message" must be a message id';
  }
  return null;
}

/** One send of a room client (a long message becomes several). */
interface RoomSend {
  text: string;
  clientId: string | undefined;
  replyTo: number | null;
}

function sendError(ws: WebSocket, status: number, message: string): void {
  const frame: RoomFrames['error'] = { type: 'error', status, message };
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

/** Where Socket.IO (engine.io) takes its own upgrades; every other upgrade is answered here. */
export const SOCKET_IO_PATH = '/socket.io/';

/** Answers an upgrade request with an error and ends the socket, whatever the client does next. */
function refuse(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify(errorBody({ status, message: reason, code: codeForStatus(status) }));
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () =>
    socket.destroy(),
  );
}

/**
 * The contract's plain WebSocket rooms (RFC 6455 via `ws`), on the same HTTP server and port as
 * Socket.IO, answering only the upgrade requests of their own paths. The token, the room and
 * membership are checked before the upgrade is accepted: an outsider never receives a byte.
 */
@Injectable()
export class WsRoomsServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WsRoomsServer.name);
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: true });
  private heartbeat: NodeJS.Timeout | null = null;
  /** Upgrade requests of room paths whose token and room are still being checked. */
  private readonly pendingUpgrades = new Set<Duplex>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly core: RealtimeCore,
    private readonly chat: ChatService,
    private readonly lifecycle: AppLifecycle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer();
    // An upgraded socket has left the HTTP server: no timeout applies to it any more. So every
    // upgrade ends here: handed to Socket.IO, accepted as a room, or refused and destroyed.
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0];
      if (path.startsWith(SOCKET_IO_PATH)) return; // engine.io's own listener takes it
      socket.on('error', () => socket.destroy());
      const match = ROOM_PATH.exec(path);
      if (!match) return refuse(socket, 404, 'Not Found');
      this.pendingUpgrades.add(socket);
      socket.once('close', () => this.pendingUpgrades.delete(socket));
      this.upgrade(request, socket, head, match[1])
        .catch((error: Error) => {
          this.logger.error(`upgrade failed: ${error.stack ?? error.message}`);
          if (!socket.destroyed) refuse(socket, 500, 'Internal Server Error');
        })
        .finally(() => this.pendingUpgrades.delete(socket));
    });
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    // Once the sends under way are stored: 1012 "service restart", the client should reconnect, to another instance.
    this.lifecycle.onDrained(() => {
      for (const client of this.wss.clients) client.close(1012, 'Server restarting, please reconnect');
    });
  }

  /** Shutdown has begun: handshakes still being checked would hold the process open; end them. */
  beforeApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const socket of this.pendingUpgrades) socket.destroy();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, rawRoom: string): Promise<void> {
    if (this.lifecycle.draining) return refuse(socket, 503, 'Service Unavailable');
    if (!originAllowed(this.config, request.headers.origin)) return refuse(socket, 403, 'Forbidden');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const token = handshakeToken({ headers: request.headers, query: { token: url.searchParams.get('token') ?? undefined } });
    if (!token) return refuse(socket, 401, 'Unauthorized');
    let user: AuthenticatedUser;
    try {
      user = await this.core.authenticate(token);
    } catch {
      return refuse(socket, 401, 'Unauthorized');
    }
    let roomName: string;
    try {
      roomName = decodeURIComponent(rawRoom);
    } catch {
      return refuse(socket, 404, 'Not Found');
    }
    let conversation: ConversationView;
    try {
      conversation = await this.chat.getRoom(user.id, roomName);
    } catch (error) {
      if (error instanceof NotFoundException) return refuse(socket, 404, 'Not Found');
      throw error;
    }
    if (!this.core.hasSlot(user.id)) return refuse(socket, 429, 'Too Many Requests');
    const errorFrames = url.searchParams.get('errors') === '1';
    // Typing, read and presence frames only for clients that ask: the seed's client draws every frame as a message.
    const signals = url.searchParams.get('events') === 'all';
    // The slot is taken only once `ws` has accepted the upgrade: one it refuses (no
    // Sec-WebSocket-Key, say) never calls back, so a slot taken before would never come back.
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const release = this.core.takeSlot(user.id);
      if (!release) return void ws.close(1008, 'Too many connections for this user');
      // A failure here (the database going away mid-handshake) must not become an unhandled
      // rejection, which would end the process: the client gets 1011 and reconnects.
      this.connected(ws, user, conversation, { errorFrames, signals }, release).catch((error: Error) => {
        this.logger.error(`room ${conversation.id}: could not start: ${error.message}`);
        if (ws.readyState === WebSocket.OPEN) ws.close(1011, 'Internal error, please reconnect');
        else ws.terminate();
      });
    });
  }

  private async connected(ws: WebSocket, user: AuthenticatedUser, conversation: ConversationView, options: RoomOptions, release: () => void): Promise<void> {
    const { errorFrames } = options;
    const connection = randomUUID();
    const closed = this.core.opened(user, connection, 'websocket');
    const alive = { value: true };
    (ws as WebSocket & { palaverAlive?: typeof alive }).palaverAlive = alive;
    ws.on('pong', () => (alive.value = true));
    let unsubscribe: (() => void) | null = null;
    // Nothing else may be written while the history goes out in fragments (a frame between two
    // fragments would break the message): sends and error frames wait for it.
    let historySent!: () => void;
    const afterHistory = new Promise<void>((resolve) => (historySent = resolve));
    // Paced by the user's message budget, the one REST and Socket.IO sends also draw on.
    const queue = new PacedSendQueue<RoomSend>(this.core.paceFor(user.id), this.config.realtime.sendQueueSize, async (send) => {
      await afterHistory;
      await this.store(ws, user, conversation, send, errorFrames);
    });
    const report = errorFrames ? (status: number, message: string) => void afterHistory.then(() => sendError(ws, status, message)) : null;
    ws.once('close', () => {
      queue.stop();
      unsubscribe?.();
      release();
      closed();
    });
    ws.on('error', () => ws.terminate());
    // Listening from the first moment: a client may send as soon as the socket opens, before its
    // history has gone out (an event without a listener would be lost). What it sends then is
    // queued, and stored once the history is out.
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const sends = this.parse(user, data, isBinary, report, options.signals ? (frame) => this.signal(ws, user, conversation, connection, frame, report) : null);
      // A client typing faster than the rate waits its turn; one flooding past the queue is cut off.
      if (sends.length && !queue.push(...sends)) ws.close(1008, 'Too many messages waiting; slow down');
    });

    // History first, then live messages; anything stored meanwhile is held back and sent after
    // the history, in id order, exactly once.
    await this.core.stream(conversation, {
      replay: (delivered) => this.sendHistory(ws, user, conversation, delivered),
      attach: (held) => {
        if (ws.readyState === WebSocket.OPEN) {
          for (const message of held) ws.send(JSON.stringify(toRoomMessage(message)));
          unsubscribe = this.core.subscribe({
            id: connection,
            conversationId: conversation.id,
            userId: user.id,
            signals: options.signals,
            close: (code, reason) => ws.close(code, reason),
            send: (frame) => {
              if (ws.readyState !== WebSocket.OPEN) return;
              coalesceWrites(tcpSocketOf(ws));
              ws.send(frame, { binary: false });
            },
          });
        }
        historySent();
      },
    });

  }

  /**
   * The first frame, `{"type": "message_history", "messages": [...]}`: the whole room as the
   * original sends it (at most its latest LIST_MAX_ITEMS), written as one WebSocket message in
   * fragments, a page of messages each, so memory holds one page. Reports the last id sent.
   */
  private async sendHistory(ws: WebSocket, user: AuthenticatedUser, conversation: ConversationView, delivered: (id: number) => void): Promise<void> {
    const { pages } = await this.chat.wholeHistory(user.id, { id: conversation.id }, 'room');
    const fragment = (data: string, fin: boolean) =>
      new Promise<void>((resolve, reject) => ws.send(data, { binary: false, fin }, (error) => (error ? reject(error) : resolve())));
    let sentAny = false;
    let separator = '{"type":"message_history","messages":[';
    for await (const page of pages) {
      if (ws.readyState !== WebSocket.OPEN) return;
      await fragment(separator + page.json, false);
      delivered(page.lastId);
      sentAny = true;
      separator = ',';
    }
    if (ws.readyState !== WebSocket.OPEN) return;
    await fragment(sentAny ? ']}' : `${separator}]}`, true);
  }

  /**
   * A client frame → the sends it asks for. As the original, a frame it cannot act on (not JSON,
   * no `message`, blank) gets no answer: logged, and reported only to clients that opened the
   * room with `?errors=1`. A message longer than a message may be is split into several.
   */
  private parse(
    user: AuthenticatedUser,
    data: RawData,
    isBinary: boolean,
    report: ((status: number, message: string) => void) | null,
    signal: ((frame: RoomFrames['typingIn'] | RoomFrames['readIn']) => void) | null,
  ): RoomSend[] {
    const ignore = (reason: string): RoomSend[] => {
      this.logger.debug(`user ${user.id}: frame ignored: ${reason}`);
      report?.(400, reason);
      return [];
    };
    if (isBinary) return ignore('Send text frames with JSON: {"message": "..."}');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return ignore('Frame is not valid JSON; send {"message": "..."}');
    }
    const type = typeof parsed === 'object' && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    if (signal && (type === 'typing' || type === 'read')) {
      const problem = signalProblem(parsed as Record<string, unknown>);
      if (problem) return ignore(problem);
      signal(parsed as RoomFrames['typingIn'] | RoomFrames['readIn']);
      return [];
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { message?: unknown }).message !== 'string') {
      return ignore('Frame must be a JSON object with a "message" string');
    }
    const { message, client_id: clientId, reply_to: replyTo } = parsed as RoomFrames['send'];
    if (clientId !== undefined && (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId))) {
      return ignore(CLIENT_ID_RULE);
    }
    if (replyTo !== undefined && replyTo !== null && !(Number.isSafeInteger(replyTo) && replyTo > 0)) return ignore('"reply_to" must be a message id');
    if (!message.trim()) return ignore('This field may not be blank.');
    // A long message split in parts answers `reply_to` with its first part.
    return splitLongMessage(message, MESSAGE_MAX_LENGTH).map((text, index) => ({ text, clientId: partClientId(clientId, index), replyTo: index === 0 ? (replyTo ?? null) : null }));
  }

  /**
   * A typing or read frame of a client that opted in. A read is answered with a `read` frame
   * carrying the caller's unread count (the others get theirs without it).
   */
  private signal(
    ws: WebSocket,
    user: AuthenticatedUser,
    conversation: ConversationView,
    connection: string,
    frame: RoomFrames['typingIn'] | RoomFrames['readIn'],
    report: ((status: number, message: string) => void) | null,
  ): void {
    const reference = { id: conversation.id };
    const work =
      frame.type === 'read'
        ? this.core.markRead(user, reference, frame.message, connection).then(({ marker, unread }) => {
            const answer: RoomFrames['read'] & { unread_count: number } = {
              type: 'read',
              conversation: conversation.id,
              user: { id: user.id, username: user.username },
              last_read_message: marker.messageId,
              unread_count: unread,
            };
            if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(answer));
          })
        : frame.typing === false
          ? this.core.stopTyping(user, reference)
          : this.core.startTyping(user, reference, connection);
    work.catch((error: unknown) => {
      const described = describeError(error);
      if (described.status >= 500) this.logger.error(`${frame.type} frame failed: ${(error as Error).stack ?? String(error)}`);
      report?.(described.status, described.message);
    });
  }

  private async store(ws: WebSocket, user: AuthenticatedUser, conversation: ConversationView, send: RoomSend, errorFrames: boolean): Promise<void> {
    // A send the budget has let through is stored even if the connection closes meanwhile (a flood
    // closed with 1008 right after it, say): it was accepted, as a REST request whose client left.
    try {
      // Membership is checked again by the store itself (the sender must still be a member).
      await this.core.send(user.id, { id: conversation.id }, send.text, send.clientId, { field: 'message', charged: true, replyTo: send.replyTo }, ({ message: stored, created }) => {
        // A repeated client_id stores nothing and so broadcasts nothing: the sender alone gets the
        // message stored the first time, as its confirmation (a retry after a reconnect needs one).
        if (!created && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(toRoomMessage(stored)));
      });
    } catch (caught) {
      if (caught instanceof ShuttingDownException) {
        // The room closes with 1012 (reconnect) in a moment; say why now to those who listen.
        if (errorFrames) sendError(ws, 503, caught.detail);
        return;
      }
      const described = describeError(caught);
      if (described.status >= 500) {
        this.logger.error(`frame failed: ${(caught as Error).stack ?? String(caught)}`);
        // Not stored: a client that hears no errors must not believe it was. 1011: reconnect.
        if (!errorFrames) return void ws.close(1011, 'Message not stored, please reconnect');
      } else this.logger.debug(`user ${user.id}: message refused: ${described.message}`);
      if (errorFrames) sendError(ws, described.status, described.message);
    }
  }

  /** Ping every connection; one that did not answer the previous ping is dead and dropped. */
  private beat(): void {
    for (const client of this.wss.clients) {
      const alive = (client as WebSocket & { palaverAlive?: { value: boolean } }).palaverAlive;
      if (!alive) continue;
      if (!alive.value) {
        client.terminate();
        continue;
      }
      alive.value = false;
      client.ping();
    }
  }
}
