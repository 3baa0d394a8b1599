import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { connected, connectSocket, openRoom, request, waitUntil } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

/** Group administration and blocking (issue 16), for the owner, an admin, a member, a former member, a blocked user and a stranger. */
describe('groups: titles, participants, roles, leaving; blocking', () => {
  let t: TestApp;
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let stranger: TestUser;
  let group: number;
  const sockets: Socket[] = [];

  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });
  const socketOf = async (user: TestUser) => {
    const socket = connectSocket(t.baseUrl, user.access);
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  const events = <T>(socket: Socket, name: string) => {
    const list: T[] = [];
    socket.on(name, (payload: T) => list.push(payload));
    return list;
  };
  const roles = async (viewer: TestUser, id = group) =>
    Object.fromEntries(((await t.http().get(`/api/conversations/${id}/`).set(auth(viewer)).expect(200)).body.participants as Array<{ id: number; role: string }>).map((p) => [p.id, p.role]));

  beforeAll(async () => {
    t = await startTestApp();
    [owner, admin, member, stranger] = [await createUser(t, 'owner'), await createUser(t, 'admin'), await createUser(t, 'member'), await createUser(t, 'stranger')];
    const created = (await t.http().post('/api/conversations/').set(auth(owner)).send({ participants: [admin.id, member.id] }).expect(201)).body;
    group = created.id;
    expect(created.title).toBeNull();
    expect(created.participants.find((p: { id: number }) => p.id === owner.id).role).toBe('owner');
    await t.http().patch(`/api/conversations/${group}/participants/${admin.id}/`).set(auth(owner)).send({ role: 'admin' }).expect(200);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await t.close();
  });

  it('names a group (owner and admins), shows the title everywhere, and tells the members', async () => {
    const memberSocket = await socketOf(member);
    const updates = events<{ id: number; title: string | null }>(memberSocket, 'conversation:updated');
    expect((await t.http().patch(`/api/conversations/${group}/`).set(auth(admin)).send({ title: '  Weekend trip  ' }).expect(200)).body.title).toBe('Weekend trip');
    await t.http().patch(`/api/conversations/${group}/`).set(auth(member)).send({ title: 'mine now' }).expect(403);
    await t.http().patch(`/api/conversations/${group}/`).set(auth(stranger)).send({ title: 'x' }).expect(404);
    await t.http().patch(`/api/conversations/${group}/`).set(auth(owner)).send({ title: 'x'.repeat(256) }).expect(400);
    // A PATCH without a title leaves it; re-adding people already in the group changes nothing.
    expect((await t.http().patch(`/api/conversations/${group}/`).set(auth(owner)).send({}).expect(200)).body.title).toBe('Weekend trip');
    expect((await t.http().post(`/api/conversations/${group}/participants/`).set(auth(owner)).send({ participants: [member.id] }).expect(200)).body.title).toBe('Weekend trip');
    const rooms = (await t.http().get('/messenger/api/user/chatrooms/').set(auth(member)).expect(200)).body as Array<{ id: number; display_name: string }>;
    expect(rooms.find((r) => r.id === group)?.display_name).toBe('Weekend trip');
    await waitUntil(() => updates.length > 0, 5000, 'conversation:updated');
    expect(updates[0]).toMatchObject({ id: group, title: 'Weekend trip' });
    expect(updates[0]).not.toHaveProperty('unread_count');
  });

  it('refuses group routes on a direct conversation (400)', async () => {
    const direct = (await t.http().post('/api/conversations/').set(auth(owner)).send({ participants: [stranger.id] }).expect(201)).body.id;
    for (const call of [
      t.http().patch(`/api/conversations/${direct}/`).set(auth(owner)).send({ title: 'x' }),
      t.http().post(`/api/conversations/${direct}/participants/`).set(auth(owner)).send({ participants: [member.id] }),
      t.http().delete(`/api/conversations/${direct}/participants/${stranger.id}/`).set(auth(owner)),
      t.http().patch(`/api/conversations/${direct}/participants/${stranger.id}/`).set(auth(owner)).send({ role: 'admin' }),
    ]) {
      expect((await call).status).toBe(400);
    }
  });

  it('adds people (owner and admins, within 50), who get conversation:new and start with everything read', async () => {
    await t.http().post('/api/messages/').set(auth(owner)).send({ conversation: group, text: 'before you came' }).expect(201);
    const newcomer = await createUser(t, 'newcomer');
    const newcomerSocket = await socketOf(newcomer);
    const invitations = events<{ id: number; unread_count: number }>(newcomerSocket, 'conversation:new');
    await t.http().post(`/api/conversations/${group}/participants/`).set(auth(member)).send({ participants: [newcomer.id] }).expect(403);
    const added = (await t.http().post(`/api/conversations/${group}/participants/`).set(auth(admin)).send({ participants: [newcomer.id, member.id] }).expect(200)).body;
    expect(added.participants.map((p: { id: number }) => p.id)).toContain(newcomer.id);
    await waitUntil(() => invitations.length === 1, 5000, 'conversation:new');
    expect(invitations[0]).toMatchObject({ id: group, unread_count: 0 });
    expect((await t.http().get(`/api/conversations/${group}/`).set(auth(newcomer)).expect(200)).body.unread_count).toBe(0);
    // The history before they came is readable (a group's history belongs to the group).
    expect((await t.http().get(`/api/conversations/${group}/messages/`).set(auth(newcomer)).expect(200)).body.length).toBeGreaterThan(0);
    expect((await t.http().post(`/api/conversations/${group}/participants/`).set(auth(admin)).send({ participants: [999999] }).expect(400)).body).toEqual({
      participants: ['Invalid pk "999999" - object does not exist.'],
    });
    const crowd: number[] = [];
    for (let i = 0; i < 47; i++) crowd.push((await createUser(t, 'crowd')).id);
    expect((await t.http().post(`/api/conversations/${group}/participants/`).set(auth(owner)).send({ participants: crowd }).expect(400)).body).toEqual({ participants: ['At most 50 participants.'] });
    // Leaving now, so the other tests see the group as it was.
    await t.http().delete(`/api/conversations/${group}/participants/${newcomer.id}/`).set(auth(newcomer)).expect(204);
  });

  it('sets roles (the owner only) and hands ownership over', async () => {
    await t.http().patch(`/api/conversations/${group}/participants/${member.id}/`).set(auth(admin)).send({ role: 'admin' }).expect(403);
    await t.http().patch(`/api/conversations/${group}/participants/${member.id}/`).set(auth(owner)).send({ role: 'king' }).expect(400);
    await t.http().patch(`/api/conversations/${group}/participants/${owner.id}/`).set(auth(owner)).send({ role: 'member' }).expect(400);
    await t.http().patch(`/api/conversations/${group}/participants/${stranger.id}/`).set(auth(owner)).send({ role: 'admin' }).expect(404);
    const temp = (await t.http().post('/api/conversations/').set(auth(owner)).send({ participants: [admin.id, member.id] }).expect(201)).body.id;
    await t.http().patch(`/api/conversations/${temp}/participants/${member.id}/`).set(auth(owner)).send({ role: 'owner' }).expect(200);
    expect(await roles(owner, temp)).toEqual({ [owner.id]: 'admin', [admin.id]: 'member', [member.id]: 'owner' });
  });

  it('removes members (owner: anyone; admin: members only), and a removed member loses everything at once', async () => {
    const leaver = await createUser(t, 'leaver');
    await t.http().post(`/api/conversations/${group}/participants/`).set(auth(owner)).send({ participants: [leaver.id] }).expect(200);
    const message = (await t.http().post('/api/messages/').set(auth(leaver)).send({ conversation: group, text: 'I was here' }).expect(201)).body.id;
    const leaverSocket = await socketOf(leaver);
    expect((await request(leaverSocket, 'conversation:join', { conversation: group })).ok).toBe(true);
    const removals = events<{ conversation: number }>(leaverSocket, 'conversation:removed');
    const delivered = events<{ id: number }>(leaverSocket, 'message:new');
    const roomName = (await t.http().get('/messenger/api/user/chatrooms/').set(auth(leaver)).expect(200)).body.find((r: { id: number }) => r.id === group).name;
    const room = await openRoom(t.baseUrl, `/ws/chat/${roomName}/?token=${leaver.access}`);

    await t.http().delete(`/api/conversations/${group}/participants/${admin.id}/`).set(auth(member)).expect(403);
    await t.http().delete(`/api/conversations/${group}/participants/${owner.id}/`).set(auth(admin)).expect(403);
    await t.http().delete(`/api/conversations/${group}/participants/${leaver.id}/`).set(auth(stranger)).expect(404);
    await t.http().delete(`/api/conversations/${group}/participants/${leaver.id}/`).set(auth(admin)).expect(204);

    expect((await room.closed).code).toBe(4403);
    await waitUntil(() => removals.length === 1, 5000, 'conversation:removed');
    expect(removals[0]).toEqual({ conversation: group });
    await t.http().post('/api/messages/').set(auth(owner)).send({ conversation: group, text: 'after you left' }).expect(201);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(delivered).toEqual([]);
    // What they could read before is out of reach too.
    await t.http().get(`/api/conversations/${group}/`).set(auth(leaver)).expect(404);
    await t.http().get(`/api/conversations/${group}/messages/`).set(auth(leaver)).expect(404);
    await t.http().get(`/api/messages/${message}/`).set(auth(leaver)).expect(404);
    await t.http().post('/api/messages/').set(auth(leaver)).send({ conversation: group, text: 'let me back' }).expect(400);
    expect((await request(leaverSocket, 'conversation:join', { conversation: group })).ok).toBe(false);
    await expect(openRoom(t.baseUrl, `/ws/chat/${roomName}/?token=${leaver.access}`)).rejects.toMatchObject({ status: 404 });
    // Their message stays in the group's history.
    expect((await t.http().get(`/api/messages/${message}/`).set(auth(owner)).expect(200)).body.text).toBe('I was here');
  });

  it('hands the group to the oldest admin when the owner leaves, else to the oldest member', async () => {
    const [a, b, c] = [await createUser(t, 'a'), await createUser(t, 'b'), await createUser(t, 'c')];
    const g = (await t.http().post('/api/conversations/').set(auth(a)).send({ participants: [b.id, c.id] }).expect(201)).body.id;
    await t.http().patch(`/api/conversations/${g}/participants/${c.id}/`).set(auth(a)).send({ role: 'admin' }).expect(200);
    await t.http().delete(`/api/conversations/${g}/participants/${a.id}/`).set(auth(a)).expect(204);
    expect(await roles(b, g)).toEqual({ [b.id]: 'member', [c.id]: 'owner' });
    await t.http().delete(`/api/conversations/${g}/participants/${c.id}/`).set(auth(c)).expect(204);
    expect(await roles(b, g)).toEqual({ [b.id]: 'owner' });
    // A former member's leave again is 404: they are not in it.
    await t.http().delete(`/api/conversations/${g}/participants/${c.id}/`).set(auth(c)).expect(404);
  });

  describe('blocking', () => {
    let victim: TestUser;
    let harasser: TestUser;
    let direct: { id: number; name: string };

    beforeAll(async () => {
      [victim, harasser] = [await createUser(t, 'victim'), await createUser(t, 'harasser')];
      direct = (await t.http().post('/messenger/api/chatrooms/').set(auth(harasser)).send({ recipient: victim.username }).expect(201)).body;
      await t.http().post('/api/messages/').set(auth(harasser)).send({ conversation: direct.id, text: 'before the block' }).expect(201);
    });

    it('lists, adds (idempotently) and removes blocks', async () => {
      const blocked = await t.http().post('/api/blocks/').set(auth(victim)).send({ user: harasser.id }).expect(201);
      expect(blocked.body).toEqual({ user: { id: harasser.id, username: harasser.username }, created_at: expect.any(String) });
      await t.http().post('/api/blocks/').set(auth(victim)).send({ user: harasser.id }).expect(200);
      expect((await t.http().get('/api/blocks/').set(auth(victim)).expect(200)).body).toEqual([blocked.body]);
      expect((await t.http().get('/api/blocks/').set(auth(harasser)).expect(200)).body).toEqual([]);
      expect((await t.http().post('/api/blocks/').set(auth(victim)).send({ user: victim.id }).expect(400)).body).toEqual({ user: ['You cannot block yourself.'] });
      await t.http().post('/api/blocks/').set(auth(victim)).send({ user: 999999 }).expect(400);
      await t.http().post('/api/blocks/').set(auth(victim)).send({ user: 'x' }).expect(400);
      await t.http().delete(`/api/blocks/${stranger.id}/`).set(auth(victim)).expect(404);
    });

    it("stops the blocked user's direct messages and new conversations (403), on every path, but hides nothing already sent", async () => {
      expect((await t.http().post('/api/messages/').set(auth(harasser)).send({ conversation: direct.id, text: 'hey' }).expect(403)).body).toEqual({ detail: 'You cannot message this user.', code: 'permission_denied' });
      await t.http().post(`/messenger/api/chatrooms/${direct.name}/messages/`).set(auth(harasser)).send({ content: 'hey' }).expect(403);
      await t.http().post('/messenger/api/chatrooms/').set(auth(harasser)).send({ recipient: victim.username }).expect(403);
      await t.http().post('/api/conversations/').set(auth(harasser)).send({ participants: [victim.id] }).expect(403);
      const socket = await socketOf(harasser);
      expect(await request(socket, 'message:send', { conversation: direct.id, text: 'hey' })).toMatchObject({ ok: false, error: { status: 403 } });
      const room = await openRoom(t.baseUrl, `/ws/chat/${direct.name}/?token=${harasser.access}&errors=1`);
      await waitUntil(() => room.frames.length > 0, 5000, 'history');
      room.ws.send(JSON.stringify({ message: 'hey' }));
      await waitUntil(() => room.frames.some((f) => f.type === 'error'), 5000, 'error frame');
      expect(room.frames.find((f) => f.type === 'error')).toMatchObject({ status: 403 });
      room.ws.close();
      // Both still read what was sent; the blocker may still write.
      expect((await t.http().get(`/api/conversations/${direct.id}/messages/`).set(auth(victim)).expect(200)).body.map((m: { text: string }) => m.text)).toEqual(['before the block']);
      await t.http().get(`/api/conversations/${direct.id}/messages/`).set(auth(harasser)).expect(200);
      await t.http().post('/api/messages/').set(auth(victim)).send({ conversation: direct.id, text: 'stop it' }).expect(201);
    });

    it('keeps the blocked user from putting the blocker into groups (400 naming them)', async () => {
      expect((await t.http().post('/api/conversations/').set(auth(harasser)).send({ participants: [victim.id, stranger.id] }).expect(400)).body).toEqual({
        participants: [`${victim.username} cannot be added to a conversation by you.`],
      });
      const g = (await t.http().post('/api/conversations/').set(auth(harasser)).send({ participants: [stranger.id, member.id] }).expect(201)).body.id;
      expect((await t.http().post(`/api/conversations/${g}/participants/`).set(auth(harasser)).send({ participants: [victim.id] }).expect(400)).body).toEqual({
        participants: [`${victim.username} cannot be added to a conversation by you.`],
      });
    });

    it("hides the blocker's presence and typing from the blocked user", async () => {
      const shared = (await t.http().post('/api/conversations/').set(auth(victim)).send({ participants: [harasser.id, stranger.id] }).expect(201)).body.id;
      const harasserSocket = await socketOf(harasser);
      const strangerSocket = await socketOf(stranger);
      const harasserTyping = events(harasserSocket, 'typing');
      const strangerTyping = events(strangerSocket, 'typing');
      const harasserPresence = events<{ user: { id: number } }>(harasserSocket, 'presence');
      const strangerPresence = events<{ user: { id: number } }>(strangerSocket, 'presence');
      const victimSocket = await socketOf(victim);
      expect(await request(victimSocket, 'typing:start', { conversation: shared })).toEqual({ ok: true });
      await waitUntil(() => strangerTyping.length === 1 && strangerPresence.some((p) => p.user.id === victim.id), 5000, 'typing and presence for the stranger');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(harasserTyping).toEqual([]);
      expect(harasserPresence.filter((p) => p.user.id === victim.id)).toEqual([]);
      expect((await t.http().get(`/api/presence/?users=${victim.id}`).set(auth(harasser)).expect(200)).body).toEqual([]);
      expect((await t.http().get(`/api/presence/?users=${victim.id}`).set(auth(stranger)).expect(200)).body).toHaveLength(1);
    });

    it('lifts everything when unblocked', async () => {
      await t.http().delete(`/api/blocks/${harasser.id}/`).set(auth(victim)).expect(204);
      await t.http().post('/api/messages/').set(auth(harasser)).send({ conversation: direct.id, text: 'sorry' }).expect(201);
      await t.http().post('/messenger/api/chatrooms/').set(auth(harasser)).send({ recipient: victim.username }).expect(200);
    });
  });
});
