import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { MESSAGE_METADATA } from '@nestjs/websockets/constants.js';
import { ChatGateway } from '../src/chat/realtime/chat.gateway.js';
import { clip, hostile, hostileKey, hostileString, Literal, serialise, type Value } from './support/hostile-values.js';
import { connected, connectSocket, openRoom, type RoomClient } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

/**
 * Property-based fuzzing of the real-time surfaces with the same hostile values as the HTTP
 * fuzzer: every Socket.IO event of the gateway (read from its `@SubscribeMessage` metadata, so a
 * new event is fuzzed too), an unknown event, and plain WebSocket room frames. Invariants: every
 * Socket.IO event is acknowledged within seconds, `ok: true` or an error with a 4xx status (never
 * a 5xx, never silence); every WebSocket frame is answered by the stored message or a 4xx error
 * frame; the connection stays open throughout; Object.prototype stays untouched.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const EVENTS: string[] = Object.getOwnPropertyNames(ChatGateway.prototype)
  .map((name) => Reflect.getMetadata(MESSAGE_METADATA, (ChatGateway.prototype as unknown as Record<string, object>)[name]) as string | undefined)
  .filter((event): event is string => typeof event === 'string');

/** The value a JSON client would send, own `__proto__` keys included (as JSON.parse makes them). */
function toJs(value: Value): unknown {
  if (value instanceof Literal) return Number(value.text);
  if (Array.isArray(value)) return value.map(toJs);
  if (value instanceof Map) {
    const object = {};
    for (const [key, item] of value) Object.defineProperty(object, key, { value: toJs(item), enumerable: true, writable: true, configurable: true });
    return object;
  }
  return value;
}

describe('fuzzing the real-time surfaces', () => {
  let t: TestApp;
  let owner: TestUser;
  let stranger: TestUser;
  let conversation: number;
  let roomName: string;
  let socket: Socket;
  let room: RoomClient;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await createUser(t, 'rtfuzzowner');
    stranger = await createUser(t, 'rtfuzzstranger');
    const created = await t.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${owner.access}`).send({ recipient: stranger.username }).expect(201);
    conversation = created.body.id;
    roomName = created.body.name;
    socket = connectSocket(t.baseUrl, owner.access);
    await connected(socket);
    room = await openRoom(t.baseUrl, `/ws/chat/${encodeURIComponent(roomName)}/?token=${owner.access}&errors=1`);
  });

  afterAll(async () => {
    socket?.disconnect();
    room?.ws.close();
    await t.close();
  });

  it('knows the gateway events', () => {
    expect(EVENTS.sort()).toEqual(['conversation:join', 'conversation:leave', 'conversation:read', 'message:send', 'typing:start', 'typing:stop']);
  });

  // Plausible fields, one of them replaced, or anything at all (including binary attachments).
  const conversationRef = () => fc.oneof(fc.constant<Value>(conversation), fc.constant<Value>(roomName), hostile);
  const payload = (): fc.Arbitrary<unknown> =>
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .record({
            conversation: conversationRef(),
            text: fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), hostile),
            client_id: fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), hostile), { nil: undefined }),
            after: fc.option(fc.oneof(fc.nat(), hostile), { nil: undefined }),
          })
          .chain((fields) =>
            fc.array(fc.tuple(hostileKey, hostile), { maxLength: 1 }).map((extra) => {
              const entries = Object.entries(fields).filter(([, v]) => v !== undefined) as [string, Value][];
              return toJs(new Map([...entries, ...extra]));
            }),
          ),
      },
      { weight: 2, arbitrary: hostile.map(toJs) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );

  it.each([...EVENTS, 'no:such:event'])('Socket.IO %s: always acknowledged, ok or a 4xx, the connection kept', async (event) => {
    await fc.assert(
      fc.asyncProperty(payload(), async (body) => {
        // Packets over 64 KiB close the connection by design (maxHttpBufferSize, tested elsewhere).
        fc.pre(Buffer.byteLength(JSON.stringify(body) ?? '') < 60_000);
        if (event === 'no:such:event') {
          // Unknown events get no acknowledgement; the connection must survive and still answer.
          socket.emit(event, body);
          const probe = (await socket.timeout(5000).emitWithAck('conversation:leave', { conversation })) as { ok: boolean };
          expect(probe.ok).toBe(true);
          return;
        }
        const ack = (await socket.timeout(5000).emitWithAck(event, body).catch((error: Error) => ({ timeout: error.message }))) as Record<string, unknown>;
        if ('timeout' in ack) throw new Error(`${event} not acknowledged for ${clip(JSON.stringify(body) ?? String(body))}`);
        if (ack.ok !== true) {
          const error = ack.error as { status?: number; message?: string } | undefined;
          if (!error || typeof error.status !== 'number' || error.status < 400 || error.status >= 500 || typeof error.message !== 'string') {
            throw new Error(`${event} answered ${clip(JSON.stringify(ack))} for ${clip(JSON.stringify(body) ?? String(body))}`);
          }
        }
        expect(socket.connected).toBe(true);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it('plain WebSocket frames: each answered with the stored message or a 4xx error frame, the connection kept', async () => {
    const frame = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .record({ message: fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), hostile), client_id: fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), hostile), { nil: undefined }) })
          .map((fields) => serialise(new Map(Object.entries(fields).filter(([, v]) => v !== undefined) as [string, Value][]))),
      },
      { weight: 2, arbitrary: hostile.map(serialise) },
      { weight: 1, arbitrary: hostileString },
    );
    await fc.assert(
      fc.asyncProperty(frame, fc.boolean(), async (text, binary) => {
        // Frames over 64 KiB close the connection with 1009 by design (tested elsewhere).
        fc.pre(Buffer.byteLength(text) < 60_000);
        const before = room.frames.length;
        room.ws.send(binary ? Buffer.from(text) : text, { binary });
        const deadline = Date.now() + 5000;
        while (room.frames.length === before) {
          if (Date.now() > deadline) throw new Error(`no answer to ${binary ? 'binary ' : ''}frame ${clip(text)}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const answer = room.frames[before];
        if (answer.type === 'error') {
          if (typeof answer.status !== 'number' || answer.status < 400 || answer.status >= 500) throw new Error(`error frame ${clip(JSON.stringify(answer))} for ${clip(text)}`);
        } else if (typeof answer.id !== 'number' || typeof answer.content !== 'string') {
          throw new Error(`unexpected frame ${clip(JSON.stringify(answer))} for ${clip(text)}`);
        }
        expect(room.ws.readyState).toBe(room.ws.OPEN);
      }),
      { numRuns: RUNS * 2, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it('left Object.prototype alone', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });
});
