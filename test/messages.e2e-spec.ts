import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { connected, connectSocket, openRoom, request, waitUntil, type RoomClient } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

const THUMBS = encodeURIComponent('👍');

/** Edits, deletions, replies and reactions (issue 16), on both REST families, Socket.IO and the rooms. */
describe('messages: edit, delete, reply, react', () => {
  let t: TestApp;
  let alice: TestUser; // owner of the group
  let bob: TestUser; // member
  let carol: TestUser; // member
  let mallory: TestUser; // stranger
  let group: number;
  let direct: { id: number; name: string };
  const sockets: Socket[] = [];
  const rooms: RoomClient[] = [];

  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });
  const send = async (user: TestUser, conversation: number, text: string, extra: object = {}) =>
    (await t.http().post('/api/messages/').set(auth(user)).send({ conversation, text, ...extra }).expect(201)).body as { id: number; reply_to: number | null };
  const socketIn = async (user: TestUser, conversation: number) => {
    const socket = connectSocket(t.baseUrl, user.access);
    sockets.push(socket);
    await connected(socket);
    expect((await request(socket, 'conversation:join', { conversation })).ok).toBe(true);
    return socket;
  };
  const room = async (user: TestUser, query = '') => {
    const client = await openRoom(t.baseUrl, `/ws/chat/${direct.name}/?token=${user.access}${query}`);
    rooms.push(client);
    await waitUntil(() => client.frames.some((f) => f.type === 'message_history'), 5000, 'history');
    return client;
  };
  const seen = <T>(socket: Socket, event: string) => {
    const list: T[] = [];
    socket.on(event, (payload: T) => list.push(payload));
    return list;
  };

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, carol, mallory] = [await createUser(t, 'alice'), await createUser(t, 'bob'), await createUser(t, 'carol'), await createUser(t, 'mallory')];
    group = (await t.http().post('/api/conversations/').set(auth(alice)).send({ participants: [bob.id, carol.id] }).expect(201)).body.id;
    direct = (await t.http().post('/messenger/api/chatrooms/').set(auth(alice)).send({ recipient: bob.username }).expect(201)).body;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const client of rooms) client.ws.close();
    await t.close();
  });

  it('shows a message to members only, with its new fields', async () => {
    const sent = await send(bob, group, 'hello');
    const got = (await t.http().get(`/api/messages/${sent.id}/`).set(auth(carol)).expect(200)).body;
    expect(got).toMatchObject({ id: sent.id, text: 'hello', reply_to: null, edited_at: null, deleted: false, reactions: [] });
    await t.http().get(`/api/messages/${sent.id}/`).set(auth(mallory)).expect(404);
    await t.http().get('/api/messages/99999999/').set(auth(carol)).expect(404);
    await t.http().get('/api/messages/abc/').set(auth(carol)).expect(404);
  });

  it('lets the sender edit (PATCH or PUT), refuses other members (403) and strangers (404), and tells joined sockets', async () => {
    const sent = await send(bob, group, 'teh typo');
    const carolSocket = await socketIn(carol, group);
    const updates = seen<{ id: number; text: string; edited_at: string }>(carolSocket, 'message:updated');

    const edited = (await t.http().patch(`/api/messages/${sent.id}/`).set(auth(bob)).send({ text: 'the typo, fixed' }).expect(200)).body;
    expect(edited).toMatchObject({ id: sent.id, text: 'the typo, fixed', edited_at: expect.any(String) });
    expect((await t.http().put(`/api/messages/${sent.id}/`).set(auth(bob)).send({ text: 'fixed twice' }).expect(200)).body.text).toBe('fixed twice');
    expect((await t.http().patch(`/api/messages/${sent.id}/`).set(auth(alice)).send({ text: 'not yours' }).expect(403)).body).toMatchObject({ code: 'permission_denied' });
    await t.http().patch(`/api/messages/${sent.id}/`).set(auth(mallory)).send({ text: 'nope' }).expect(404);
    expect((await t.http().patch(`/api/messages/${sent.id}/`).set(auth(bob)).send({ text: '   ' }).expect(400)).body).toEqual({ text: ['This field may not be blank.'] });
    expect((await t.http().patch(`/api/messages/${sent.id}/`).set(auth(bob)).send({}).expect(400)).body).toHaveProperty('text');

    await waitUntil(() => updates.length === 2, 5000, 'message:updated');
    expect(updates.map((u) => u.text)).toEqual(['the typo, fixed', 'fixed twice']);
    // The history shows the edit too.
    const history = (await t.http().get(`/api/conversations/${group}/messages/?limit=5`).set(auth(carol)).expect(200)).body as Array<{ id: number; text: string; edited_at: string | null }>;
    expect(history.find((m) => m.id === sent.id)).toMatchObject({ text: 'fixed twice', edited_at: expect.any(String) });
  });

  it('deletes for the sender or a group admin, keeps the place, and hides the text everywhere', async () => {
    const first = await send(bob, group, 'one');
    const second = await send(carol, group, 'two');
    const third = await send(bob, group, 'three');
    const aliceSocket = await socketIn(alice, group);
    const deletions = seen<{ conversation: number; id: number }>(aliceSocket, 'message:deleted');

    await t.http().delete(`/api/messages/${second.id}/`).set(auth(bob)).expect(403);
    await t.http().delete(`/api/messages/${second.id}/`).set(auth(mallory)).expect(404);
    await t.http().delete(`/api/messages/${first.id}/`).set(auth(bob)).expect(204);
    // The group's owner may delete anyone's message; deleting again changes nothing.
    await t.http().delete(`/api/messages/${second.id}/`).set(auth(alice)).expect(204);
    await t.http().delete(`/api/messages/${second.id}/`).set(auth(alice)).expect(204);
    await waitUntil(() => deletions.length === 2, 5000, 'message:deleted');
    expect(deletions).toEqual([
      { conversation: group, id: first.id },
      { conversation: group, id: second.id },
    ]);

    const got = (await t.http().get(`/api/messages/${first.id}/`).set(auth(carol)).expect(200)).body;
    expect(got).toMatchObject({ id: first.id, text: '', deleted: true, reactions: [] });
    await t.http().patch(`/api/messages/${first.id}/`).set(auth(bob)).send({ text: 'back' }).expect(400);
    await t.http().put(`/api/messages/${first.id}/reactions/${THUMBS}/`).set(auth(carol)).expect(400);

    // The place stays: page numbers and cursors do not move.
    const page = (await t.http().get(`/api/messages/?conversation=${group}&page_size=100`).set(auth(carol)).expect(200)).body;
    const ids = page.results.map((m: { id: number }) => m.id);
    expect(ids).toEqual(expect.arrayContaining([first.id, second.id, third.id]));
    expect(page.results.find((m: { id: number }) => m.id === second.id)).toMatchObject({ deleted: true, text: '' });
    const whole = (await t.http().get(`/api/conversations/${group}/messages/`).set(auth(carol)).expect(200)).body;
    const paged = (await t.http().get(`/api/conversations/${group}/messages/?limit=200`).set(auth(carol)).expect(200)).body;
    expect(whole).toEqual(paged);
    // The /messenger/ family leaves deleted messages out, whole or paged.
    const roomName = (await t.http().get('/messenger/api/user/chatrooms/').set(auth(carol)).expect(200)).body.find((r: { id: number }) => r.id === group).name;
    for (const query of ['', '?limit=200']) {
      const roomHistory = (await t.http().get(`/messenger/api/chatrooms/${roomName}/messages/${query}`).set(auth(carol)).expect(200)).body as Array<{ id: number }>;
      expect(roomHistory.map((m) => m.id)).not.toContain(first.id);
      expect(roomHistory.map((m) => m.id)).toContain(third.id);
    }
  });

  it('answers a message of the same conversation on every send path, and refuses one of another', async () => {
    const original = await send(alice, direct.id, 'question?');
    expect((await send(bob, direct.id, 'answer', { reply_to: original.id })).reply_to).toBe(original.id);
    const viaRoom = (await t.http().post(`/messenger/api/chatrooms/${direct.name}/messages/`).set(auth(bob)).send({ content: 'also', reply_to: String(original.id) }).expect(201)).body;
    expect((await t.http().get(`/api/messages/${viaRoom.id}/`).set(auth(alice)).expect(200)).body.reply_to).toBe(original.id);

    const bobSocket = connectSocket(t.baseUrl, bob.access);
    sockets.push(bobSocket);
    await connected(bobSocket);
    const ack = await request(bobSocket, 'message:send', { conversation: direct.id, text: 'from a socket', reply_to: original.id });
    expect(ack).toMatchObject({ ok: true, message: { reply_to: original.id } });

    const bobRoom = await room(bob);
    bobRoom.ws.send(JSON.stringify({ message: 'from the room', reply_to: original.id }));
    await waitUntil(() => bobRoom.frames.some((f) => f.content === 'from the room'), 5000, 'room message');
    const stored = bobRoom.frames.find((f) => f.content === 'from the room') as { id: number };
    expect((await t.http().get(`/api/messages/${stored.id}/`).set(auth(bob)).expect(200)).body.reply_to).toBe(original.id);

    const elsewhere = await send(alice, group, 'in the group');
    expect((await t.http().post('/api/messages/').set(auth(bob)).send({ conversation: direct.id, text: 'x', reply_to: elsewhere.id }).expect(400)).body).toEqual({
      reply_to: [`Invalid pk "${elsewhere.id}" - object does not exist.`],
    });
    expect((await request(bobSocket, 'message:send', { conversation: direct.id, text: 'x', reply_to: elsewhere.id })).ok).toBe(false);
    expect((await t.http().post('/api/messages/').set(auth(bob)).send({ conversation: direct.id, text: 'x', reply_to: 'abc' }).expect(400)).body).toHaveProperty('reply_to');
    // A stranger naming a reply learns nothing: the same answer as for any conversation not theirs.
    expect((await t.http().post('/api/messages/').set(auth(mallory)).send({ conversation: direct.id, text: 'x', reply_to: original.id }).expect(400)).body).toEqual({
      conversation: [`Invalid pk "${direct.id}" - object does not exist.`],
    });
  });

  it('counts reactions per emoji, idempotently, for members only, and tells joined sockets', async () => {
    const sent = await send(alice, group, 'react to me');
    const aliceSocket = await socketIn(alice, group);
    const changes = seen<{ id: number; reactions: unknown[] }>(aliceSocket, 'message:reactions');

    const once = (await t.http().put(`/api/messages/${sent.id}/reactions/${THUMBS}/`).set(auth(bob)).expect(200)).body;
    expect(once.reactions).toEqual([{ emoji: '👍', count: 1, users: [bob.id] }]);
    await t.http().put(`/api/messages/${sent.id}/reactions/${THUMBS}/`).set(auth(bob)).expect(200);
    await t.http().put(`/api/messages/${sent.id}/reactions/${THUMBS}/`).set(auth(carol)).expect(200);
    const heart = (await t.http().put(`/api/messages/${sent.id}/reactions/${encodeURIComponent('❤️')}/`).set(auth(carol)).expect(200)).body;
    expect(heart.reactions).toEqual([
      { emoji: '👍', count: 2, users: [bob.id, carol.id] },
      { emoji: '❤️', count: 1, users: [carol.id] },
    ]);
    await t.http().delete(`/api/messages/${sent.id}/reactions/${THUMBS}/`).set(auth(bob)).expect(204);
    await t.http().delete(`/api/messages/${sent.id}/reactions/${THUMBS}/`).set(auth(bob)).expect(204);
    expect((await t.http().get(`/api/messages/${sent.id}/`).set(auth(alice)).expect(200)).body.reactions).toEqual([
      { emoji: '👍', count: 1, users: [carol.id] },
      { emoji: '❤️', count: 1, users: [carol.id] },
    ]);

    // Idempotent repeats and removals of nothing tell nobody: four changes, four events.
    await waitUntil(() => changes.length === 4, 5000, 'message:reactions');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toHaveLength(4);
    expect(changes[3]).toEqual({ conversation: group, id: sent.id, reactions: [{ emoji: '👍', count: 1, users: [carol.id] }, { emoji: '❤️', count: 1, users: [carol.id] }] });

    await t.http().put(`/api/messages/${sent.id}/reactions/${THUMBS}/`).set(auth(mallory)).expect(404);
    for (const bad of ['ok', '👍👍', '%20', encodeURIComponent('<b>')]) {
      expect((await t.http().put(`/api/messages/${sent.id}/reactions/${bad}/`).set(auth(bob)).expect(400)).body).toEqual({ emoji: ['Send one emoji.'] });
    }
  });

  it('bounds the number of different emoji on one message', async () => {
    const sent = await send(alice, group, 'so many feelings');
    const emoji = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '😚', '🙂', '🤗'];
    for (const e of emoji) await t.http().put(`/api/messages/${sent.id}/reactions/${encodeURIComponent(e)}/`).set(auth(bob)).expect(200);
    expect((await t.http().put(`/api/messages/${sent.id}/reactions/${encodeURIComponent('🤩')}/`).set(auth(bob)).expect(400)).body).toEqual({ emoji: ['A message takes at most 20 different emoji.'] });
    // An emoji already there can still be added by someone else.
    expect((await t.http().put(`/api/messages/${sent.id}/reactions/${encodeURIComponent('😀')}/`).set(auth(carol)).expect(200)).body.reactions[0]).toEqual({ emoji: '😀', count: 2, users: [bob.id, carol.id] });
  });

  it('sends edits, deletions and reactions to room connections that opted in, and nothing new to the others; room histories leave deleted messages out', async () => {
    const plain = await room(alice);
    const opted = await room(alice, '?events=all'.replace('?', '&'));
    const sent = await send(bob, direct.id, 'to be changed');
    await waitUntil(() => plain.frames.some((f) => f.id === sent.id) && opted.frames.some((f) => f.id === sent.id), 5000, 'message frames');

    await t.http().patch(`/api/messages/${sent.id}/`).set(auth(bob)).send({ text: 'changed' }).expect(200);
    await t.http().put(`/api/messages/${sent.id}/reactions/${THUMBS}/`).set(auth(alice)).expect(200);
    await t.http().delete(`/api/messages/${sent.id}/`).set(auth(bob)).expect(204);
    await waitUntil(() => opted.frames.some((f) => f.type === 'message_deleted'), 5000, 'deletion frame');
    expect(opted.frames.filter((f) => typeof f.type === 'string' && f.type !== 'message_history' && f.type !== 'presence')).toEqual([
      { type: 'message_updated', id: sent.id, user: bob.username, content: 'changed', timestamp: expect.any(String), edited_at: expect.any(String) },
      { type: 'reactions', id: sent.id, reactions: [{ emoji: '👍', count: 1, users: [alice.id] }] },
      { type: 'message_deleted', id: sent.id },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(plain.frames.every((f) => f.type === 'message_history' || typeof f.content === 'string')).toBe(true);

    const later = await room(alice);
    const history = later.frames.find((f) => f.type === 'message_history') as { messages: Array<{ id: number }> };
    expect(history.messages.map((m) => m.id)).not.toContain(sent.id);
  });
});
