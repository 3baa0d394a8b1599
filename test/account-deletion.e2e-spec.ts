import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connected, connectError, connectSocket, openRoom, request, waitUntil } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f7d6c10000000049454e44ae426082', 'hex');

describe('account deletion (DELETE /profiles/api/profile/)', () => {
  let t: TestApp;
  let victim: TestUser;
  let friend: TestUser;
  const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });

  beforeAll(async () => {
    t = await startTestApp();
    victim = await createUser(t, 'leaving');
    friend = await createUser(t, 'staying');
  });
  afterAll(async () => {
    await t.close();
  });

  it('needs the password: missing or wrong is 400 and changes nothing', async () => {
    await t.http().delete('/profiles/api/profile/').set(bearer(victim)).send({}).expect(400);
    const wrong = await t.http().delete('/profiles/api/profile/').set(bearer(victim)).send({ password: 'not my password' }).expect(400);
    expect(wrong.body).toEqual({ password: ['Incorrect password.'] });
    await t.http().get('/profiles/api/profile/').set(bearer(victim)).expect(200);
  });

  it('removes what the user owns, keeps their messages under a scrubbed sender, and stops every token and connection', async () => {
    const conversation = (await t.http().post('/api/conversations/').set(bearer(victim)).send({ participants: [friend.id] }).expect(201)).body.id;
    const room = ((await t.http().get('/messenger/api/user/chatrooms/').set(bearer(friend)).expect(200)).body as Array<{ id: number; name: string }>).find((r) => r.id === conversation)!.name;
    const sent = (await t.http().post('/api/messages/').set(bearer(victim)).send({ conversation, text: 'goodbye' }).expect(201)).body;
    await t.http().post('/profiles/api/posts/').set(bearer(victim)).send({ title: 'Mine', content: 'to be removed' }).expect(201);
    await t.http().post('/profiles/api/add-friend/').set(bearer(victim)).send({ username: friend.username }).expect(200);
    const image = (await t.http().post('/profiles/api/profile/image/').set(bearer(victim)).attach('image', PNG, { filename: 'me.png', contentType: 'image/png' }).expect(200)).body;
    const picture: string = image.profile.image;
    await t.http().get(picture).expect(200);

    const socket = connectSocket(t.baseUrl, victim.access);
    await connected(socket);
    expect(await request(socket, 'conversation:join', { conversation })).toMatchObject({ ok: true });
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    const ws = await openRoom(t.baseUrl, `/ws/chat/${encodeURIComponent(room)}/?token=${victim.access}`);

    await t.http().delete('/profiles/api/profile/').set(bearer(victim)).send({ password: victim.password }).expect(204);

    // Live connections end; new ones are refused.
    expect(await disconnected).toBe('io server disconnect');
    expect((await ws.closed).code).toBe(4401);
    expect(await connectError(connectSocket(t.baseUrl, victim.access))).toMatch(/blacklisted/);
    await expect(openRoom(t.baseUrl, `/ws/chat/${encodeURIComponent(room)}/?token=${victim.access}`)).rejects.toMatchObject({ status: 401 });

    // Every token and the password stop working.
    await t.http().get('/profiles/api/profile/').set(bearer(victim)).expect(401);
    await t.http().post('/api/token/refresh/').send({ refresh: victim.refresh }).expect(401);
    await t.http().post('/login/').send({ username: victim.username, password: victim.password }).expect(401);

    // What they owned is gone; nobody can find them.
    await t.http().get(picture).expect(404);
    const posts = await t.http().get(`/profiles/api/posts/?author=${victim.id}`).set(bearer(friend)).expect(200);
    expect(posts.body).toEqual([]);
    const friendProfile = await t.http().get('/profiles/api/profile/').set(bearer(friend)).expect(200);
    expect(friendProfile.body.profile.friends).toEqual([]);
    await t.http().get(`/profiles/api/search-user/?username=${victim.username}`).set(bearer(friend)).expect(404);
    const users = await t.http().get(`/accounts/api/users/?search=${victim.username}`).set(bearer(friend)).expect(200);
    expect(users.body).toEqual([]);
    await t.http().post('/messenger/api/chatrooms/').set(bearer(friend)).send({ recipient: victim.username }).expect(400);
    await t.http().post('/api/conversations/').set(bearer(friend)).send({ participants: [victim.id] }).expect(400);

    // Their messages stay in the conversation, from a scrubbed sender who is no longer a member.
    const history = await t.http().get(`/api/conversations/${conversation}/messages/`).set(bearer(friend)).expect(200);
    expect(history.body).toEqual([expect.objectContaining({ id: sent.id, text: 'goodbye', sender: { id: victim.id, username: `~deleted~${victim.id}`, email: expect.stringMatching(/^deleted-[0-9a-f-]{36}@invalid$/) } })]);
    const detail = await t.http().get(`/api/conversations/${conversation}/`).set(bearer(friend)).expect(200);
    expect(detail.body.participants.map((p: { id: number }) => p.id)).toEqual([friend.id]);
    const [row] = await t.dataSource.query(`SELECT username, password_hash, deleted_at FROM users WHERE id = $1`, [victim.id]);
    expect(row).toMatchObject({ username: `~deleted~${victim.id}`, password_hash: '!' });
    expect(row.deleted_at).not.toBeNull();
    const [{ sessions }] = await t.dataSource.query(`SELECT count(*)::int AS sessions FROM auth_sessions WHERE user_id = $1`, [victim.id]);
    expect(sessions).toBe(0);

    // The name is free again.
    const again = await t.http().post('/accounts/api/users/').send({ username: victim.username, email: victim.email, password: 'a brand new password' }).expect(200);
    expect(again.body.id).not.toBe(victim.id);
    await waitUntil(() => !socket.connected);
  });
});
