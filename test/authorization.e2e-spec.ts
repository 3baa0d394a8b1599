import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_METADATA } from '@nestjs/websockets/constants.js';
import { ChatGateway } from '../src/chat/realtime/chat.gateway.js';
import { connected, connectError, connectSocket, openRoom, request } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

/**
 * Who may do what, for every route in openapi.json, every Socket.IO event of the gateway and
 * every plain WebSocket path: one table each, called as anonymous, as an authenticated user who
 * is not the member / owner ("stranger"), and as the member / owner. A route or event that is not
 * in its table fails the test, so nothing new can be added without deciding who may call it.
 */

type Role = 'anonymous' | 'stranger' | 'owner';
const ROLES: Role[] = ['anonymous', 'stranger', 'owner'];

interface Fixtures {
  alice: TestUser; // the owner / member
  bob: TestUser; // alice's partner in the conversation
  carol: TestUser;
  mallory: TestUser; // the stranger
  conversation: number;
  room: string;
  post: number;
  postToDelete: number;
  /** alice's group with bob and carol (alice owns it). */
  group: number;
  /** alice's messages in the conversation. */
  message: number;
  messageToDelete: number;
  fresh(user: TestUser): Promise<string>;
  unique(): string;
}

interface Call {
  params?: Record<string, string | number>;
  query?: Record<string, string | number>;
  body?: object;
  upload?: Buffer;
}

