import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { connected, connectSocket, openRoom, request, waitUntil, type RoomClient } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

const GRACE_MS = 1500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Events of one kind a socket received, in order. */
function events<T>(socket: Socket, name: string): T[] {
  const seen: T[] = [];
  socket.on(name, (payload: T) => seen.push(payload));
  return seen;
}

describe('conversation state: read markers, unread counts, receipts, typing, presence', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let mallory: TestUser;
  let direct: { id: number; name: string };
  let group: number;
  const sockets: Socket[] = [];
  const rooms: RoomClient[] = [];

  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });
  const send = async (user: TestUser, conversation: number, text: string) =>
    (await t.http().post('/api/messages/').set(auth(user)).send({ conversation, text }).expect(201)).body as { id: number };
  const socketFor = async (user: TestUser) => {
    const socket = connectSocket(t.baseUrl, user.access);
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  const roomFor = async (user: TestUser, query = '', name = direct.name) => {
    const room = await openRoom(t.baseUrl, `/ws/chat/${name}/?token=${user.access}${query}`);
    rooms.push(room);
    await waitUntil(() => room.frames.some((f) => f.type === 'message_history'), 5000, 'history frame');
    return room;
  };

  beforeAll(async () => {
    t = await startTestApp({ PRESENCE_GRACE_MS: String(GRACE_MS) });
    [alice, bob, carol, mallory] = [await createUser(t, 'alice'), await createUser(t, 'bob'), await createUser(t, 'carol'), await createUser(t, 'mallory')];
    direct = (await t.http().post('/messenger/api/chatrooms/').set(auth(alice)).send({ recipient: bob.username }).expect(201)).body;
    group = (await t.http().post('/api/conversations/').set(auth(alice)).send({ participants: [bob.id, carol.id] }).expect(201)).body.id;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const room of rooms) room.ws.close();
    await t.close();
  });

  describe('read markers and unread counts (REST)', () => {
    it('counts what arrived after the marker on every conversation listing, and a send marks its sender read', async () => {
      const first = await send(alice, group, 'one');
      await send(alice, group, 'two');
      const last = await send(alice, group, 'three');

      const list = (await t.http().get('/api/conversations/').set(auth(bob)).expect(200)).body as Array<{ id: number; unread_count: number; last_read_message: number | null }>;
      expect(list.find((c) => c.id === group)).toMatchObject({ unread_count: 3, last_read_message: null });
      const mine = (await t.http().get(`/api/conversations/${group}/`).set(auth(alice)).expect(200)).body;
      expect(mine).toMatchObject({ unread_count: 0, last_read_message: last.id });
      expect(first.id).toBeLessThan(last.id);

      const rooms = (await t.http().get('/messenger/api/user/chatrooms/').set(auth(bob)).expect(200)).body as Array<{ id: number; unread_count: number; display_name: string }>;
      expect(rooms.find((r) => r.id === group)).toMatchObject({ unread_count: 3 });
      // Nothing existing changed shape: the original fields are all still there.
      expect(Object.keys(rooms[0]).sort()).toEqual(['display_name', 'id', 'last_read_message', 'members', 'name', 'unread_count']);
    });

    it('moves the marker to the latest message by default, or to a given one, and never back', async () => {
      const history = (await t.http().get(`/api/conversations/${group}/messages/`).set(auth(carol)).expect(200)).body as Array<{ id: number }>;
      const [one, two, three] = history.map((m) => m.id);

      expect((await t.http().post(`/api/conversations/${group}/read/`).set(auth(carol)).send({ message: two }).expect(200)).body).toEqual({ conversation: group, last_read_message: two, unread_count: 1 });
      expect((await t.http().post(`/api/conversations/${group}/read/`).set(auth(carol)).send({ message: one }).expect(200)).body).toEqual({ conversation: group, last_read_message: two, unread_count: 1 });
      // A form body works as with every write route; no body means "the latest".
      expect((await t.http().post(`/api/conversations/${group}/read/`).set(auth(carol)).type('form').send({ message: String(two) }).expect(200)).body.last_read_message).toBe(two);
      expect((await t.http().post(`/api/conversations/${group}/read/`).set(auth(carol)).expect(200)).body).toEqual({ conversation: group, last_read_message: three, unread_count: 0 });
    });

    it('refuses a message of another conversation (400 field error) and a non-member (404), and bad ids', async () => {
      const elsewhere = await send(alice, direct.id, 'in the direct room');
      const wrong = await t.http().post(`/api/conversations/${group}/read/`).set(auth(bob)).send({ message: elsewhere.id }).expect(400);
      expect(wrong.body).toEqual({ message: [`Invalid pk "${elsewhere.id}" - object does not exist.`] });
      expect((await t.http().post(`/api/conversations/${group}/read/`).set(auth(mallory)).send({}).expect(404)).body).toMatchObject({ code: 'not_found' });
      await t.http().post('/api/conversations/999999/read/').set(auth(bob)).send({}).expect(404);
      expect((await t.http().post(`/api/conversations/${group}/read/`).set(auth(bob)).send({ message: 'x' }).expect(400)).body.message).toHaveLength(1);
      await t.http().post(`/api/conversations/${group}/read/`).send({}).expect(401);
    });

    it("lists the other members' markers in read_by on the detail", async () => {
      const detail = (await t.http().get(`/api/conversations/${group}/`).set(auth(alice)).expect(200)).body;
      const three = detail.messages.at(-1).id;
      expect(detail.read_by).toEqual([
        { user: { id: bob.id, username: bob.username }, last_read_message: null },
        { user: { id: carol.id, username: carol.username }, last_read_message: three },
      ]);
    });

    it('sums unread messages for the app badge', async () => {
      const bobUnread = (await t.http().get('/api/unread/').set(auth(bob)).expect(200)).body;
      expect(bobUnread.total).toBe(4);
      expect(bobUnread.conversations).toEqual([
        { id: direct.id, unread_count: 1 },
        { id: group, unread_count: 3 },
      ]);
      expect((await t.http().get('/api/unread/').set(auth(carol)).expect(200)).body).toEqual({ total: 0, conversations: [] });
    });
  });

  describe('read receipts (Socket.IO and rooms)', () => {
    it("tells the other members and the reader's other devices, not the device that read", async () => {
      const latest = await send(alice, group, 'read me');
      const [bobPhone, bobLaptop, aliceSocket, carolSocket] = [await socketFor(bob), await socketFor(bob), await socketFor(alice), await socketFor(carol)];
      const [onPhone, onLaptop, onAlice, onCarol] = [bobPhone, bobLaptop, aliceSocket, carolSocket].map((s) => events<Record<string, unknown>>(s, 'conversation:read'));

      const ack = await request(bobPhone, 'conversation:read', { conversation: group });
      expect(ack).toEqual({ ok: true, last_read_message: latest.id, unread_count: 0 });
      const notice = { conversation: group, user: { id: bob.id, username: bob.username }, last_read_message: latest.id };
      await waitUntil(() => onLaptop.length > 0 && onAlice.length > 0 && onCarol.length > 0, 5000, 'read notices');
      for (const seen of [onLaptop, onAlice, onCarol]) expect(seen).toEqual([notice]);

      // Reading again moves nothing and tells nobody.
      expect(await request(bobLaptop, 'conversation:read', { conversation: group, message: latest.id })).toMatchObject({ ok: true, unread_count: 0 });
      await sleep(200);
      expect(onPhone).toEqual([]);
      expect(onAlice).toHaveLength(1);
    });

    it('answers a non-member and a foreign message with errors in the ack', async () => {
      const malloryPhone = await socketFor(mallory);
      expect(await request(malloryPhone, 'conversation:read', { conversation: group })).toMatchObject({ ok: false, error: { status: 404 } });
      const bobPhone = await socketFor(bob);
      const elsewhere = await send(alice, direct.id, 'elsewhere');
      expect(await request(bobPhone, 'conversation:read', { conversation: group, message: elsewhere.id })).toMatchObject({ ok: false, error: { status: 400 } });
      expect(await request(bobPhone, 'conversation:read', { conversation: group, message: -1 })).toMatchObject({ ok: false, error: { status: 400 } });
    });

    it('sends read frames only to room connections that opted in with ?events=all, and takes read frames from them', async () => {
      const plain = await roomFor(alice);
      const opted = await roomFor(alice, '&events=all');
      const bobRoom = await roomFor(bob, '&events=all');
      const latest = await send(alice, direct.id, 'for bob');
      await waitUntil(() => bobRoom.frames.some((f) => f.id === latest.id), 5000, 'message frame');

      bobRoom.ws.send(JSON.stringify({ type: 'read' }));
      await waitUntil(() => opted.frames.some((f) => f.type === 'read'), 5000, 'read frame');
      expect(opted.frames.filter((f) => f.type === 'read')).toEqual([{ type: 'read', conversation: direct.id, user: { id: bob.id, username: bob.username }, last_read_message: latest.id }]);
      // The reader's own connection gets its answer, with its unread count.
      await waitUntil(() => bobRoom.frames.some((f) => f.type === 'read'), 5000, 'read answer');
      expect(bobRoom.frames.find((f) => f.type === 'read')).toMatchObject({ last_read_message: latest.id, unread_count: 0 });
      await sleep(200);
      // Without the opt-in, nothing but messages, as the seed's client expects.
      expect(plain.frames.every((f) => f.type === 'message_history' || typeof f.content === 'string')).toBe(true);
      expect((await t.http().get(`/api/conversations/${direct.id}/`).set(auth(bob)).expect(200)).body.unread_count).toBe(0);
    });
  });

  describe('typing', () => {
    it('tells the other members when someone starts and stops typing, never the typist, and a non-member reaches no one', async () => {
      const [aliceSocket, bobSocket, carolSocket, mallorySocket] = [await socketFor(alice), await socketFor(bob), await socketFor(carol), await socketFor(mallory)];
      const [onAlice, onBob, onCarol] = [aliceSocket, bobSocket, carolSocket].map((s) => events<Record<string, unknown>>(s, 'typing'));
      const onMallory = events(mallorySocket, 'typing');

      expect(await request(aliceSocket, 'typing:start', { conversation: group })).toEqual({ ok: true });
      const user = { id: alice.id, username: alice.username };
      await waitUntil(() => onBob.length > 0 && onCarol.length > 0, 5000, 'typing notices');
      expect(onBob).toEqual([{ conversation: group, user, typing: true }]);
      // A renewal only extends it: nobody is told again.
      expect(await request(aliceSocket, 'typing:start', { conversation: group })).toEqual({ ok: true });
      expect(await request(aliceSocket, 'typing:stop', { conversation: group })).toEqual({ ok: true });
      await waitUntil(() => onCarol.length === 2, 5000, 'typing stop');
      expect(onCarol).toEqual([
        { conversation: group, user, typing: true },
        { conversation: group, user, typing: false },
      ]);

      expect(await request(mallorySocket, 'typing:start', { conversation: group })).toMatchObject({ ok: false, error: { status: 404 } });
      expect(await request(mallorySocket, 'typing:stop', { conversation: group })).toMatchObject({ ok: false, error: { status: 404 } });
      expect(await request(mallorySocket, 'typing:start', { conversation: 'nope' })).toMatchObject({ ok: false, error: { status: 404 } });
      expect(await request(mallorySocket, 'typing:start', {})).toMatchObject({ ok: false, error: { status: 400 } });
      await sleep(200);
      expect(onAlice).toEqual([]);
      expect(onBob).toHaveLength(2);
      expect(onMallory).toEqual([]);
    });

    it('ends a typing that is not renewed within 6 s by itself, and one whose user sends the message', async () => {
      const [aliceSocket, bobSocket] = [await socketFor(alice), await socketFor(bob)];
      const onBob = events<{ typing: boolean; at: number }>(bobSocket, 'typing');
      const started = Date.now();
      await request(aliceSocket, 'typing:start', { conversation: group });
      await sleep(3000);
      await request(aliceSocket, 'typing:start', { conversation: group }); // renewed at 3 s: ends at 9 s, not 6 s
      await waitUntil(() => onBob.length === 2, 12_000, 'typing expiry');
      const elapsed = Date.now() - started;
      expect(onBob.map((e) => e.typing)).toEqual([true, false]);
      expect(elapsed).toBeGreaterThanOrEqual(8500);

      await request(aliceSocket, 'typing:start', { conversation: group });
      await waitUntil(() => onBob.length === 3, 5000, 'typing again');
      expect((await request(aliceSocket, 'message:send', { conversation: group, text: 'done typing' })).ok).toBe(true);
      await waitUntil(() => onBob.length === 4, 5000, 'typing ended by the message');
      expect(onBob[3]).toMatchObject({ typing: false });
    }, 30_000);

    it('ends the typing of a connection that closes', async () => {
      const [aliceSocket, bobSocket] = [await socketFor(alice), await socketFor(bob)];
      const onBob = events<{ typing: boolean }>(bobSocket, 'typing');
      await request(aliceSocket, 'typing:start', { conversation: group });
      await waitUntil(() => onBob.length === 1, 5000, 'typing');
      aliceSocket.disconnect();
      await waitUntil(() => onBob.length === 2, 5000, 'typing ended by the disconnect');
      expect(onBob[1]).toMatchObject({ typing: false });
    });

    it('refuses typing past the budget with 429 and retry_after', async () => {
      const carolSocket = await socketFor(carol);
      const acks = [];
      for (let i = 0; i < 40; i++) {
        acks.push(await request(carolSocket, 'typing:start', { conversation: group }));
        await request(carolSocket, 'typing:stop', { conversation: group });
      }
      const refused = acks.find((a) => !a.ok);
      expect(refused).toMatchObject({ ok: false, error: { status: 429 } });
      expect((refused as { error: { retry_after: number } }).error.retry_after).toBeGreaterThan(0);
    });

    it('carries typing to and from room connections that opted in', async () => {
      const plain = await roomFor(bob);
      const opted = await roomFor(bob, '&events=all');
      const aliceRoom = await roomFor(alice, '&events=all');
      const aliceSocket = await socketFor(alice);
      const onAlice = events<Record<string, unknown>>(aliceSocket, 'typing');

      aliceRoom.ws.send(JSON.stringify({ type: 'typing' }));
      await waitUntil(() => opted.frames.some((f) => f.type === 'typing'), 5000, 'typing frame');
      expect(opted.frames.find((f) => f.type === 'typing')).toEqual({ type: 'typing', conversation: direct.id, user: { id: alice.id, username: alice.username }, typing: true });
      aliceRoom.ws.send(JSON.stringify({ type: 'typing', typing: false }));
      await waitUntil(() => opted.frames.filter((f) => f.type === 'typing').length === 2, 5000, 'typing stop frame');
      // The typist's own connections are not told.
      expect(aliceRoom.frames.some((f) => f.type === 'typing')).toBe(false);
      expect(onAlice).toEqual([]);
      expect(plain.frames.some((f) => f.type === 'typing')).toBe(false);
      // Without the opt-in, a typing frame is not a message and changes nothing (ignored, as the original ignores a frame without "message").
      plain.ws.send(JSON.stringify({ type: 'typing' }));
      await sleep(300);
      expect(opted.frames.filter((f) => f.type === 'typing')).toHaveLength(2);
    });
  });

  describe('presence', () => {
    it('announces a user to their contacts when they come online and, after the grace period, when they go offline', async () => {
      const dave = await createUser(t, 'dave');
      const stranger = await createUser(t, 'stranger');
      await t.http().post('/api/conversations/').set(auth(dave)).send({ participants: [alice.id] }).expect(201);
      const aliceSocket = await socketFor(alice);
      const strangerSocket = await socketFor(stranger);
      const onAlice = events<{ user: { id: number }; online: boolean; last_seen: string }>(aliceSocket, 'presence');
      const onStranger = events(strangerSocket, 'presence');
      const aliceRoom = await openRoom(t.baseUrl, `/ws/chat/${direct.name}/?token=${alice.access}&events=all`);
      rooms.push(aliceRoom);

      const phone = await socketFor(dave);
      const laptop = await socketFor(dave);
      await waitUntil(() => onAlice.some((p) => p.user.id === dave.id), 5000, 'online notice');
      const online = onAlice.filter((p) => p.user.id === dave.id);
      expect(online).toEqual([{ user: { id: dave.id, username: dave.username }, online: true, last_seen: expect.any(String) }]);

      const states = (await t.http().get(`/api/presence/?users=${dave.id},${stranger.id},${alice.id},999999`).set(auth(alice)).expect(200)).body;
      expect(states).toEqual([{ user: { id: dave.id, username: dave.username }, online: true, last_seen: expect.any(String) }]);

      // One device closing leaves the user online; a reload within the grace period does not flap.
      phone.disconnect();
      laptop.disconnect();
      const reloaded = await socketFor(dave);
      await sleep(GRACE_MS + 1200);
      expect(onAlice.filter((p) => p.user.id === dave.id)).toHaveLength(1);

      const closedAt = Date.now();
      reloaded.disconnect();
      await waitUntil(() => onAlice.filter((p) => p.user.id === dave.id).length === 2, GRACE_MS + 5000, 'offline notice');
      const offline = onAlice.filter((p) => p.user.id === dave.id)[1];
      expect(offline).toMatchObject({ online: false });
      expect(Math.abs(new Date(offline.last_seen).getTime() - closedAt)).toBeLessThan(1000);
      expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
      expect((await t.http().get(`/api/presence/?users=${dave.id}`).set(auth(alice)).expect(200)).body).toEqual([{ user: { id: dave.id, username: dave.username }, online: false, last_seen: offline.last_seen }]);
      expect(onStranger).toEqual([]);
      // Dave is not in the direct room of alice and bob: its room connections hear nothing of him.
      expect(aliceRoom.frames.some((f) => f.type === 'presence' && (f.user as { id: number }).id === dave.id)).toBe(false);
    }, 20_000);

    it('tells friends too, and room connections that opted in about the members of their room', async () => {
      const erin = await createUser(t, 'erin');
      const frank = await createUser(t, 'frank');
      const frankRoom = (await t.http().post('/messenger/api/chatrooms/').set(auth(alice)).send({ recipient: frank.username }).expect(201)).body.name as string;
      await t.http().post('/profiles/api/add-friend/').set(auth(alice)).send({ username: erin.username }).expect(200);
      // A friend without a shared conversation is a contact.
      expect((await t.http().get(`/api/presence/?users=${erin.id}`).set(auth(alice)).expect(200)).body).toEqual([{ user: { id: erin.id, username: erin.username }, online: false, last_seen: null }]);
      const aliceSocket = await socketFor(alice);
      const onAlice = events<{ user: { id: number } }>(aliceSocket, 'presence');
      const opted = await roomFor(alice, '&events=all', frankRoom);
      const plain = await roomFor(alice, '', frankRoom);
      const frankSocket = await socketFor(frank);
      await waitUntil(() => opted.frames.some((f) => f.type === 'presence'), 5000, 'presence frame');
      expect(opted.frames.find((f) => f.type === 'presence')).toEqual({ type: 'presence', user: { id: frank.id, username: frank.username }, online: true, last_seen: expect.any(String) });
      expect(plain.frames.some((f) => f.type === 'presence')).toBe(false);
      frankSocket.disconnect();
      const erinSocket = await socketFor(erin);
      await waitUntil(() => onAlice.some((p) => p.user.id === erin.id), 5000, 'friend presence');
      erinSocket.disconnect();
    });

    it('refuses a malformed users list with a field error', async () => {
      expect((await t.http().get('/api/presence/').set(auth(alice)).expect(400)).body).toEqual({ users: ['This field is required.'] });
      expect((await t.http().get('/api/presence/?users=1,x').set(auth(alice)).expect(400)).body).toEqual({ users: ['A valid integer is required.'] });
      const many = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
      expect((await t.http().get(`/api/presence/?users=${many}`).set(auth(alice)).expect(400)).body).toEqual({ users: ['Ensure this field has no more than 100 elements.'] });
      await t.http().get('/api/presence/?users=1').expect(401);
    });
  });
});
