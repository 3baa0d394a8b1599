import { io, type Socket } from 'socket.io-client';
// The server's own event map (type-only: nothing of the server is bundled). A payload change on
// the server breaks this package's type check instead of its users at run time.
import type { ClientEvents, ServerEvents } from '../../../src/chat/realtime/realtime-events.js';
import { Emitter } from './emitter.js';
import { PalaverError } from './errors.js';
import type { Session } from './session.js';

export type { ClientEvents, ServerEvents };

type ListenEvents = { [E in keyof ServerEvents]: (payload: ServerEvents[E]) => void };
type EmitEvents = { [E in keyof ClientEvents]: (payload: ClientEvents[E]['payload'], ack: (answer: ClientEvents[E]['ack']) => void) => void };
export type ChatSocket = Socket<ListenEvents, EmitEvents>;

/** A message as every real-time event and `/api/` route shows it. */
export type ChatMessage = ServerEvents['message:new'];
type Success<E extends keyof ClientEvents> = Extract<ClientEvents[E]['ack'], { ok: true }>;

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** What a {@link Realtime} connection emits: every server event (messages deduplicated) and its own state. */
export interface RealtimeEvents extends ServerEvents {
  connection: { state: ConnectionState; reason?: string };
}

export interface RealtimeOptions {
  /** Socket.IO path (default `/socket.io`). */
  path?: string;
  /** How long to wait for an acknowledgement before trying again (default 10 s). */
  ackTimeoutMs?: number;
  /** Attempts of one send or join before giving up (default: until it succeeds or is refused). */
  maxAttempts?: number;
  /** Transports to try (default: WebSocket, then long polling). */
  transports?: Array<'websocket' | 'polling'>;
  /** Looks up the id of a conversation's latest message (for joins without `after`). */
  latestMessageId?: (conversation: number) => Promise<number>;
}