interface RouteCase {
  /** Status as anonymous, stranger, owner. */
  expect: [number, number, number];
  call?: (f: Fixtures, role: Role) => Call | Promise<Call>;
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f7d6c10000000049454e44ae426082', 'hex');

/** The caller in each role is: nobody, mallory, alice. Public routes answer everyone alike. */
const ROUTES: Record<string, RouteCase> = {
  'POST /register/': { expect: [201, 201, 201], call: (f) => ({ body: { username: f.unique(), email: `${f.unique()}@example.com`, password: 'correct horse battery' } }) },
  'POST /accounts/api/users/': { expect: [200, 200, 200], call: (f) => ({ body: { username: f.unique(), email: `${f.unique()}@example.com`, password: 'correct horse battery' } }) },
  'GET /accounts/api/users/': { expect: [401, 200, 200] },
  'POST /login/': { expect: [200, 200, 200], call: (f) => ({ body: { username: f.alice.username, password: f.alice.password } }) },
  'POST /accounts/api/token/': { expect: [200, 200, 200], call: (f) => ({ body: { username: f.alice.username, password: f.alice.password } }) },
  'POST /api/token/': { expect: [200, 200, 200], call: (f) => ({ body: { username: f.alice.username, password: f.alice.password } }) },
  // A token is its own credential: anyone holding one may ask whether it is still valid.
  'POST /api/token/verify/': { expect: [200, 200, 200], call: async (f) => ({ body: { token: await f.fresh(f.alice) } }) },
  'POST /accounts/api/token/verify/': { expect: [200, 200, 200], call: (f) => ({ body: { token: f.alice.access } }) },
  // A refresh token is its own credential: whoever holds it may refresh or revoke it.
  'POST /api/token/refresh/': { expect: [200, 200, 200], call: async (f) => ({ body: { refresh: await f.fresh(f.alice) } }) },
  'POST /accounts/api/token/refresh/': { expect: [200, 200, 200], call: async (f) => ({ body: { refresh: await f.fresh(f.alice) } }) },
  'POST /logout/': { expect: [200, 200, 200], call: async (f) => ({ body: { refresh: await f.fresh(f.alice) } }) },
  'POST /accounts/api/token/blacklist/': { expect: [200, 200, 200], call: async (f) => ({ body: { refresh: await f.fresh(f.alice) } }) },
  'GET /health': { expect: [200, 200, 200] },
  // Off by default (METRICS_ENABLED); when on, guarded by METRICS_TOKEN, not by users (metrics.e2e-spec.ts).
  'GET /metrics': { expect: [404, 404, 404] },
  'GET /health/ready': { expect: [200, 200, 200] },
  'GET /media/{path}/': { expect: [200, 200, 200], call: () => ({ params: { path: 'user_images/default.jpg' } }) },

  // Profiles: everyone acts on their own profile; posts are readable by any user, changed only by their author.
  'GET /profiles/api/profile/': { expect: [401, 200, 200] },
  'PATCH /profiles/api/profile/': { expect: [401, 200, 200], call: () => ({ body: { bio: 'hello' } }) },
  // Only ever the caller's own account, and only with its password (deletion itself: account-deletion.e2e-spec.ts).
  'DELETE /profiles/api/profile/': { expect: [401, 400, 400], call: () => ({ body: { password: 'not the password' } }) },
  'POST /profiles/api/profile/image/': { expect: [401, 200, 200], call: () => ({ upload: PNG }) },
  'GET /profiles/api/search-user/': { expect: [401, 200, 200], call: (f) => ({ query: { username: f.alice.username } }) },
  'POST /profiles/api/add-friend/': { expect: [401, 200, 200], call: (f) => ({ body: { username: f.bob.username } }) },
  // Runs after add-friend (document order), so both callers have bob to remove.
  'POST /profiles/api/remove-friend/': { expect: [401, 200, 200], call: (f) => ({ body: { username: f.bob.username } }) },
  'GET /profiles/api/posts/': { expect: [401, 200, 200] },
  'POST /profiles/api/posts/': { expect: [401, 201, 201], call: () => ({ body: { title: 'A title', content: 'Some content' } }) },
  'GET /profiles/api/posts/{id}/': { expect: [401, 200, 200], call: (f) => ({ params: { id: f.post } }) },
  'PATCH /profiles/api/posts/{id}/': { expect: [401, 403, 200], call: (f) => ({ params: { id: f.post }, body: { title: 'Edited' } }) },
  'DELETE /profiles/api/posts/{id}/': { expect: [401, 403, 204], call: (f) => ({ params: { id: f.postToDelete } }) },

  // Chat: members only; anyone else learns nothing (404), not even that the conversation exists.
  'GET /api/conversations/': { expect: [401, 200, 200] },
  // mallory + carol is new (201); alice + bob exists (200).
  'POST /api/conversations/': { expect: [401, 201, 200], call: (f, role) => ({ body: { participants: [role === 'owner' ? f.bob.id : f.carol.id] } }) },
  'GET /api/conversations/{id}/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.conversation } }) },
  'GET /api/conversations/{id}/messages/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.conversation } }) },
  'GET /api/messages/': { expect: [401, 404, 200], call: (f) => ({ query: { conversation: f.conversation } }) },
  // A conversation in the body is a primary key: a stranger gets DRF's field error, as for one that does not exist.
  'POST /api/messages/': { expect: [401, 400, 201], call: (f) => ({ body: { conversation: f.conversation, text: 'hello' } }) },
  // Read state: a stranger's read is 404 like every conversation route.
  'POST /api/conversations/{id}/read/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.conversation }, body: {} }) },
  'GET /api/unread/': { expect: [401, 200, 200] },
  // Search covers the caller's own conversations only (a stranger finds nothing of alice's).
  'GET /api/search/messages/': { expect: [401, 200, 200], call: () => ({ query: { q: 'hello' } }) },
  // Anyone may ask; only the caller's contacts are answered (a stranger gets an empty list).
  'GET /api/presence/': { expect: [401, 200, 200], call: (f) => ({ query: { users: `${f.alice.id},${f.bob.id}` } }) },
  // Group administration: owner and admins only (403 for plain members and leaving: groups.e2e-spec.ts).
  'PATCH /api/conversations/{id}/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.group }, body: { title: 'Renamed' } }) },
  'POST /api/conversations/{id}/participants/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.group }, body: { participants: [f.carol.id] } }) },
  // Runs before the role change below (document order): carol is removed, bob becomes an admin.
  'DELETE /api/conversations/{id}/participants/{userId}/': { expect: [401, 404, 204], call: (f) => ({ params: { id: f.group, userId: f.carol.id } }) },
  'PATCH /api/conversations/{id}/participants/{userId}/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.group, userId: f.bob.id }, body: { role: 'admin' } }) },
  // Blocks are one's own: everyone blocks and unblocks for themselves.
  'GET /api/blocks/': { expect: [401, 200, 200] },
  'POST /api/blocks/': { expect: [401, 201, 201], call: (f) => ({ body: { user: f.carol.id } }) },
  'DELETE /api/blocks/{userId}/': { expect: [401, 204, 204], call: (f) => ({ params: { userId: f.carol.id } }) },
  // One message: members read and react; only the sender edits (403 for other members, tested in messages.e2e-spec.ts).
  'GET /api/messages/{id}/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.message } }) },
  'PATCH /api/messages/{id}/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.message }, body: { text: 'edited' } }) },
  'PUT /api/messages/{id}/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.message }, body: { text: 'edited again' } }) },
  'DELETE /api/messages/{id}/': { expect: [401, 404, 204], call: (f) => ({ params: { id: f.messageToDelete } }) },
  'PUT /api/messages/{id}/reactions/{emoji}/': { expect: [401, 404, 200], call: (f) => ({ params: { id: f.message, emoji: encodeURIComponent('👍') } }) },
  'DELETE /api/messages/{id}/reactions/{emoji}/': { expect: [401, 404, 204], call: (f) => ({ params: { id: f.message, emoji: encodeURIComponent('👍') } }) },
  'GET /messenger/api/chatrooms/': { expect: [401, 200, 200] },
  'GET /messenger/api/user/chatrooms/': { expect: [401, 200, 200] },
  // mallory + bob is new (201); alice + bob exists (200).
  'POST /messenger/api/chatrooms/': { expect: [401, 201, 200], call: (f) => ({ body: { recipient: f.bob.username } }) },
  'GET /messenger/api/chatrooms/{room}/messages/': { expect: [401, 404, 200], call: (f) => ({ params: { room: f.room } }) },
  'POST /messenger/api/chatrooms/{room}/messages/': { expect: [401, 404, 201], call: (f) => ({ params: { room: f.room }, body: { content: 'hello' } }) },
};

/** Socket.IO `/chat`: anonymous handshakes are refused; a stranger's events are answered 404. */
const EVENTS: Record<string, { expect: ['refused', number, 'ok']; payload: (f: Fixtures) => object }> = {
  'conversation:join': { expect: ['refused', 404, 'ok'], payload: (f) => ({ conversation: f.conversation }) },
  'conversation:leave': { expect: ['refused', 404, 'ok'], payload: (f) => ({ conversation: f.room }) },
  'message:send': { expect: ['refused', 404, 'ok'], payload: (f) => ({ conversation: f.conversation, text: 'hello' }) },
  'conversation:read': { expect: ['refused', 404, 'ok'], payload: (f) => ({ conversation: f.conversation }) },
  'typing:start': { expect: ['refused', 404, 'ok'], payload: (f) => ({ conversation: f.room }) },
  'typing:stop': { expect: ['refused', 404, 'ok'], payload: (f) => ({ conversation: f.conversation }) },
};

/** Plain WebSocket rooms: the upgrade is refused before any byte of the room is sent. */
const WS_PATHS: Record<string, { expect: [number, number, 'open'] }> = {
  '/ws/chat/{room}/': { expect: [401, 404, 'open'] },
  '/messenger/ws/ws/chat/{room}/': { expect: [401, 404, 'open'] },
};

function operations(): string[] {
  const document = JSON.parse(readFileSync(join(process.cwd(), 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
}

function gatewayEvents(): string[] {
  const prototype = ChatGateway.prototype as unknown as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype)
    .map((name) => prototype[name])
    .filter((member): member is object => typeof member === 'function')
    .map((handler) => Reflect.getMetadata(MESSAGE_METADATA, handler) as string | undefined)
    .filter((event): event is string => typeof event === 'string');
}

describe('authorization matrix', () => {
  let t: TestApp;
  let f: Fixtures;

  beforeAll(async () => {
    t = await startTestApp();
    const [alice, bob, carol, mallory] = [await createUser(t, 'alice'), await createUser(t, 'bob'), await createUser(t, 'carol'), await createUser(t, 'mallory')];
    const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });
    const conversation = (await t.http().post('/api/conversations/').set(auth(alice)).send({ participants: [bob.id] }).expect(201)).body.id as number;
    const rooms = (await t.http().get('/messenger/api/user/chatrooms/').set(auth(alice)).expect(200)).body as Array<{ id: number; name: string }>;
    const room = rooms.find((r) => r.id === conversation)!.name;
    const post = (await t.http().post('/profiles/api/posts/').set(auth(alice)).send({ title: 'Mine', content: 'Only I may change it' }).expect(201)).body.id as number;
    const postToDelete = (await t.http().post('/profiles/api/posts/').set(auth(alice)).send({ title: 'Doomed', content: 'Only I may delete it' }).expect(201)).body.id as number;
    const group = (await t.http().post('/api/conversations/').set(auth(alice)).send({ participants: [bob.id, carol.id] }).expect(201)).body.id as number;
    const message = (await t.http().post('/api/messages/').set(auth(alice)).send({ conversation, text: 'Mine to edit' }).expect(201)).body.id as number;
    const messageToDelete = (await t.http().post('/api/messages/').set(auth(alice)).send({ conversation, text: 'Mine to delete' }).expect(201)).body.id as number;
    let n = 0;
    f = {
      alice,
      bob,
      carol,
      mallory,
      conversation,
      room,
      post,
      postToDelete,
      group,
      message,
      messageToDelete,
      unique: () => `matrix${++n}_${process.pid}`,
      fresh: async (user) => (await t.http().post('/accounts/api/token/').send({ username: user.username, password: user.password }).expect(200)).body.refresh,
    };
  });
  afterAll(async () => {
    await t.close();
  });

  it('has one expected status per role for every route in openapi.json, and no other', () => {
    expect(Object.keys(ROUTES).sort()).toEqual(operations().sort());
  });

  it('answers every route as the table says, for anonymous callers, strangers and owners', async () => {
    const actual: Record<string, number[]> = {};
    const expected: Record<string, number[]> = {};
    for (const operation of operations()) {
      const entry = ROUTES[operation];
      if (!entry) continue; // reported by the test above
      const [method, template] = operation.split(' ');
      expected[operation] = entry.expect;
      actual[operation] = [];
      for (const role of ROLES) {
        const call = (await entry.call?.(f, role)) ?? {};
        let path = template.replace(/\{(\w+)\}/g, (_, name: string) => String(call.params?.[name]));
        if (template.startsWith('/media/')) path = path.replace(/\/$/, '');
        let req = t.http()[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](path);
        if (call.query) req = req.query(call.query);
        if (role !== 'anonymous') req = req.set('Authorization', `Bearer ${(role === 'owner' ? f.alice : f.mallory).access}`);
        if (call.upload) req = req.attach('image', call.upload, { filename: 'picture.png', contentType: 'image/png' });
        const response = call.body ? await req.send(call.body) : await req;
        actual[operation].push(response.status);
        if (response.status >= 400) expect(response.headers['content-type']).toMatch(/^application\/json/);
      }
    }
    expect(actual).toEqual(expected);
  });

  it('has one expectation for every Socket.IO event of the gateway, and no other', () => {
    expect(Object.keys(EVENTS).sort()).toEqual(gatewayEvents().sort());
  });

  it('refuses anonymous Socket.IO handshakes, answers strangers 404 and members ok on every event', async () => {
    const anonymous = connectSocket(t.baseUrl, null);
    expect(await connectError(anonymous)).toMatch(/Authentication required/);
    anonymous.close();

    const actual: Record<string, unknown[]> = {};
    const expected: Record<string, unknown[]> = {};
    const stranger = connectSocket(t.baseUrl, f.mallory.access);
    const owner = connectSocket(t.baseUrl, f.alice.access);
    try {
      await Promise.all([connected(stranger), connected(owner)]);
      for (const event of gatewayEvents()) {
        const entry = EVENTS[event];
        if (!entry) continue;
        expected[event] = entry.expect;
        const asStranger = (await request(stranger, event as never, entry.payload(f))) as { ok: boolean; error?: { status: number } };
        const asOwner = (await request(owner, event as never, entry.payload(f))) as { ok: boolean };
        actual[event] = ['refused', asStranger.ok ? 'ok' : asStranger.error?.status, asOwner.ok ? 'ok' : asOwner];
      }
    } finally {
      stranger.close();
      owner.close();
    }
    expect(actual).toEqual(expected);
  });

  it('refuses plain WebSocket upgrades to anonymous callers (401) and strangers (404) on every room path', async () => {
    const actual: Record<string, unknown[]> = {};
    const expected: Record<string, unknown[]> = {};
    for (const [template, entry] of Object.entries(WS_PATHS)) {
      expected[template] = entry.expect;
      const path = template.replace('{room}', encodeURIComponent(f.room));
      const outcome = async (token: string | null) => {
        try {
          const room = await openRoom(t.baseUrl, token ? `${path}?token=${token}` : path);
          room.ws.close();
          return 'open';
        } catch (error) {
          return (error as { status?: number }).status ?? String(error);
        }
      };
      actual[template] = [await outcome(null), await outcome(f.mallory.access), await outcome(f.alice.access)];
    }
    expect(actual).toEqual(expected);
  });
});
