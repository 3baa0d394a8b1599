import type { Namespace, Socket } from 'socket.io';
import type { MessageView } from '../chat.types.js';
import type { ApiMessageDto, ConversationDto, ConversationNoticeDto, ReactionDto } from '../http/dto/api-chat.dto.js';

/**
 * A refused request: an HTTP-like status and a sentence; with status 429, `retry_after` says how
 * many seconds until the user's budget allows one more.
 */
export interface AckFailure {
  ok: false;
  error: { status: number; message: string; retry_after?: number };
}

/** An acknowledgement: the result, or an error with an HTTP-like status. */
export type Ack<T> = ({ ok: true } & T) | AckFailure;

/** Client → server events of the Socket.IO namespace `/chat`: payload and acknowledgement. */
export interface ClientEvents {
  /** Join a conversation's live stream; with `after`, first replays every newer message. */
  'conversation:join': { payload: { conversation: number | string; after?: number }; ack: Ack<{ conversation: ConversationDto }> };
  'conversation:leave': { payload: { conversation: number | string }; ack: Ack<{ conversation: { id: number } }> };
  /** Store a message (idempotent with `client_id`) and broadcast it. */
  'message:send': { payload: { conversation: number | string; text: string; client_id?: string; reply_to?: number }; ack: Ack<{ message: ApiMessageDto }> };
  /** Move the caller's read marker to `message` (default: the latest); markers only move forward. */
  'conversation:read': { payload: { conversation: number | string; message?: number }; ack: Ack<{ last_read_message: number | null; unread_count: number }> };
  /** The caller is typing: the other members get `typing` (true). Renew within 6 s, or it ends by itself. */
  'typing:start': { payload: { conversation: number | string }; ack: Ack<object> };
  /** The caller stopped typing: the other members get `typing` (false). */
  'typing:stop': { payload: { conversation: number | string }; ack: Ack<object> };
}

/** Who a real-time notice is about. */
export interface ActorDto {
  id: number;
  username: string;
}

/** A member's read marker moved (sent to the other members and the reader's other connections). */
export interface ReadNotice {
  conversation: number;
  user: ActorDto;
  last_read_message: number | null;
}

/** A member started or stopped typing (sent to the other members). */
export interface TypingNotice {
  conversation: number;
  user: ActorDto;
  typing: boolean;
}

/** A contact came online or went offline. */
export interface PresenceNotice {
  user: ActorDto;
  online: boolean;
  /** ISO 8601: now when online; when the last connection closed when offline. */
  last_seen: string;
}

/** Server → client events. */
export interface ServerEvents {
  /** A message of a joined conversation (replayed or live), in the `/api/` message shape. */
  'message:new': ApiMessageDto;
  /** A message of a joined conversation was edited: the whole message as it now is. */
  'message:updated': ApiMessageDto;
  /** A message of a joined conversation was deleted (its place stays; show it as deleted). */
  'message:deleted': { conversation: number; id: number };
  /** The reactions of a message of a joined conversation changed: all of them, as they now are. */
  'message:reactions': { conversation: number; id: number; reactions: ReactionDto[] };
  /** Sent to `user:<id>` when a conversation including the user is created, or the user is added to a group. */
  'conversation:new': ConversationDto;
  /** Sent to every member's `user:<id>` when a group's title, members or roles change. */
  'conversation:updated': ConversationNoticeDto;
  /** Sent to `user:<id>` of people who left or were removed: their access has ended. */
  'conversation:removed': { conversation: number };
  /** The server is shutting down; reconnect (to another instance) after a moment. */
  'server:shutdown': { reconnect: true };
  /** Sent to `user:<id>` of every member but the reader's own connection. */
  'conversation:read': ReadNotice;
  /** Sent to `user:<id>` of the other members. */
  typing: TypingNotice;
  /** Sent to `user:<id>` of the user's contacts (people sharing a conversation with them, and friends). */
  presence: PresenceNotice;
}

export type ClientEventName = keyof ClientEvents;