/** Handshake refusals that a new access token can cure. */
const TOKEN_REFUSAL = /token|expired|authentication/i;
const MAX_BACKOFF_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A `client_id` for a send: 32 random hex digits. */
export function newClientId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The Socket.IO namespace `/chat`, made dependable: it authenticates with the session's access
 * token (refreshing it when the handshake says it expired), reconnects after drops and server
 * restarts, re-joins every joined conversation with `after` = the last message id it delivered
 * (so nothing is missed and nothing delivered twice), and retries sends with one `client_id`
 * until the server acknowledges them (stored exactly once, by the server's idempotency).
 */
export class Realtime extends Emitter<RealtimeEvents> {
  readonly socket: ChatSocket;
  /** Conversations asked for → id of the last message delivered (or the `after` they were joined with). */
  private readonly lastSeen = new Map<number, number>();
  /** Conversations whose join the server acknowledged: re-joined after every reconnection. */
  private readonly joined = new Set<number>();
  private state: ConnectionState = 'connecting';
  private closed = false;
  private failures = 0;
  private readonly ackTimeoutMs: number;
  private readonly maxAttempts: number;

  constructor(
    baseUrl: string,
    private readonly session: Session,
    private readonly options: RealtimeOptions = {},
  ) {
    super();
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
    this.socket = io(`${baseUrl}/chat`, {
      path: options.path,
      transports: options.transports ?? ['websocket', 'polling'],
      // One connection per client, never shared with another login's.
      forceNew: true,
      // Asked again on every attempt, so a reconnection carries the current (refreshed) token.
      auth: (callback) => {
        this.session.access().then(
          (token) => callback({ token }),
          () => callback({}),
        );
      },
    });
    this.wire();
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Conversation ids this connection follows, with the last message id delivered of each. */
  get conversations(): ReadonlyMap<number, number> {
    return new Map([...this.joined].map((id) => [id, this.lastSeen.get(id) ?? 0]));
  }

  /**
   * Follows a conversation: its new messages arrive as `message:new`. With `after`, every newer
   * message is delivered first; without it, messages from now on (the latest id is looked up, so
   * that a reconnection can catch up from there). After a reconnection it is re-joined by itself.
   */
  async join(conversation: number, options: { after?: number } = {}): Promise<Success<'conversation:join'>['conversation']> {
    const known = this.lastSeen.get(conversation);
    const after = options.after ?? known ?? (this.options.latestMessageId ? await this.options.latestMessageId(conversation) : undefined);
    if (after !== undefined) this.lastSeen.set(conversation, Math.max(after, this.lastSeen.get(conversation) ?? 0));
    const ack = await this.request('conversation:join', after === undefined ? { conversation } : { conversation, after: this.lastSeen.get(conversation) });
    this.joined.add(conversation);
    return ack.conversation;
  }

  async leave(conversation: number): Promise<void> {
    this.forget(conversation);
    if (this.socket.connected) await this.request('conversation:leave', { conversation }, 1).catch(() => undefined);
  }

  /** Stores a message exactly once: one `client_id`, sent again until acknowledged. */
  async send(conversation: number, text: string, options: { replyTo?: number; clientId?: string } = {}): Promise<ChatMessage> {
    const payload: ClientEvents['message:send']['payload'] = { conversation, text, client_id: options.clientId ?? newClientId() };
    if (options.replyTo !== undefined) payload.reply_to = options.replyTo;
    return (await this.request('message:send', payload)).message;
  }

  /** Moves the caller's read marker to `message` (default: the latest). */
  async read(conversation: number, message?: number): Promise<{ last_read_message: number | null; unread_count: number }> {
    const { last_read_message, unread_count } = await this.request('conversation:read', message === undefined ? { conversation } : { conversation, message }, 3);
    return { last_read_message, unread_count };
  }

  /** Says the caller is typing (renew within 6 s) or stopped. Best effort: never retried. */
  typing(conversation: number, typing: boolean): void {
    if (this.socket.connected) this.socket.emit(typing ? 'typing:start' : 'typing:stop', { conversation }, () => undefined);
  }

  close(): void {
    this.closed = true;
    this.socket.disconnect();
    this.setState('closed');
  }

  /**
   * Emits once connected and waits for the acknowledgement; a timeout, a dropped connection or a
   * retryable refusal (429 after its `retry_after`, 5xx) tries again with the same payload.
   */
  private async request<E extends keyof ClientEvents>(event: E, payload: ClientEvents[E]['payload'], attempts = this.maxAttempts): Promise<Success<E>> {
    for (let attempt = 1; ; attempt++) {
      await this.connected();
      let answer: ClientEvents[E]['ack'];
      try {
        // socket.io-client's typings cannot follow a generic event name; the map above is the contract.
        answer = await (this.socket.timeout(this.ackTimeoutMs) as unknown as { emitWithAck(event: E, payload: unknown): Promise<ClientEvents[E]['ack']> }).emitWithAck(event, payload);
      } catch (error) {
        if (this.closed) throw new PalaverError(0, 'Connection closed');
        if (attempt >= attempts) throw new PalaverError(0, `No acknowledgement of ${event}: ${(error as Error).message}`);
        continue;
      }
      if (answer.ok) return answer as Success<E>;
      const failure = new PalaverError(answer.error.status, answer.error.message, answer.error);
      if (!failure.retryable || attempt >= attempts) throw failure;
      await sleep(answer.error.retry_after ? answer.error.retry_after * 1000 : Math.min(250 * 2 ** attempt, MAX_BACKOFF_MS));
    }
  }

  private connected(): Promise<void> {
    if (this.closed) return Promise.reject(new PalaverError(0, 'Connection closed'));
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.on('connection', ({ state }) => {
        if (state === 'connected') {
          off();
          resolve();
        } else if (state === 'closed') {
          off();
          reject(new PalaverError(0, 'Connection closed'));
        }
      });
    });
  }

  private setState(state: ConnectionState, reason?: string): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('connection', reason === undefined ? { state } : { state, reason });
  }

  private wire(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      this.failures = 0;
      // Re-join before anyone else emits, so that catch-up comes first.
      for (const conversation of this.joined) this.rejoin(conversation);
      this.setState('connected');
    });
    socket.on('disconnect', (reason) => {
      if (this.closed) return;
      this.setState('reconnecting', reason);
      // The server ended the connection (a restart or a drain): Socket.IO does not come back by itself.
      if (reason === 'io server disconnect') this.retryLater();
    });
    socket.on('connect_error', (error) => {
      if (this.closed) return;
      this.setState('reconnecting', error.message);
      if (socket.active) return; // a transport failure: Socket.IO retries with its own backoff
      // Refused by the server's handshake check.
      if (TOKEN_REFUSAL.test(error.message) && this.session.loggedIn) {
        const stale = this.session.tokens?.access;
        this.session.refresh(stale).then(
          () => this.retryLater(),
          (refusal: unknown) => {
            if (refusal instanceof PalaverError && refusal.status === 401) this.close();
            else this.retryLater();
          },
        );
        return;
      }
      this.retryLater();
    });
    this.session.on('logout', () => this.close());

    socket.on('message:new', (message) => {
      const last = this.lastSeen.get(message.conversation);
      if (last !== undefined && message.id <= last) return; // already delivered (a replay overlapping live delivery)
      this.lastSeen.set(message.conversation, message.id);
      this.emit('message:new', message);
    });
    socket.on('conversation:removed', (notice) => {
      this.forget(notice.conversation);
      this.emit('conversation:removed', notice);
    });
    socket.on('server:shutdown', (notice) => this.emit('server:shutdown', notice));
    socket.on('message:updated', (message) => this.emit('message:updated', message));
    socket.on('message:deleted', (notice) => this.emit('message:deleted', notice));
    socket.on('message:reactions', (notice) => this.emit('message:reactions', notice));
    socket.on('conversation:new', (conversation) => this.emit('conversation:new', conversation));
    socket.on('conversation:updated', (conversation) => this.emit('conversation:updated', conversation));
    socket.on('conversation:read', (notice) => this.emit('conversation:read', notice));
    socket.on('typing', (notice) => this.emit('typing', notice));
    socket.on('presence', (notice) => this.emit('presence', notice));
  }

  private rejoin(conversation: number): void {
    const after = this.lastSeen.get(conversation);
    this.request('conversation:join', after === undefined ? { conversation } : { conversation, after }).catch((error: unknown) => {
      // Removed meanwhile, or the conversation is gone: stop following it.
      if (error instanceof PalaverError && (error.status === 403 || error.status === 404)) {
        this.forget(conversation);
        this.emit('conversation:removed', { conversation });
      }
    });
  }

  private forget(conversation: number): void {
    this.joined.delete(conversation);
    this.lastSeen.delete(conversation);
  }

  private retryLater(): void {
    const delay = Math.min(500 * 2 ** this.failures++, MAX_BACKOFF_MS) * (0.5 + Math.random() / 2);
    setTimeout(() => {
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, delay);
  }
}
