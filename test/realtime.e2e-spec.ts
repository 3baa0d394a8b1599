import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';
import { ChatService } from '../src/chat/chat.service.js';
import { collect, connected, connectError, connectSocket, openRoom, request, waitUntil } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

describe('real time: Socket.IO /chat and plain WebSocket rooms', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let mallory: TestUser;
  let conversation: number;
  let room: string;
  const sockets: Socket[] = [];

  const socketFor = async (user: TestUser) => {
    const socket = connectSocket(t.baseUrl, user.access);
    sockets.push(socket);
    await connected(socket);
    return socket;
  };

  beforeAll(async () => {
    t = await startTestApp();
    alice = await createUser(t, 'alice');
    bob = await createUser(t, 'bob');
    mallory = await createUser(t, 'mallory');
    const created = await t.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${alice.access}`).send({ recipient: bob.username }).expect(201);
    conversation = created.body.id;
    room = created.body.name;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await t.close();
  });

  describe('handshake', () => {
    const expired = () => jwt.sign({ typ: 'access', sid: 's' }, SECRET, { algorithm: 'HS256', issuer: 'palaver', audience: 'palaver-api', subject: String(alice.id), expiresIn: -60, jwtid: 'j' });

    it.each([
      ['no token', () => null, 'Authentication required'],
      ['a garbage token', () => 'nope', 'Token is invalid or expired'],
      ['a refresh token', () => alice.refresh, 'Token has wrong type'],
      ['an expired token', expired, 'Token is expired'],
    ])('refuses %s with a connect_error saying why', async (_name, token, reason) => {
      const socket = connectSocket(t.baseUrl, token());
      sockets.push(socket);
      expect(await connectError(socket)).toContain(reason);
    });

    it('accepts the token as auth.token, a Bearer header or ?token=', async () => {
      for (const socket of [
        connectSocket(t.baseUrl, alice.access),
        connectSocket(t.baseUrl, null, { headers: { Authorization: `Bearer ${alice.access}` } }),
        connectSocket(t.baseUrl, null, { query: { token: alice.access } }),
      ]) {
        sockets.push(socket);
        await connected(socket);
        socket.disconnect();
      }
    });
  });

  describe('Socket.IO events', () => {
    it('joins by id or room name and leaves', async () => {
      const socket = await socketFor(alice);
      const byId = await request(socket, 'conversation:join', { conversation });
      expect(byId).toEqual({ ok: true, conversation: expect.objectContaining({ id: conversation, participants: expect.any(Array), messages: [] }) });
      const byName = await request(socket, 'conversation:join', { conversation: room });
      expect(byName.ok && byName.conversation.id).toBe(conversation);
      expect(await request(socket, 'conversation:leave', { conversation })).toEqual({ ok: true, conversation: { id: conversation } });
    });

    it('answers bad payloads, unknown and foreign conversations in the ack and keeps the connection', async () => {
      const socket = await socketFor(mallory);
      expect(await request(socket, 'conversation:join', { conversation })).toEqual({ ok: false, error: { status: 404, message: 'Conversation not found' } });
      expect(await request(socket, 'conversation:join', { conversation: room })).toEqual({ ok: false, error: { status: 404, message: 'Chat room not found' } });
      expect(await request(socket, 'conversation:join', { conversation: 2147483647 })).toMatchObject({ ok: false, error: { status: 404 } });
      for (const bad of [null, 'text', [], { conversation: -1 }, { conversation: {} }, { conversation: 1, after: 'x' }]) {
        expect(await request(socket, 'conversation:join', bad)).toMatchObject({ ok: false, error: { status: 400 } });
      }
      expect(await request(socket, 'message:send', { conversation, text: 'let me in' })).toMatchObject({ ok: false, error: { status: 404 } });
      expect(await request(socket, 'message:send', { conversation, text: 5 })).toMatchObject({ ok: false, error: { status: 400 } });
      expect(socket.connected).toBe(true);
    });

    it('delivers a REST send to joined sockets; outsiders receive nothing', async () => {
      const listener = await socketFor(bob);
      const outsider = await socketFor(mallory);
      const received = collect(listener);
      const leaked = collect(outsider);
      await request(listener, 'conversation:join', { conversation });
      const sent = await t.http().post('/api/messages/').set('Authorization', `Bearer ${alice.access}`).send({ conversation, text: 'over REST' }).expect(201);
      await waitUntil(() => received.some((m) => m.id === sent.body.id), 5000, 'message:new');
      expect(received.find((m) => m.id === sent.body.id)).toEqual(sent.body);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(leaked).toEqual([]);
    });

    it('stores a socket send (ack with the stored message), visible over REST and in the plain WebSocket', async () => {
      const sender = await socketFor(alice);
      const plain = await openRoom(t.baseUrl, `/ws/chat/${room}/?token=${bob.access}`);
      await waitUntil(() => plain.frames.length > 0, 5000, 'history frame');
      const ack = await request(sender, 'message:send', { conversation, text: 'over Socket.IO' });
      expect(ack).toEqual({ ok: true, message: { id: expect.any(Number), sender: { id: alice.id, username: alice.username, email: alice.email }, conversation, text: 'over Socket.IO', timestamp: expect.any(String), reply_to: null, edited_at: null, deleted: false, reactions: [] } });
      const id = ack.ok ? ack.message.id : 0;
      await waitUntil(() => plain.frames.some((f) => f.id === id), 5000, 'plain frame');
      expect(plain.frames.find((f) => f.id === id)).toEqual({ id, user: alice.username, content: 'over Socket.IO', timestamp: expect.any(String) });
      const history = await t.http().get(`/api/conversations/${conversation}/messages/`).set('Authorization', `Bearer ${bob.access}`).expect(200);
      expect(history.body.at(-1).id).toBe(id);
      plain.ws.close();
    });

    it('acks a retried client_id with the same message and broadcasts it once', async () => {
      const sender = await socketFor(alice);
      const listener = await socketFor(bob);
      const received = collect(listener);
      await request(listener, 'conversation:join', { conversation });
      const first = await request(sender, 'message:send', { conversation: room, text: 'exactly once', client_id: 'sio-1' });
      const retry = await request(sender, 'message:send', { conversation: room, text: 'exactly once', client_id: 'sio-1' });
      expect(retry).toEqual(first);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received.filter((m) => m.text === 'exactly once')).toHaveLength(1);
    });

    it('replays everything after `after`, then streams live, with no gap while messages keep arriving', async () => {
      const chat = t.app.get(ChatService);
      const before = await t.http().get(`/api/conversations/${conversation}/messages/?limit=1`).set('Authorization', `Bearer ${alice.access}`).expect(200);
      const after = before.body[0].id;
      for (let i = 0; i < 250; i++) await chat.sendMessage(alice.id, conversation, `backlog ${i}`);
      const listener = await socketFor(bob);
      const received = collect(listener);
      let sending = true;
      const sent: number[] = [];
      const producer = (async () => {
        for (let i = 0; sending && i < 300; i++) sent.push((await chat.sendMessage(alice.id, conversation, `live ${i}`)).message.id);
      })();
      const ack = await request(listener, 'conversation:join', { conversation, after });
      expect(ack.ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      sending = false;
      await producer;
      const lastSent = sent.at(-1)!;
      await waitUntil(() => received.some((m) => m.id === lastSent), 10_000, 'the last live message');
      const all = await t.http().get(`/api/conversations/${conversation}/messages/?after=${after}&limit=200`).set('Authorization', `Bearer ${alice.access}`);
      let expected: number[] = all.body.map((m: { id: number }) => m.id);
      for (let cursor = expected.at(-1); cursor !== undefined && cursor < lastSent; ) {
        const page = await t.http().get(`/api/conversations/${conversation}/messages/?after=${cursor}&limit=200`).set('Authorization', `Bearer ${alice.access}`);
        expected = expected.concat(page.body.map((m: { id: number }) => m.id));
        cursor = page.body.at(-1)?.id;
        if (!page.body.length) break;
      }
      const ids = received.map((m) => m.id);
      const unique = [...new Set(ids)];
      expect(unique).toEqual([...unique].sort((a, b) => a - b));
      expect(unique).toEqual(expected.filter((id) => id <= lastSent));
    }, 60_000);
  });

  describe('plain WebSocket rooms', () => {
    it.each(['/messenger/ws/ws/chat/', '/ws/chat/'])('%s<room>/ sends the history first, then live messages', async (prefix) => {
      const client = await openRoom(t.baseUrl, `${prefix}${room}/?token=${alice.access}`);
      await waitUntil(() => client.frames.length > 0, 5000, 'history');
      const history = client.frames[0] as { type: string; messages: Array<{ id: number; user: string; content: string; timestamp: string }> };
      expect(history.type).toBe('message_history');
      expect(Object.keys(history.messages[0]).sort()).toEqual(['content', 'id', 'timestamp', 'user']);
      // The whole room, oldest first, as the original sends it (the client has no paging).
      const whole = await t.http().get(`/messenger/api/chatrooms/${room}/messages/`).set('Authorization', `Bearer ${alice.access}`).expect(200);
      expect(history.messages).toEqual(whole.body);
      expect(history.messages.length).toBeGreaterThan(50);
      const sent = await t.http().post(`/messenger/api/chatrooms/${room}/messages/`).set('Authorization', `Bearer ${bob.access}`).send({ content: `via ${prefix}` });
      await waitUntil(() => client.frames.some((f) => f.id === sent.body.id), 5000, 'live frame');
      expect(client.frames.find((f) => f.id === sent.body.id)).toEqual(sent.body);
      client.ws.close();
    });

    it('stores a frame {"message"} and delivers it to Socket.IO members', async () => {
      const listener = await socketFor(alice);
      const received = collect(listener);
      await request(listener, 'conversation:join', { conversation });
      const client = await openRoom(t.baseUrl, `/ws/chat/${room}/?token=${bob.access}`);
      await waitUntil(() => client.frames.length > 0);
      client.ws.send(JSON.stringify({ message: 'Привет!' }));
      await waitUntil(() => received.some((m) => m.text === 'Привет!'), 5000, 'socket delivery');
      await waitUntil(() => client.frames.some((f) => f.content === 'Привет!'), 5000, 'echo to the room');
      client.ws.close();
    });

    it('with ?errors=1, answers bad frames with an error frame and stays open', async () => {
      const client = await openRoom(t.baseUrl, `/ws/chat/${room}/?token=${alice.access}&errors=1`);
      await waitUntil(() => client.frames.length > 0);
      for (const bad of ['not json', '{}', '{"message": 5}', '{"message": "   "}', '[]']) client.ws.send(bad);
      await waitUntil(() => client.frames.filter((f) => f.type === 'error').length === 5, 5000, 'five error frames');
      expect(client.frames.filter((f) => f.type === 'error').every((f) => f.status === 400 && typeof f.message === 'string')).toBe(true);
      client.ws.send(JSON.stringify({ message: 'still here' }));
      await waitUntil(() => client.frames.some((f) => f.content === 'still here'), 5000, 'send after errors');
      expect(client.ws.readyState).toBe(client.ws.OPEN);
      client.ws.close();
    });

    it('answers a repeated client_id with the first stored message, to the sender only (the fuzzer found no answer at all)', async () => {
      const sender = await openRoom(t.baseUrl, `/ws/chat/${room}/?token=${alice.access}`);
      const other = await openRoom(t.baseUrl, `/ws/chat/${room}/?token=${bob.access}`);
      await waitUntil(() => sender.frames.length > 0 && other.frames.length > 0);
      sender.ws.send(JSON.stringify({ message: 'once', client_id: 'ws-retry-1' }));
      await waitUntil(() => sender.frames.some((f) => f.content === 'once'), 5000, 'first send');
      const first = sender.frames.find((f) => f.content === 'once')!;
      sender.ws.send(JSON.stringify({ message: 'once, retried', client_id: 'ws-retry-1' }));
      await waitUntil(() => sender.frames.filter((f) => f.id === first.id).length === 2, 5000, 'confirmation of the retry');
      expect(sender.frames.filter((f) => f.id === first.id)[1]).toEqual(first);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(other.frames.filter((f) => f.id === first.id)).toHaveLength(1);
      sender.ws.close();
      other.ws.close();
    });

    it('closes on frames over 64 KiB', async () => {
      const client = await openRoom(t.baseUrl, `/ws/chat/${room}/?token=${alice.access}`);
      client.ws.send(JSON.stringify({ message: 'x'.repeat(70_000) }));
      expect((await client.closed).code).toBe(1009);
    });

    it('closes a Socket.IO connection whose packet exceeds 64 KiB', async () => {
      const socket = await socketFor(alice);
      const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      socket.emit('message:send', { conversation, text: 'x'.repeat(70_000) });
      expect(['transport close', 'transport error']).toContain(await closed);
    });

    it.each([
      ['no token', () => `/ws/chat/${room}/`, 401],
      ['a bad token', () => `/ws/chat/${room}/?token=bad`, 401],
      ['a refresh token', () => `/ws/chat/${room}/?token=${alice.refresh}`, 401],
      ['an unknown room', () => `/ws/chat/nobody_here/?token=${alice.access}`, 404],
      ['a non-member', () => `/messenger/ws/ws/chat/${room}/?token=${mallory.access}`, 404],
    ])('refuses the upgrade with %s', async (_name, path, status) => {
      await expect(openRoom(t.baseUrl, path())).rejects.toMatchObject({ status });
    });
  });
});
