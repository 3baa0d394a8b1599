import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { collect, connected, connectSocket, openRoom, request, waitUntil } from './support/realtime-clients.js';
import { startTwoInstances, type TwoInstances } from './support/cluster.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

// Two instances of the app on one database and one Redis, as behind a load balancer. Runs where
// REDIS_URL points at a server (CI's PostgreSQL pass sets it).
(process.env.REDIS_URL ? describe : describe.skip)('two instances joined through Redis', () => {
  let cluster: TwoInstances;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let room: { id: number; name: string };
  let sockets: Socket[];

  beforeAll(async () => {
    cluster = await startTwoInstances();
    ({ a, b, alice, bob, room, sockets } = cluster);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('delivers a message stored on instance A to Socket.IO and plain WebSocket members on instance B', async () => {
    const onB = connectSocket(b.baseUrl, bob.access);
    sockets.push(onB);
    await connected(onB);
    const received = collect(onB);
    expect((await request(onB, 'conversation:join', { conversation: room.id })).ok).toBe(true);
    const plainOnB = await openRoom(b.baseUrl, `/ws/chat/${room.name}/?token=${bob.access}`);
    await waitUntil(() => plainOnB.frames.length > 0);

    const sent = await a.http().post('/api/messages/').set('Authorization', `Bearer ${alice.access}`).send({ conversation: room.id, text: 'from A' }).expect(201);
    await waitUntil(() => received.some((m) => m.id === sent.body.id), 10_000, 'Socket.IO delivery on B');
    await waitUntil(() => plainOnB.frames.some((f) => f.id === sent.body.id), 10_000, 'plain WebSocket delivery on B');
    expect(received.filter((m) => m.id === sent.body.id)).toHaveLength(1);
    plainOnB.ws.close();
  });

  it('delivers a message sent over a socket on B to a socket on A, once', async () => {
    const onA = connectSocket(a.baseUrl, alice.access);
    const onB = connectSocket(b.baseUrl, bob.access);
    sockets.push(onA, onB);
    await Promise.all([connected(onA), connected(onB)]);
    const received = collect(onA);
    await request(onA, 'conversation:join', { conversation: room.name });
    const ack = await request(onB, 'message:send', { conversation: room.id, text: 'from B' });
    expect(ack.ok).toBe(true);
    const id = ack.ok ? ack.message.id : -1;
    await waitUntil(() => received.some((m) => m.id === id), 10_000, 'delivery on A');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.filter((m) => m.id === id)).toHaveLength(1);
  });

  it('closes the connections of a deleted account on the other instance too', async () => {
    const carol = await createUser(a, 'carol');
    const shared = (await a.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${alice.access}`).send({ recipient: carol.username }).expect(201)).body;
    const onB = connectSocket(b.baseUrl, carol.access);
    sockets.push(onB);
    await connected(onB);
    const disconnected = new Promise<string>((resolve) => onB.once('disconnect', (reason) => resolve(reason)));
    const plainOnB = await openRoom(b.baseUrl, `/ws/chat/${shared.name}/?token=${carol.access}`);

    await a.http().delete('/profiles/api/profile/').set('Authorization', `Bearer ${carol.access}`).send({ password: carol.password }).expect(204);

    expect(await disconnected).toBe('io server disconnect');
    expect((await plainOnB.closed).code).toBe(4401);
  });
});

// Instance B reaches Redis through a proxy that can slow it down, so B's messages reach A late.
(process.env.REDIS_URL ? describe : describe.skip)('two instances, one of them slow to reach Redis', () => {
  let cluster: TwoInstances;

  beforeAll(async () => {
    cluster = await startTwoInstances('b');
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('delivers in conversation order on A although the earlier message, stored on B, reaches A after the later one stored on A', async () => {
    const { a, b, alice, bob, sockets } = cluster;
    const proxy = cluster.proxy!;
    const conversation = cluster.room.id;
    const roomName = cluster.room.name;
    const reader = connectSocket(a.baseUrl, alice.access);
    const writerOnA = connectSocket(a.baseUrl, alice.access);
    const writerOnB = connectSocket(b.baseUrl, bob.access);
    sockets.push(reader, writerOnA, writerOnB);
    await Promise.all([connected(reader), connected(writerOnA), connected(writerOnB)]);
    const seen = collect(reader);
    expect((await request(reader, 'conversation:join', { conversation })).ok).toBe(true);
    const plain = await openRoom(a.baseUrl, `/ws/chat/${encodeURIComponent(roomName)}/?token=${alice.access}`);
    await waitUntil(() => plain.frames.length > 0);

    proxy.delayRequests(400);
    const acked: number[] = [];
    for (let round = 0; round < 3; round++) {
      const first = await request(writerOnB, 'message:send', { conversation, text: `B ${round}` });
      const second = await request(writerOnA, 'message:send', { conversation, text: `A ${round}` });
      if (!first.ok || !second.ok) throw new Error('send refused');
      acked.push(first.message.id, second.message.id);
    }
    await waitUntil(() => acked.every((id) => seen.some((m) => m.id === id)), 10_000, 'delivery of all six on A');
    proxy.delayRequests(0);
    // Stored B, A, B, A, B, A: A's own messages were ready first, and still came in their place.
    expect(seen.map((m) => m.id)).toEqual(acked);
    await waitUntil(() => plain.frames.filter((f) => typeof f.id === 'number').length === acked.length, 5_000, 'plain WebSocket delivery on A');
    expect(plain.frames.filter((f) => typeof f.id === 'number').map((f) => f.id)).toEqual(acked);
    plain.ws.close();
  }, 30_000);
});

(process.env.REDIS_URL ? describe : describe.skip)('two instances sharing the message budget through Redis (security review finding 8)', () => {
  let cluster: TwoInstances;

  beforeAll(async () => {
    // B reaches Redis through a proxy the test can cut.
    cluster = await startTwoInstances('b', { MESSAGE_BURST: '4', MESSAGES_PER_MINUTE: '6', CONVERSATION_BURST: '2', CONVERSATIONS_PER_HOUR: '1' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  const send = (app: TestApp, user: TestUser, text: string) =>
    app.http().post('/api/messages/').set('Authorization', `Bearer ${user.access}`).send({ conversation: cluster.room.id, text });

  it('finding 8: a budget spent on one instance is spent on the other', async () => {
    const { a, b, alice } = cluster;
    for (let i = 0; i < 2; i++) await send(a, alice, `on A ${i}`).expect(201);
    for (let i = 0; i < 2; i++) await send(b, alice, `on B ${i}`).expect(201);
    const refusedOnA = await send(a, alice, 'one more on A').expect(429);
    const refusedOnB = await send(b, alice, 'one more on B').expect(429);
    for (const refused of [refusedOnA, refusedOnB]) {
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(10);
    }
    // The other member's budget is their own.
    await send(b, cluster.bob, 'from bob').expect(201);
  });

  it('finding 8: the conversation budget is shared too', async () => {
    const { a, b, alice } = cluster;
    const carol = await createUser(a, 'carol');
    const dave = await createUser(a, 'dave');
    const group = (app: TestApp) => app.http().post('/api/conversations/').set('Authorization', `Bearer ${carol.access}`).send({ participants: [alice.id, dave.id] });
    await group(a).expect(201);
    await group(b).expect(201);
    expect((await group(a).expect(429)).body).toMatchObject({ code: 'throttled' });
    await group(b).expect(429);
  });

  it('finding 8: with Redis out of reach, sends go through unbudgeted rather than fail', async () => {
    const { b, bob } = cluster;
    cluster.proxy!.cut();
    try {
      for (let i = 0; i < 6; i++) await send(b, bob, `while Redis is away ${i}`).expect(201);
    } finally {
      cluster.proxy!.restore();
    }
    // Back: B reconnects by itself, and its budget is enforced again.
    const deadline = Date.now() + 15_000;
    while ((await b.http().get('/health/ready')).status !== 200) {
      if (Date.now() > deadline) throw new Error('B did not reconnect to Redis within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    let status = 201;
    for (let i = 0; i < 10 && status === 201; i++) status = (await send(b, bob, `after Redis came back ${i}`)).status;
    expect(status).toBe(429);
  }, 30_000);
});

(process.env.REDIS_URL ? describe : describe.skip)('two deployments sharing one Redis (REDIS_KEY_PREFIX)', () => {
  let x: TwoInstances;
  let y: TestApp;

  beforeAll(async () => {
    x = await startTwoInstances();
    // Another deployment on the same Redis under its own prefix. It shares x's database only
    // because one test process cannot hold two (TypeORM's data source registry is global):
    // whatever it receives live can then only have come through Redis.
    y = await startTestApp({ REDIS_URL: process.env.REDIS_URL ?? '', REDIS_KEY_PREFIX: `palaver-test-${process.pid}-other-deployment` }, x.database);
  }, 60_000);
  afterAll(async () => {
    await y?.close();
    await x?.close();
  });

  it("never receives the other deployment's messages (the adapter's PUB/SUB channels carry the prefix too)", async () => {
    // Bob follows the room on deployment y; alice sends on deployment x. Without the prefix on the
    // channels, x forwarded every message to y's instances too, which delivered it.
    const reader = connectSocket(y.baseUrl, x.bob.access);
    x.sockets.push(reader);
    await connected(reader);
    const seen = collect(reader);
    expect((await request(reader, 'conversation:join', { conversation: x.room.id })).ok).toBe(true);
    await x.a.http().post('/api/messages/').set('Authorization', `Bearer ${x.alice.access}`).send({ conversation: x.room.id, text: 'for deployment x' }).expect(201);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(seen).toEqual([]);
    // Control: within deployment x the message travels between instances.
    const onB = connectSocket(x.b.baseUrl, x.bob.access);
    x.sockets.push(onB);
    await connected(onB);
    const seenOnB = collect(onB);
    expect((await request(onB, 'conversation:join', { conversation: x.room.id })).ok).toBe(true);
    const sent = await x.a.http().post('/api/messages/').set('Authorization', `Bearer ${x.alice.access}`).send({ conversation: x.room.id, text: 'again' }).expect(201);
    await waitUntil(() => seenOnB.some((m) => m.id === sent.body.id), 5000, 'delivery within deployment x');
  }, 30_000);
});

// Read receipts, typing and presence between two instances: Socket.IO through the adapter's
// rooms, plain WebSocket rooms through the relay, presence counted in Redis.
(process.env.REDIS_URL ? describe : describe.skip)('two instances: receipts, typing and presence', () => {
  const GRACE_MS = 1500;
  let cluster: TwoInstances;
  let a: TestApp;
  let b: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let room: { id: number; name: string };
  let sockets: Socket[];
  const on = <T>(socket: Socket, event: string) => {
    const seen: T[] = [];
    socket.on(event, (payload: T) => seen.push(payload));
    return seen;
  };
  const socketOn = async (app: TestApp, user: TestUser) => {
    const socket = connectSocket(app.baseUrl, user.access);
    sockets.push(socket);
    await connected(socket);
    return socket;
  };

  beforeAll(async () => {
    cluster = await startTwoInstances('none', { PRESENCE_GRACE_MS: String(GRACE_MS) });
    ({ a, b, alice, bob, room, sockets } = cluster);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('carries typing and read receipts from one instance to sockets and opted-in rooms on the other', async () => {
    const aliceOnA = await socketOn(a, alice);
    const bobOnB = await socketOn(b, bob);
    const typingOnB = on<{ typing: boolean }>(bobOnB, 'typing');
    const readsOnA = on<{ last_read_message: number }>(aliceOnA, 'conversation:read');
    const bobRoomOnB = await openRoom(b.baseUrl, `/ws/chat/${room.name}/?token=${bob.access}&events=all`);
    const aliceRoomOnA = await openRoom(a.baseUrl, `/ws/chat/${room.name}/?token=${alice.access}&events=all`);
    await waitUntil(() => bobRoomOnB.frames.length > 0 && aliceRoomOnA.frames.length > 0, 5000, 'histories');

    expect(await request(aliceOnA, 'typing:start', { conversation: room.id })).toEqual({ ok: true });
    await waitUntil(() => typingOnB.length === 1 && bobRoomOnB.frames.some((f) => f.type === 'typing'), 10_000, 'typing on B');
    expect(typingOnB[0]).toMatchObject({ conversation: room.id, typing: true, user: { id: alice.id } });

    const sent = await a.http().post('/api/messages/').set('Authorization', `Bearer ${alice.access}`).send({ conversation: room.id, text: 'across' }).expect(201);
    // The message ends alice's typing, on every instance.
    await waitUntil(() => typingOnB.length === 2, 10_000, 'typing ended on B');
    expect(typingOnB[1]).toMatchObject({ typing: false });

    bobRoomOnB.ws.send(JSON.stringify({ type: 'read', message: sent.body.id }));
    await waitUntil(() => readsOnA.length === 1 && aliceRoomOnA.frames.some((f) => f.type === 'read'), 10_000, 'read receipt on A');
    expect(readsOnA[0]).toEqual({ conversation: room.id, user: { id: bob.id, username: bob.username }, last_read_message: sent.body.id });
    expect(aliceRoomOnA.frames.find((f) => f.type === 'read')).toEqual({ type: 'read', ...readsOnA[0] });
    bobRoomOnB.ws.close();
    aliceRoomOnA.ws.close();
  });

  it('carries edits, deletions and reactions made on one instance to joined sockets and opted-in rooms on the other', async () => {
    const bobOnB = await socketOn(b, bob);
    expect((await request(bobOnB, 'conversation:join', { conversation: room.id })).ok).toBe(true);
    const updated = on<{ id: number; text: string }>(bobOnB, 'message:updated');
    const reactions = on<{ id: number }>(bobOnB, 'message:reactions');
    const deleted = on<{ id: number }>(bobOnB, 'message:deleted');
    const bobRoomOnB = await openRoom(b.baseUrl, `/ws/chat/${room.name}/?token=${bob.access}&events=all`);
    await waitUntil(() => bobRoomOnB.frames.length > 0, 5000, 'history');
    const auth = { Authorization: `Bearer ${alice.access}` };
    const sent = (await a.http().post('/api/messages/').set(auth).send({ conversation: room.id, text: 'typo' }).expect(201)).body;
    await a.http().patch(`/api/messages/${sent.id}/`).set(auth).send({ text: 'fixed' }).expect(200);
    await a.http().put(`/api/messages/${sent.id}/reactions/${encodeURIComponent('👍')}/`).set(auth).expect(200);
    await a.http().delete(`/api/messages/${sent.id}/`).set(auth).expect(204);
    await waitUntil(() => updated.length === 1 && reactions.length === 1 && deleted.length === 1, 10_000, 'events on B');
    expect(updated[0]).toMatchObject({ id: sent.id, text: 'fixed' });
    await waitUntil(() => bobRoomOnB.frames.some((f) => f.type === 'message_deleted'), 10_000, 'frames on B');
    expect(bobRoomOnB.frames.filter((f) => ['message_updated', 'reactions', 'message_deleted'].includes(f.type as string)).map((f) => f.type)).toEqual(['message_updated', 'reactions', 'message_deleted']);
    bobRoomOnB.ws.close();
  });

  it('ends the access of a member removed on one instance at once on the other: their sockets leave, their rooms close with 4403', async () => {
    const dora = await createUser(a, 'dora');
    const g = (await a.http().post('/api/conversations/').set('Authorization', `Bearer ${alice.access}`).send({ participants: [bob.id, dora.id] }).expect(201)).body.id;
    const doraOnB = await socketOn(b, dora);
    expect((await request(doraOnB, 'conversation:join', { conversation: g })).ok).toBe(true);
    const removed = on<{ conversation: number }>(doraOnB, 'conversation:removed');
    const delivered = on<{ id: number }>(doraOnB, 'message:new');
    const name = (await b.http().get('/messenger/api/user/chatrooms/').set('Authorization', `Bearer ${dora.access}`).expect(200)).body.find((r: { id: number }) => r.id === g).name;
    const doraRoomOnB = await openRoom(b.baseUrl, `/ws/chat/${name}/?token=${dora.access}`);

    await a.http().delete(`/api/conversations/${g}/participants/${dora.id}/`).set('Authorization', `Bearer ${alice.access}`).expect(204);
    expect((await doraRoomOnB.closed).code).toBe(4403);
    await waitUntil(() => removed.length === 1, 10_000, 'conversation:removed on B');
    await a.http().post('/api/messages/').set('Authorization', `Bearer ${alice.access}`).send({ conversation: g, text: 'after dora left' }).expect(201);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(delivered).toEqual([]);
  });

  it('counts presence over both instances: online once, offline only when the last connection anywhere has closed', async () => {
    const carol = await createUser(a, 'carol');
    await a.http().post('/api/conversations/').set('Authorization', `Bearer ${carol.access}`).send({ participants: [alice.id] }).expect(201);
    const aliceOnA = await socketOn(a, alice);
    const presence = on<{ user: { id: number }; online: boolean }>(aliceOnA, 'presence');
    const carolOnA = await socketOn(a, carol);
    const carolOnB = await socketOn(b, carol);
    await waitUntil(() => presence.some((p) => p.user.id === carol.id), 10_000, 'online');
    // Asked on the instance carol is not connected to: still online.
    const asked = await b.http().get(`/api/presence/?users=${carol.id}`).set('Authorization', `Bearer ${alice.access}`).expect(200);
    expect(asked.body).toEqual([expect.objectContaining({ online: true })]);

    carolOnA.disconnect();
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1500));
    expect(presence.filter((p) => p.user.id === carol.id).map((p) => p.online)).toEqual([true]);

    carolOnB.disconnect();
    await waitUntil(() => presence.filter((p) => p.user.id === carol.id).length === 2, GRACE_MS + 10_000, 'offline');
    expect(presence.filter((p) => p.user.id === carol.id).map((p) => p.online)).toEqual([true, false]);
    const after = await a.http().get(`/api/presence/?users=${carol.id}`).set('Authorization', `Bearer ${alice.access}`).expect(200);
    expect(after.body).toEqual([expect.objectContaining({ online: false, last_seen: expect.any(String) })]);
  }, 30_000);
});