/** Plain WebSocket frames of `/ws/chat/<room>/` (and `/messenger/ws/ws/chat/<room>/`). */
export interface RoomFrames {
  /** First frame after the upgrade: the whole room (at most its latest LIST_MAX_ITEMS), oldest first. */
  history: { type: 'message_history'; messages: Array<{ id: number; user: string; content: string; timestamp: string }> };
  /** Every new message of the room. */
  message: { id: number; user: string; content: string; timestamp: string };
  /** Only with `?errors=1`: a frame the server could not act on; the connection stays open. */
  error: { type: 'error'; status: number; message: string };
  /** What a client sends. */
  send: { message: string; client_id?: string; reply_to?: number | null };
  /** Only with `?events=all`: another member is typing (or stopped). */
  typing: { type: 'typing' } & TypingNotice;
  /** Only with `?events=all`: a member's read marker moved. */
  read: { type: 'read' } & ReadNotice;
  /** Only with `?events=all`: a member of the room came online or went offline. */
  presence: { type: 'presence' } & PresenceNotice;
  /** Only with `?events=all`: a message of the room was edited. */
  messageUpdated: { type: 'message_updated'; id: number; user: string; content: string; timestamp: string; edited_at: string | null };
  /** Only with `?events=all`: a message of the room was deleted. */
  messageDeleted: { type: 'message_deleted'; id: number };
  /** Only with `?events=all`: the reactions of a message of the room changed. */
  reactions: { type: 'reactions'; id: number; reactions: ReactionDto[] };
  /** Only with `?events=all`, from the client: typing (`"typing": false` stops it). */
  typingIn: { type: 'typing'; typing?: boolean };
  /** Only with `?events=all`, from the client: read up to `message` (default: the latest). */
  readIn: { type: 'read'; message?: number };
}

/** A notice for the plain WebSocket rooms that opted in (`?events=all`), on every instance. */
export interface RoomSignal {
  conversationIds: number[];
  frame: RoomFrames['typing'] | RoomFrames['read'] | RoomFrames['presence'] | RoomFrames['messageUpdated'] | RoomFrames['messageDeleted'] | RoomFrames['reactions'];
  /** Not to this user's connections (their own typing or presence). */
  exceptUserId?: number;
  /** Not to this connection (the one a read came from). */
  exceptConnection?: string;
  /** Not to these users' connections (people the actor has blocked). */
  hiddenFrom?: number[];
}

/** Name of the inter-instance event carrying one stored message (Socket.IO adapter serverSideEmit); still read, from instances of earlier versions. */
export const CLUSTER_MESSAGE_EVENT = 'palaver:message-created';
/** The inter-instance event carrying the messages stored in one tick, in order (one publish for a stored batch). */
export const CLUSTER_MESSAGES_EVENT = 'palaver:messages-created';
/** Between instances: an account was deleted; close its plain WebSocket rooms too. */
export const CLUSTER_ACCOUNT_DELETED_EVENT = 'palaver:account-deleted';
/** Between instances: a typing, read or presence notice for the plain WebSocket rooms. */
export const CLUSTER_ROOM_SIGNAL_EVENT = 'palaver:room-signal';
/** Between instances: people left a conversation; close their plain WebSocket rooms of it. */
export const CLUSTER_MEMBERS_REMOVED_EVENT = 'palaver:members-removed';

/** A stored message as it travels between instances (JSON: the date as ISO text). */
export type WireMessage = Omit<MessageView, 'createdAt'> & { createdAt: string };

/** Events between instances, through the adapter. */
export interface ClusterEvents {
  [CLUSTER_MESSAGE_EVENT]: WireMessage;
  [CLUSTER_MESSAGES_EVENT]: WireMessage[];
  [CLUSTER_ACCOUNT_DELETED_EVENT]: number;
  [CLUSTER_ROOM_SIGNAL_EVENT]: RoomSignal;
  [CLUSTER_MEMBERS_REMOVED_EVENT]: { conversationId: number; userIds: number[] };
}

/** An event map in Socket.IO's form (one listener signature per event). */
type Listeners<M> = { [E in keyof M]: (payload: M[E]) => void };
type ClientListeners = { [E in keyof ClientEvents]: (payload: ClientEvents[E]['payload'], ack: (answer: ClientEvents[E]['ack']) => void) => void };

/** The `/chat` namespace typed by the maps above: emitting an unknown event or a wrong payload does not compile. */
export type ChatNamespace = Namespace<ClientListeners, Listeners<ServerEvents>, Listeners<ClusterEvents>>;
export type ChatSocket = Socket<ClientListeners, Listeners<ServerEvents>, Listeners<ClusterEvents>>;
