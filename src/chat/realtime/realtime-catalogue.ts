import { CLIENT_ID_PATTERN, MESSAGE_MAX_LENGTH } from '../chat.limits.js';
import { ROOM_NAME_PATTERN } from '../room-names.js';
import type { ClientEvents, RoomFrames, ServerEvents } from './realtime-events.js';

/**
 * The real-time API as data, for the AsyncAPI document (src/openapi/asyncapi.ts): every Socket.IO
 * event and WebSocket room frame with a JSON Schema of its payload. Each map `satisfies` a record
 * over the keys of the typed event maps in realtime-events.ts, so an event added to (or removed
 * from) the types without being described here does not compile; a test checks the gateway's
 * handlers against CLIENT_EVENTS.
 */
export type JsonSchema = Record<string, unknown>;

export interface EventDoc {
  summary: string;
  payload: JsonSchema;
  /** The acknowledgement's schema (client → server events). */
  ack?: JsonSchema;
}

/** A schema of the OpenAPI document's components (REST and real time share them). */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const object = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false });
const nullable = (schema: JsonSchema): JsonSchema => ({ oneOf: [schema, { type: 'null' }] });

const conversationRef: JsonSchema = {
  description: 'A conversation id, or a room name',
  oneOf: [
    { type: 'integer', minimum: 1, maximum: 2147483647 },
    { type: 'string', pattern: ROOM_NAME_PATTERN.source },
  ],
};
const messageId: JsonSchema = { type: 'integer', minimum: 1 };
const actor = object({ id: { type: 'integer' }, username: { type: 'string' } });
const reactions: JsonSchema = { type: 'array', items: ref('ReactionDto') };

/** `{ok: true, ...result}` or `{ok: false, error: {status, message, retry_after?}}`. */
function ack(result: Record<string, JsonSchema>): JsonSchema {
  return {
    oneOf: [
      object({ ok: { const: true }, ...result }),
      object({
        ok: { const: false },
        error: object({ status: { type: 'integer', description: 'HTTP-like: 400, 403, 404, 429, 503' }, message: { type: 'string' }, retry_after: { type: 'integer', description: 'With 429: seconds until the budget allows one more' } }, ['status', 'message']),
      }),
    ],
  };
}

export const CLIENT_EVENTS = {
  'conversation:join': {
    summary: "Join a conversation's live stream; with `after`, every newer message is replayed first (no gap, no duplicate)",
    payload: object({ conversation: conversationRef, after: { type: 'integer', minimum: 0 } }, ['conversation']),
    ack: ack({ conversation: ref('ConversationDto') }),
  },
  'conversation:leave': { summary: "Stop receiving a conversation's live messages", payload: object({ conversation: conversationRef }), ack: ack({ conversation: object({ id: { type: 'integer' } }) }) },
  'message:send': {
    summary: 'Store a message (idempotent with client_id) and broadcast it',
    payload: object(
      {
        conversation: conversationRef,
        text: { type: 'string', minLength: 1, maxLength: MESSAGE_MAX_LENGTH * 2, description: `1 to ${MESSAGE_MAX_LENGTH} characters once trimmed` },
        client_id: { type: 'string', pattern: CLIENT_ID_PATTERN.source },
        reply_to: nullable(messageId),
      },
      ['conversation', 'text'],
    ),
    ack: ack({ message: ref('ApiMessageDto') }),
  },
  'conversation:read': {
    summary: "Move the caller's read marker (default: the latest message); markers only move forward",
    payload: object({ conversation: conversationRef, message: messageId }, ['conversation']),
    ack: ack({ last_read_message: nullable(messageId), unread_count: { type: 'integer', minimum: 0 } }),
  },
  'typing:start': { summary: 'The caller is typing; renew within 6 s or it ends by itself', payload: object({ conversation: conversationRef }), ack: ack({}) },
  'typing:stop': { summary: 'The caller stopped typing', payload: object({ conversation: conversationRef }), ack: ack({}) },
} satisfies Record<keyof ClientEvents, EventDoc>;

