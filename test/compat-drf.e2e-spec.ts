import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openRoom, waitUntil } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

/**
 * The requests that clients written for the two original Django systems make, replayed as a
 * black box, each answer checked against what Django REST framework, SimpleJWT and Channels send
 * (issue 12). Written from the originals' documented behaviour and source, not from any client.
 */
/**
 * An account made as the seed-003 web client makes it. Plain names, as people pick them (the
 * helper's names carry `_`, which changes the room name's separator).
 */
async function registerAsOriginal(t: TestApp, username: string): Promise<TestUser> {
  const password = 'password123';
  const created = await t.http().post('/accounts/api/users/').send({ username, email: `${username}@example.com`, password }).expect(200);
  const pair = await t.http().post('/accounts/api/token/').send({ username, password }).expect(200);
  return { id: created.body.user.id, username, email: `${username}@example.com`, password, access: pair.body.access, refresh: pair.body.refresh };
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

describe('seed-000 clients (DRF + SimpleJWT messaging_app)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let conversation: number;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await createUser(t, 'alice');
    bob = await createUser(t, 'bob');
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (user: TestUser) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${user.access}`),
    post: (path: string) => t.http().post(path).set('Authorization', `Bearer ${user.access}`),
  });

  it('POST /api/token/ logs in as SimpleJWT does, with user_id and token_type claims', async () => {
    const pair = await t.http().post('/api/token/').send({ username: alice.username, password: alice.password }).expect(200);
    expect(Object.keys(pair.body).sort()).toEqual(['access', 'refresh']);
    expect(claimsOf(pair.body.access)).toMatchObject({ user_id: alice.id, token_type: 'access' });
    expect(claimsOf(pair.body.refresh)).toMatchObject({ user_id: alice.id, token_type: 'refresh' });
    // The /login/ family's shorter lifetimes.
    const access = claimsOf(pair.body.access) as { exp: number; iat: number };
    expect(access.exp - access.iat).toBe(15 * 60);
    await as({ ...alice, access: pair.body.access }).get('/api/conversations/').expect(200);
    const wrong = await t.http().post('/api/token/').send({ username: alice.username, password: 'nope' }).expect(401);
    expect(wrong.body).toEqual({ detail: 'No active account found with the given credentials', code: 'no_active_account' });
  });

  it.each(['/api/token/verify/', '/accounts/api/token/verify/'])('%s answers {} for a good token and SimpleJWT 401 for anything else', async (path) => {
    expect((await t.http().post(path).send({ token: alice.access }).expect(200)).body).toEqual({});
    expect((await t.http().post(path).send({ token: alice.refresh }).expect(200)).body).toEqual({});
    const bad = await t.http().post(path).send({ token: 'abc.def.ghi' }).expect(401);
    expect(bad.body).toEqual({ detail: 'Token is invalid or expired', code: 'token_not_valid' });
    expect((await t.http().post(path).send({}).expect(400)).body).toEqual({ token: ['This field is required.'] });
    // A revoked session's tokens are no longer valid.
    const login = await t.http().post('/api/token/').send({ username: bob.username, password: bob.password }).expect(200);
    await t.http().post('/logout/').send({ refresh: login.body.refresh }).expect(200);
    const revoked = await t.http().post(path).send({ token: login.body.access }).expect(401);
    expect(revoked.body).toEqual({ detail: 'Token is blacklisted', code: 'token_not_valid' });
  });

  it('answers a malformed or spent refresh token with 401 token_not_valid, never 400', async () => {
    expect((await t.http().post('/api/token/refresh/').send({ refresh: 'garbage' }).expect(401)).body).toEqual({ detail: 'Token is invalid or expired', code: 'token_not_valid' });
    const login = await t.http().post('/api/token/').send({ username: bob.username, password: bob.password }).expect(200);
    await t.http().post('/api/token/refresh/').send({ refresh: login.body.refresh }).expect(200);
    expect((await t.http().post('/api/token/refresh/').send({ refresh: login.body.refresh }).expect(401)).body).toEqual({ detail: 'Token is blacklisted', code: 'token_not_valid' });
  });

  it('answers missing and bad credentials on a protected route as SimpleJWT', async () => {
    const none = await t.http().get('/api/conversations/').expect(401);
    expect(none.body).toEqual({ detail: 'Authentication credentials were not provided.', code: 'not_authenticated' });
    expect(none.headers['www-authenticate']).toBe('Bearer realm="api"');
    const bad = await t.http().get('/api/conversations/').set('Authorization', 'Bearer abc').expect(401);
    expect(bad.body).toEqual({
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
      messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid or expired' }],
    });
  });

  it('takes ids as numeric strings, and form-encoded and multipart bodies', async () => {
    const created = await as(alice).post('/api/conversations/').send({ participants: [String(bob.id)] });
    expect([200, 201]).toContain(created.status);
    conversation = created.body.id;
    expect(created.body.participants.map((p: { id: number }) => p.id).sort()).toEqual([alice.id, bob.id].sort((a, b) => a - b));
    const form = await as(alice).post('/api/conversations/').type('form').send(`participants=${bob.id}`).expect(200);
    expect(form.body.id).toBe(conversation);
    const sent = await as(alice).post('/api/messages/').send({ conversation: String(conversation), text: 'as a string' }).expect(201);
    expect(sent.body).toMatchObject({ conversation, text: 'as a string', sender: { id: alice.id, username: alice.username, email: alice.email } });
    await as(bob).post('/api/messages/').type('form').send({ conversation: String(conversation), text: 'from a form' }).expect(201);
    await as(bob).post('/api/messages/').field('conversation', String(conversation)).field('text', 'from a multipart form').expect(201);
    const texts = (await as(alice).get(`/api/conversations/${conversation}/messages/`).expect(200)).body.map((m: { text: string }) => m.text);
    expect(texts).toEqual(['as a string', 'from a form', 'from a multipart form']);
  });

  it('ignores unknown body fields and query parameters (?format=json, ?_=…, ?start_date=)', async () => {
    await as(alice).post('/api/messages/').send({ conversation, text: 'with a title', title: 'ignored', sender: bob.id, id: 1 }).expect(201);
    const listed = await as(alice).get(`/api/messages/?conversation=${conversation}&format=json&_=1700000000000&start_date=2025-01-01`).expect(200);
    expect(listed.body).toMatchObject({ count: 4, previous: null, next: null });
    const last = listed.body.results.at(-1);
    expect(last).toMatchObject({ text: 'with a title', sender: { id: alice.id } });
    await as(alice).get('/api/conversations/?format=json').expect(200);
  });

  it("words field errors as DRF's serializers", async () => {
    expect((await as(alice).post('/api/messages/').send({ conversation }).expect(400)).body).toEqual({ text: ['This field is required.'] });
    expect((await as(alice).post('/api/messages/').send({ conversation, text: '   ' }).expect(400)).body).toEqual({ text: ['This field may not be blank.'] });
    expect((await as(alice).post('/api/messages/').send({ conversation, text: 'x'.repeat(4001) }).expect(400)).body).toEqual({
      text: ['Ensure this field has no more than 4000 characters.'],
    });
    expect((await as(alice).post('/api/messages/').send({ text: 'hi' }).expect(400)).body).toEqual({ conversation: ['This field is required.'] });
    expect((await as(alice).post('/api/messages/').send({ conversation: 'abc', text: 'hi' }).expect(400)).body).toEqual({
      conversation: ['Incorrect type. Expected pk value, received str.'],
    });
    expect((await as(alice).post('/api/messages/').send({ conversation: 999, text: 'hi' }).expect(400)).body).toEqual({
      conversation: ['Invalid pk "999" - object does not exist.'],
    });
    expect((await as(alice).post('/api/conversations/').send({ participants: [bob.id, 999] }).expect(400)).body).toEqual({
      participants: ['Invalid pk "999" - object does not exist.'],
    });
    expect((await as(alice).post('/api/messages/').set('content-type', 'application/json').send('[1]').expect(400)).body).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
  });
});

describe('seed-003 clients (til-we-die/course_work and its web client)', () => {
  let t: TestApp;
  let zoe: TestUser;
  let alice: TestUser;

  beforeAll(async () => {
    // A small list cap, so the cap itself is tested; the default is 10,000.
    t = await startTestApp({ LIST_MAX_ITEMS: '120' });
    zoe = await registerAsOriginal(t, 'Zoe');
    alice = await registerAsOriginal(t, 'alice');
  });
  afterAll(async () => {
    await t.close();
  });

  const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });

  it('registers as the original: 200 {user, token}, the token working at once for 30 days', async () => {
    const created = await t.http().post('/accounts/api/users/').send({ username: 'newuser', email: 'newuser@example.com', password: 'yourpassword1' }).expect(200);
    expect(created.body).toEqual({ user: { id: expect.any(Number), username: 'newuser', email: 'newuser@example.com' }, token: expect.any(String) });
    const profile = await t.http().get('/profiles/api/profile/').set('Authorization', `Bearer ${created.body.token}`).expect(200);
    expect(profile.body).toMatchObject({ id: created.body.user.id, username: 'newuser', profile: { bio: null }, posts: [] });
    const taken = await t.http().post('/accounts/api/users/').send({ username: 'NEWUSER', email: 'other@example.com', password: 'yourpassword1' }).expect(400);
    expect(taken.body).toEqual({ username: ['A user with that username already exists.'] });
  });

  it('gives /accounts/api/token/ tokens the original 30/60 days, kept across refreshes', async () => {
    const pair = await t.http().post('/accounts/api/token/').send({ username: zoe.username, password: zoe.password }).expect(200);
    const lifetime = (token: string) => {
      const claims = claimsOf(token) as { exp: number; iat: number };
      return claims.exp - claims.iat;
    };
    expect(lifetime(pair.body.access)).toBe(30 * 86400);
    expect(lifetime(pair.body.refresh)).toBe(60 * 86400);
    const refreshed = await t.http().post('/accounts/api/token/refresh/').send({ refresh: pair.body.refresh }).expect(200);
    expect(lifetime(refreshed.body.access)).toBe(30 * 86400);
    expect(lifetime(refreshed.body.refresh)).toBe(60 * 86400);
  });

  it('names a direct room by code point as Python does (Zoe_alice) and answers an unknown recipient with 400', async () => {
    const room = await t.http().post('/messenger/api/chatrooms/').set(bearer(alice)).send({ recipient: zoe.username }).expect(201);
    expect(room.body).toEqual({ id: expect.any(Number), name: 'Zoe_alice', members: [zoe.id, alice.id].sort((a, b) => a - b), display_name: zoe.username, unread_count: 0, last_read_message: null });
    const unknown = await t.http().post('/messenger/api/chatrooms/').set(bearer(alice)).send({ recipient: 'nobody' }).expect(400);
    expect(unknown.body).toEqual({ recipient: ['Recipient does not exist.'] });
  });

  it('keeps a former room name resolving (rooms renamed by the migration)', async () => {
    const room = (await t.http().post('/messenger/api/chatrooms/').set(bearer(alice)).send({ recipient: zoe.username }).expect(200)).body;
    const oldName = 'alice_Zoe';
    await t.dataSource.query(`INSERT INTO conversation_name_aliases (name, conversation_id) VALUES ($1, $2)`, [oldName, room.id]);
    await t.http().post(`/messenger/api/chatrooms/${oldName}/messages/`).set(bearer(zoe)).send({ content: 'via the old name' }).expect(201);
    const history = await t.http().get(`/messenger/api/chatrooms/${room.name}/messages/`).set(bearer(alice)).expect(200);
    expect(history.body.map((m: { content: string }) => m.content)).toContain('via the old name');
    const ws = await openRoom(t.baseUrl, `/ws/chat/${oldName}/?token=${alice.access}`);
    await waitUntil(() => ws.frames.length > 0, 5000, 'history');
    expect(ws.frames[0]).toMatchObject({ type: 'message_history' });
    ws.ws.close();
  });

  it('lists posts oldest first and whole (bounded by LIST_MAX_ITEMS), and the user list whole', async () => {
    for (let i = 0; i < 125; i++) await t.http().post('/profiles/api/posts/').set(bearer(zoe)).type('form').send({ title: `Пост ${i}`, content: 'Текст' }).expect(201);
    const posts = await t.http().get('/profiles/api/posts/').set(bearer(alice)).expect(200);
    expect(posts.body).toHaveLength(120);
    expect(posts.body[0].title).toBe('Пост 5');
    expect(posts.body.at(-1).title).toBe('Пост 124');
    const profile = await t.http().get('/profiles/api/profile/').set(bearer(zoe)).expect(200);
    const ids = profile.body.posts.map((p: { id: number }) => p.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
    const users = await t.http().get('/accounts/api/users/').set(bearer(alice)).expect(200);
    expect(users.body.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining([zoe.username, alice.username, 'newuser']));
  });

  it('sends the whole room (up to the cap) in the first WebSocket frame, as REST does', async () => {
    const room = (await t.http().post('/messenger/api/chatrooms/').set(bearer(alice)).send({ recipient: zoe.username }).expect(200)).body;
    for (let i = 0; i < 130; i++) await t.http().post(`/messenger/api/chatrooms/${room.name}/messages/`).set(bearer(zoe)).send({ content: `m${i}` }).expect(201);
    const rest = await t.http().get(`/messenger/api/chatrooms/${room.name}/messages/`).set(bearer(alice)).expect(200);
    // The latest 120 (LIST_MAX_ITEMS here), oldest first.
    expect(rest.body).toHaveLength(120);
    expect(rest.body.at(-1).content).toBe('m129');
    expect(rest.body[0].content).toBe('m10');
    const ws = await openRoom(t.baseUrl, `/messenger/ws/ws/chat/${room.name}/?token=${alice.access}`);
    await waitUntil(() => ws.frames.length > 0, 5000, 'history');
    expect(ws.frames[0]).toEqual({ type: 'message_history', messages: rest.body });
    ws.ws.close();
  });

  it('stores what a client sends the moment the socket opens, before its history arrives (such frames were lost)', async () => {
    const room = (await t.http().post('/messenger/api/chatrooms/').set(bearer(alice)).send({ recipient: zoe.username }).expect(200)).body;
    const client = await openRoom(t.baseUrl, `/ws/chat/${room.name}/?token=${zoe.access}`);
    for (let i = 0; i < 3; i++) client.ws.send(JSON.stringify({ message: `early ${i}` }));
    await waitUntil(() => client.frames.filter((f) => typeof f.content === 'string' && f.content.startsWith('early')).length === 3, 5000, 'the early messages');
    // The history came first, whole, and the early messages after it.
    expect(client.frames[0]).toMatchObject({ type: 'message_history' });
    expect(client.frames.slice(1).map((f) => f.content)).toEqual(['early 0', 'early 1', 'early 2']);
    client.ws.close();
  });

  it('splits a message longer than 4,000 characters into several, losing no character', async () => {
    const room = (await t.http().post('/messenger/api/chatrooms/').set(bearer(alice)).send({ recipient: zoe.username }).expect(200)).body;
    const client = await openRoom(t.baseUrl, `/ws/chat/${room.name}/?token=${alice.access}`);
    await waitUntil(() => client.frames.length > 0, 5000, 'history');
    const words = Array.from({ length: 1500 }, (_, i) => `слово${i}`).join(' ');
    client.ws.send(JSON.stringify({ message: words }));
    await waitUntil(() => client.frames.slice(1).map((f) => f.content).join(' ') === words, 10_000, 'every part');
    const parts = client.frames.slice(1);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect([...(part.content as string)].length).toBeLessThanOrEqual(4000);
    client.ws.close();
  });

  it('keeps error frames for clients that ask for them (?errors=1)', async () => {
    const room = (await t.http().post('/messenger/api/chatrooms/').set(bearer(alice)).send({ recipient: zoe.username }).expect(200)).body;
    const client = await openRoom(t.baseUrl, `/ws/chat/${room.name}/?token=${alice.access}&errors=1`);
    await waitUntil(() => client.frames.length > 0, 5000, 'history');
    client.ws.send('{"message": "   "}');
    await waitUntil(() => client.frames.length > 1, 5000, 'error frame');
    expect(client.frames[1]).toEqual({ type: 'error', status: 400, message: 'This field may not be blank.' });
    client.ws.close();
  });
});

describe('seed-003 WebSocket rooms paced by the message budget (5 at once, then 5 per second)', () => {
  let t: TestApp;
  let zoe: TestUser;
  let alice: TestUser;
  let room: { id: number; name: string };

  beforeAll(async () => {
    t = await startTestApp({ MESSAGE_BURST: '5', MESSAGES_PER_MINUTE: '300', WS_SEND_QUEUE_SIZE: '40' });
    zoe = await registerAsOriginal(t, 'Zoe');
    alice = await registerAsOriginal(t, 'alice');
    room = (await t.http().post('/messenger/api/chatrooms/').set({ Authorization: `Bearer ${alice.access}` }).send({ recipient: zoe.username }).expect(201)).body;
  });
  afterAll(async () => {
    await t.close();
  });

  it('stays silent on frames it cannot act on, as the original, and loses none of a burst past the rate', async () => {
    const client = await openRoom(t.baseUrl, `/ws/chat/${room.name}/?token=${alice.access}`);
    await waitUntil(() => client.frames.length > 0, 5000, 'history');
    for (const bad of ['not json', '{}', '{"message": 5}', '{"message": "   "}', '[]']) client.ws.send(bad);
    client.ws.send(Buffer.from('{"message": "binary"}'), { binary: true });
    // 12 messages at 5 per second: delayed, not dropped, and in order.
    const burst = Array.from({ length: 12 }, (_, i) => `burst ${i}`);
    for (const message of burst) client.ws.send(JSON.stringify({ message }));
    await waitUntil(() => client.frames.filter((f) => typeof f.content === 'string' && f.content.startsWith('burst')).length === 12, 10_000, 'the whole burst');
    const after = client.frames.slice(1);
    expect(after.every((f) => typeof f.id === 'number' && typeof f.user === 'string' && typeof f.timestamp === 'string')).toBe(true);
    expect(after.map((f) => f.content)).toEqual(burst);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.ws.close();
  });

  it('closes a client that floods past its queue with 1008, storing what it had accepted', async () => {
    const before = (await t.dataSource.query(`SELECT message_count FROM conversations WHERE id = $1`, [room.id]))[0].message_count;
    const client = await openRoom(t.baseUrl, `/ws/chat/${room.name}/?token=${zoe.access}`);
    await waitUntil(() => client.frames.length > 0, 5000, 'history');
    for (let i = 0; i < 60; i++) client.ws.send(JSON.stringify({ message: `flood ${i}` }));
    expect((await client.closed).code).toBe(1008);
    // The sends the rate let through are stored after the close; they are in flight when it comes.
    const stored = async () => Number((await t.dataSource.query(`SELECT message_count FROM conversations WHERE id = $1`, [room.id]))[0].message_count) - Number(before);
    const deadline = Date.now() + 5000;
    while ((await stored()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await stored()).toBeGreaterThan(0);
  });
});

describe('a web client on its development server (CORS_ORIGINS=loopback, the development default)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'loopback' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers preflights from loopback origins, as the original allowed its React dev server', async () => {
    const preflight = await t
      .http()
      .options('/accounts/api/token/')
      .set('Origin', 'http://localhost:3001')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,authorization');
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:3001');
    const foreign = await t.http().options('/accounts/api/token/').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});
