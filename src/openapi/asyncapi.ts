import type { OpenAPIObject } from '@nestjs/swagger';
import { dump } from 'js-yaml';
import { CLIENT_EVENTS, ROOM_FRAMES, SERVER_EVENTS, type EventDoc, type JsonSchema } from '../chat/realtime/realtime-catalogue.js';

/** An AsyncAPI component key: event names have `:`, which keys may not. */
const keyOf = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

/** OpenAPI 3.0 schemas to JSON Schema: `nullable: true` becomes a `null` alternative. */
function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (!value || typeof value !== 'object') return value;
  const { nullable, ...rest } = value as Record<string, unknown> & { nullable?: boolean };
  const converted = Object.fromEntries(Object.entries(rest).map(([key, child]) => [key, key === 'example' ? child : toJsonSchema(child)]));
  if (!nullable) return converted;
  if (typeof converted.type === 'string') return { ...converted, type: [converted.type, 'null'] };
  return { oneOf: [converted, { type: 'null' }] };
}

function message(name: string, doc: EventDoc): Record<string, unknown> {
  return { name, title: name, summary: doc.summary, contentType: 'application/json', payload: doc.payload };
}

const channelRef = (channel: string) => ({ $ref: `#/channels/${channel}` });
const messageRef = (channel: string, key: string) => ({ $ref: `#/channels/${channel}/messages/${key}` });

/**
 * The AsyncAPI 3 document of Palaver's real-time API, built from the same catalogue as the
 * typed event maps (src/chat/realtime/realtime-catalogue.ts) and with the OpenAPI document's
 * schemas, so REST and real time describe one message shape once.
 */
export function buildAsyncApiDocument(openapi: OpenAPIObject): Record<string, unknown> {
  const chatMessages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const [name, doc] of Object.entries(CLIENT_EVENTS) as Array<[string, EventDoc]>) {
    chatMessages[keyOf(name)] = message(name, doc);
    chatMessages[`${keyOf(name)}_ack`] = { name: `${name} (ack)`, title: `${name} acknowledgement`, summary: `The acknowledgement of ${name}`, contentType: 'application/json', payload: doc.ack };
    operations[`send_${keyOf(name)}`] = {
      action: 'send',
      channel: channelRef('chat'),
      summary: doc.summary,
      messages: [messageRef('chat', keyOf(name))],
      reply: { channel: channelRef('chat'), messages: [messageRef('chat', `${keyOf(name)}_ack`)] },
    };
  }
  for (const [name, doc] of Object.entries(SERVER_EVENTS) as Array<[string, EventDoc]>) {
    chatMessages[keyOf(name)] = message(name, doc);
    operations[`receive_${keyOf(name)}`] = { action: 'receive', channel: channelRef('chat'), summary: doc.summary, messages: [messageRef('chat', keyOf(name))] };
  }
  const roomMessages = Object.fromEntries(Object.entries(ROOM_FRAMES).map(([name, doc]) => [keyOf(name), message(name, doc)]));
  for (const channel of ['room', 'messengerRoom']) {
    for (const [name, doc] of Object.entries(ROOM_FRAMES)) {
      operations[`${channel}_${doc.direction}_${keyOf(name)}`] = { action: doc.direction, channel: channelRef(channel), summary: doc.summary, messages: [messageRef(channel, keyOf(name))] };
    }
  }
  const roomQuery = {
    type: 'object',
    properties: {
      token: { type: 'string', description: 'The access token (or an `Authorization: Bearer` header)' },
      errors: { type: 'string', enum: ['1'], description: 'Report frames the server cannot act on as `error` frames' },
      events: { type: 'string', enum: ['all'], description: 'Also typing, read, presence, edit, deletion and reaction frames' },
    },
  };
  const room = (address: string, title: string) => ({
    address,
    title,
    description:
      'A plain WebSocket (RFC 6455) to one chat room, on the same port as HTTP. A missing or bad token (401), or a room the caller is not in (404), refuses the upgrade. ' +
      'Closes: 1008 too many frames waiting for the send budget, 1009 a frame over 64 KiB, 1011 a message not stored (reconnect), 1012 server restarting (reconnect), 4401 account deleted, 4403 no longer a member.',
    parameters: { room: { description: 'The room name (`/messenger/api/user/chatrooms/` lists them)' } },
    messages: roomMessages,
    bindings: { ws: { query: roomQuery, bindingVersion: '0.1.0' } },
  });
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Palaver real time',
      version: '1',
      description:
        'Socket.IO namespace `/chat` (events with acknowledgements) and the plain WebSocket rooms of the `/messenger/` contract. ' +
        'Schemas under components are those of the REST API (openapi.json). Every error acknowledgement is `{ok: false, error: {status, message}}`; nothing drops the connection.',
    },
    defaultContentType: 'application/json',
    servers: {
      palaver: { host: 'localhost:3000', protocol: 'ws', description: 'Any Palaver instance (same host and port as the HTTP API)', security: [{ $ref: '#/components/securitySchemes/accessToken' }] },
    },
    channels: {
      chat: {
        address: '/socket.io/',
        title: 'Socket.IO namespace /chat',
        description:
          'Connect with socket.io-client to `<host>/chat` and the access token in `auth.token` (or an `Authorization: Bearer` header, or `?token=`). ' +
          'A missing, invalid, expired or refresh token fails the handshake with a `connect_error` saying why. Each socket is in `user:<id>`, and in `conversation:<id>` for each conversation it joined.',
        messages: chatMessages,
      },
      room: room('/ws/chat/{room}/', 'WebSocket room (the path web clients open)'),
      messengerRoom: room('/messenger/ws/ws/chat/{room}/', 'WebSocket room (the contract path)'),
    },
    operations,
    components: {
      schemas: toJsonSchema(openapi.components?.schemas ?? {}) as Record<string, JsonSchema>,
      securitySchemes: { accessToken: { type: 'httpApiKey', name: 'token', in: 'query', description: 'The access token of `/login/`, `/api/token/` or `/accounts/api/token/` (Socket.IO also takes it as `auth.token` or a Bearer header)' } },
    },
  };
}

/** The document as YAML, as committed (`asyncapi.yaml`) and served (`/docs/realtime`). */
export function renderAsyncApiYaml(openapi: OpenAPIObject): string {
  return dump(buildAsyncApiDocument(openapi), { noRefs: true, lineWidth: 120, sortKeys: false });
}