export const SERVER_EVENTS = {
  'message:new': { summary: 'A message of a joined conversation (replayed or live)', payload: ref('ApiMessageDto') },
  'message:updated': { summary: 'A message of a joined conversation was edited (the whole message)', payload: ref('ApiMessageDto') },
  'message:deleted': { summary: 'A message of a joined conversation was deleted', payload: object({ conversation: { type: 'integer' }, id: messageId }) },
  'message:reactions': { summary: "A message's reactions changed (all of them)", payload: object({ conversation: { type: 'integer' }, id: messageId, reactions }) },
  'conversation:new': { summary: 'A conversation including you was created, or you were added to a group (to user:<id>)', payload: ref('ConversationDto') },
  'conversation:updated': {
    summary: "A group's title, members or roles changed (to every member)",
    payload: object({ id: { type: 'integer' }, title: nullable({ type: 'string' }), participants: { type: 'array', items: ref('ParticipantDto') } }),
  },
  'conversation:removed': { summary: 'You left or were removed: your access has ended', payload: object({ conversation: { type: 'integer' } }) },
  'conversation:read': { summary: "A member's read marker moved (to every member but the connection that read)", payload: object({ conversation: { type: 'integer' }, user: actor, last_read_message: nullable(messageId) }) },
  typing: { summary: 'Another member started or stopped typing', payload: object({ conversation: { type: 'integer' }, user: actor, typing: { type: 'boolean' } }) },
  presence: { summary: 'A contact came online or went offline', payload: object({ user: actor, online: { type: 'boolean' }, last_seen: { type: 'string', format: 'date-time' } }) },
  'server:shutdown': { summary: 'The server is shutting down: reconnect (elsewhere) after a moment', payload: object({ reconnect: { const: true } }) },
} satisfies Record<keyof ServerEvents, EventDoc>;

const roomMessage = { id: messageId, user: { type: 'string', description: "The sender's username" }, content: { type: 'string' }, timestamp: { type: 'string', format: 'date-time' } };
const opted = ' Only on connections opened with `?events=all`.';

/** Frames of the plain WebSocket rooms, keyed as RoomFrames; `direction` says who sends them. */
export const ROOM_FRAMES = {
  history: { summary: 'First frame: the whole room (at most its latest LIST_MAX_ITEMS), oldest first, deleted messages left out', direction: 'receive', payload: object({ type: { const: 'message_history' }, messages: { type: 'array', items: object(roomMessage) } }) },
  message: { summary: 'A new message of the room (also the sender’s confirmation)', direction: 'receive', payload: object(roomMessage) },
  error: { summary: 'Only with `?errors=1`: a frame the server could not act on; the connection stays open', direction: 'receive', payload: object({ type: { const: 'error' }, status: { type: 'integer' }, message: { type: 'string' } }) },
  send: {
    summary: 'Send a message (longer than 4,000 characters: split into several)',
    direction: 'send',
    payload: object({ message: { type: 'string', minLength: 1 }, client_id: { type: 'string', pattern: CLIENT_ID_PATTERN.source }, reply_to: nullable(messageId) }, ['message']),
  },
  typing: { summary: `Another member is typing (or stopped).${opted}`, direction: 'receive', payload: object({ type: { const: 'typing' }, conversation: { type: 'integer' }, user: actor, typing: { type: 'boolean' } }) },
  read: {
    summary: `A member's read marker moved; the reader's own connection gets it with its unread_count.${opted}`,
    direction: 'receive',
    payload: object({ type: { const: 'read' }, conversation: { type: 'integer' }, user: actor, last_read_message: nullable(messageId), unread_count: { type: 'integer' } }, ['type', 'conversation', 'user', 'last_read_message']),
  },
  presence: { summary: `A member of the room came online or went offline.${opted}`, direction: 'receive', payload: object({ type: { const: 'presence' }, user: actor, online: { type: 'boolean' }, last_seen: { type: 'string', format: 'date-time' } }) },
  messageUpdated: { summary: `A message of the room was edited.${opted}`, direction: 'receive', payload: object({ type: { const: 'message_updated' }, ...roomMessage, edited_at: nullable({ type: 'string', format: 'date-time' }) }) },
  messageDeleted: { summary: `A message of the room was deleted.${opted}`, direction: 'receive', payload: object({ type: { const: 'message_deleted' }, id: messageId }) },
  reactions: { summary: `A message's reactions changed.${opted}`, direction: 'receive', payload: object({ type: { const: 'reactions' }, id: messageId, reactions }) },
  typingIn: { summary: `The caller is typing (\`"typing": false\` stops it).${opted}`, direction: 'send', payload: object({ type: { const: 'typing' }, typing: { type: 'boolean' } }, ['type']) },
  readIn: { summary: `Read up to a message (default: the latest).${opted}`, direction: 'send', payload: object({ type: { const: 'read' }, message: nullable(messageId) }, ['type']) },
} satisfies Record<keyof RoomFrames, EventDoc & { direction: 'send' | 'receive' }>;
