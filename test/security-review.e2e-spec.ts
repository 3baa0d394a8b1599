import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';
import { connect, Socket } from 'node:net';
import zlib from 'node:zlib';
import sharp from 'sharp';
import WebSocket from 'ws';
import { connected, connectSocket, openRoom, request, waitUntil } from './support/realtime-clients.js';
import { HELMET_OPTIONS } from '../src/common/http/response-headers.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

/**
 * Findings of the second security review (issue 13) that have no better home, each named in its
 * test's title. Findings 1–3 are in platform.e2e-spec.ts, auth.e2e-spec.ts and app-config.spec.ts.
 */
describe('security review, second round', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let room: string;

  beforeAll(async () => {
    t = await startTestApp({ WS_MAX_CONNECTIONS_PER_USER: '3' });
    alice = await createUser(t, 'alice');
    bob = await createUser(t, 'bob');
    room = (await t.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${alice.access}`).send({ recipient: bob.username }).expect(201)).body.name;
  });
  afterAll(async () => {
    await t.close();
  });

  it('finding 5: Socket.IO clients that leave during the token check give their connection slot back', async () => {
    // Speaking Engine.IO/Socket.IO by hand: the namespace CONNECT with the token, and the
    // connection cut in the same tick, so it is gone while the server still checks the token.
    for (let i = 0; i < 12; i++) {
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
        ws.once('message', () => {
          ws.send(`40/chat,${JSON.stringify({ token: alice.access })}`);
          ws.terminate();
        });
        ws.once('close', () => resolve());
        ws.once('error', reject);
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sockets = [connectSocket(t.baseUrl, alice.access), connectSocket(t.baseUrl, alice.access), connectSocket(t.baseUrl, alice.access)];
    await Promise.all(sockets.map((socket) => connected(socket)));
    for (const socket of sockets) socket.close();
  });

  it('finding 5: plain WebSocket upgrades that ws refuses (no Sec-WebSocket-Key) take no connection slot', async () => {
    const { port } = new URL(t.baseUrl);
    for (let i = 0; i < 6; i++) {
      const head = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.write(`GET /ws/chat/${room}/?token=${bob.access} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n`),
        );
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('close', () => resolve(data.split('\r\n')[0]));
        socket.on('error', reject);
      });
      expect(head).toMatch(/^HTTP\/1\.1 400 /);
    }
    const rooms = await Promise.all([1, 2, 3].map(() => openRoom(t.baseUrl, `/ws/chat/${room}/?token=${bob.access}`)));
    // The cap itself still holds.
    await expect(openRoom(t.baseUrl, `/ws/chat/${room}/?token=${bob.access}`)).rejects.toMatchObject({ status: 429 });
    for (const client of rooms) client.ws.close();
  });

  it("finding 6: a username registered again after its account's deletion opens a new room with the same partner, and never reads the old one", async () => {
    const erin = await createUser(t, 'erin');
    const as = (token: string) => ({ Authorization: `Bearer ${token}` });
    const old = (await t.http().post('/messenger/api/chatrooms/').set(as(erin.access)).send({ recipient: alice.username }).expect(201)).body;
    await t.http().post(`/messenger/api/chatrooms/${old.name}/messages/`).set(as(erin.access)).send({ content: 'from the old erin' }).expect(201);
    await t.http().delete('/profiles/api/profile/').set(as(erin.access)).send({ password: erin.password }).expect(204);

    const again = await t.http().post('/accounts/api/users/').send({ username: erin.username, email: erin.email, password: 'a new password 1' }).expect(200);
    const token = again.body.token as string;
    const created = await t.http().post('/messenger/api/chatrooms/').set(as(token)).send({ recipient: alice.username }).expect(201);
    expect(created.body.name).toBe(old.name);
    expect(created.body.id).not.toBe(old.id);
    const viaApi = await t.http().post('/api/conversations/').set(as(token)).send({ participants: [alice.id] }).expect(200);
    expect(viaApi.body.id).toBe(created.body.id);
    expect((await t.http().get(`/messenger/api/chatrooms/${old.name}/messages/`).set(as(token)).expect(200)).body).toEqual([]);
    await t.http().get(`/api/conversations/${old.id}/messages/`).set(as(token)).expect(404);
    // Alice keeps the old conversation, under a name of its own.
    const mine = (await t.http().get('/messenger/api/user/chatrooms/').set(as(alice.access)).expect(200)).body.map((r: { id: number }) => r.id);
    expect(mine).toEqual(expect.arrayContaining([old.id, created.body.id]));
  });

  it('finding 7: uploaded pictures lose their EXIF (GPS position included) and are served re-encoded', async () => {
    const withGps = await sharp({ create: { width: 16, height: 8, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'Alice', ImageDescription: 'my flat' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
      .toBuffer();
    expect((await sharp(withGps).metadata()).exif).toBeDefined();
    const uploaded = await t.http().post('/profiles/api/profile/image/').set('Authorization', `Bearer ${alice.access}`).attach('image', withGps, { filename: 'me.jpg', contentType: 'image/jpeg' }).expect(200);
    const served = Buffer.from((await t.http().get(uploaded.body.profile.image).expect(200)).body);
    const metadata = await sharp(served).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 16, height: 8 });
    expect(metadata.exif).toBeUndefined();
    expect(served.includes(Buffer.from('my flat'))).toBe(false);
    expect(served.includes(Buffer.from('Alice'))).toBe(false);
  });

  it('finding 7: a decompression bomb (a PNG header claiming 100,000 × 100,000) is refused before decoding', async () => {
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(body));
      return Buffer.concat([length, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(100_000, 0);
    header.writeUInt32BE(100_000, 4);
    header.set([8, 2, 0, 0, 0], 8);
    const bomb = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
    const refused = await t.http().post('/profiles/api/profile/image/').set('Authorization', `Bearer ${bob.access}`).attach('image', bomb, { filename: 'bomb.png', contentType: 'image/png' }).expect(400);
    expect(refused.body).toEqual({ image: ['The image is too large: at most 40,000,000 pixels.'] });
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(200, 7)]);
    const broken = await t.http().post('/profiles/api/profile/image/').set('Authorization', `Bearer ${bob.access}`).attach('image', corrupt, { filename: 'x.jpg', contentType: 'image/jpeg' }).expect(400);
    expect(broken.body.image[0]).toMatch(/^Upload a valid image/);
  });

  it('finding 9: look-alike and invisible usernames are refused; names of one script keep working', async () => {
    const register = (username: string) => t.http().post('/accounts/api/users/').send({ username, email: `${Buffer.from(username).toString('hex').slice(0, 40)}@example.com`, password: 'password123' });
    await register('admin').expect(200);
    for (const lookalike of ['аdmin', 'ａｄｍｉｎ', '\u{1D41A}\u{1D41D}\u{1D426}\u{1D422}\u{1D427}', 'ad\u200Bmin', '\u3164', '.', '+']) {
      const refused = await register(lookalike).expect(400);
      expect(Object.keys(refused.body)).toEqual(['username']);
    }
    await register('Straße').expect(200);
    expect((await register('STRASSE').expect(400)).body).toEqual({ username: ['A user with that username already exists.'] });
    await t.http().post('/register/').send({ username: 'strasse', email: 'strasse@example.com', password: 'password123' }).expect(400);
    await register('аня').expect(200);
    await register('山田').expect(200);
    await t.http().post('/api/token/').send({ username: 'аня', password: 'password123' }).expect(200);
  });

  it('finding 13: authenticated JSON answers are never cached (Cache-Control: no-store)', async () => {
    for (const path of ['/profiles/api/profile/', '/api/conversations/', '/accounts/api/users/?limit=1']) {
      const response = await t.http().get(path).set('Authorization', `Bearer ${alice.access}`).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
    }
    const login = await t.http().post('/api/token/').send({ username: alice.username, password: alice.password }).expect(200);
    expect(login.headers['cache-control']).toBe('no-store');
    const refused = await t.http().get('/api/conversations/').expect(401);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it("every answer carries helmet's security headers, as helmet itself sets them, and its own request id", async () => {
    const fromHelmet = new ServerResponse(new IncomingMessage(new Socket()));
    helmet(HELMET_OPTIONS)(fromHelmet.req, fromHelmet, () => {});
    const expected = fromHelmet.getHeaders();
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(12);
    const answers = [
      await t.http().get('/health').expect(200),
      await t.http().get('/api/conversations/').set('Authorization', `Bearer ${alice.access}`).expect(200),
      await t.http().get('/api/conversations/').expect(401),
      await t.http().post('/api/token/').send({ username: alice.username, password: 'wrong' }).expect(401),
      await t.http().get('/no/such/route').expect(404),
    ];
    const ids = new Set<string>();
    for (const answer of answers) {
      for (const [name, value] of Object.entries(expected)) expect([name, answer.headers[name]]).toEqual([name, value]);
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      ids.add(answer.headers['x-request-id'] as string);
    }
    expect(ids.size).toBe(answers.length);
  });

  describe('finding 14: forged tokens with the signing key', () => {
    const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
    const sid = () => (jwt.decode(alice.access) as { sid: string }).sid;
    const sign = (options: jwt.SignOptions, claims: object = {}) =>
      jwt.sign({ typ: 'access', sid: sid(), ...claims }, SECRET, { algorithm: 'HS256', issuer: 'palaver', audience: 'palaver-api', jwtid: 'j', ...options });

    it.each([
      ['an unknown crit header', () => sign({ subject: String(alice.id), expiresIn: 60, header: { alg: 'HS256', crit: ['exp-ext'] } as unknown as jwt.JwtHeader })],
      ['no exp', () => sign({ subject: String(alice.id) })],
      ['a hexadecimal subject', () => sign({ subject: `0x${alice.id.toString(16)}`, expiresIn: 60 })],
    ])('refuses %s on REST, Socket.IO and the rooms', async (_name, make) => {
      const token = make();
      await t.http().get('/api/conversations/').set('Authorization', `Bearer ${token}`).expect(401);
      await expect(connected(connectSocket(t.baseUrl, token))).rejects.toThrow();
      await expect(openRoom(t.baseUrl, `/ws/chat/${room}/?token=${token}`)).rejects.toMatchObject({ status: 401 });
    });

    it('accepts the same token done right (control)', async () => {
      await t.http().get('/api/conversations/').set('Authorization', `Bearer ${sign({ subject: String(alice.id), expiresIn: 60 })}`).expect(200);
    });
  });
});

describe('security review, second round: deployment settings', () => {
  let t: TestApp;
  let carol: TestUser;
  let dan: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL: 'https://chat.example.com/', CORS_ORIGINS: 'https://app.example.com' });
    carol = await createUser(t, 'carol');
    dan = await createUser(t, 'dan');
  });
  afterAll(async () => {
    await t.close();
  });

  it('finding 11: pagination links are built on PUBLIC_URL, whatever Host or request line the client sends', async () => {
    const viaHost = await t.http().get('/accounts/api/users/?limit=1').set('Host', 'evil.example').set('Authorization', `Bearer ${carol.access}`).expect(200);
    expect(viaHost.headers.link).toMatch(/^<https:\/\/chat\.example\.com\/accounts\/api\/users\/\?limit=1&after=\d+>; rel="next"$/);
    const { port } = new URL(t.baseUrl);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET http://evil.example/accounts/api/users/?limit=1 HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${carol.access}\r\nConnection: close\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/\r\nLink: <https:\/\/chat\.example\.com\/accounts\/api\/users\//i);
    expect(raw).not.toContain('evil.example/');
  });

  it('finding 12: with CORS_ORIGINS set, Socket.IO and WebSocket handshakes from other sites are refused; no Origin (not a browser) is let through', async () => {
    const from = (origin?: string) => connectSocket(t.baseUrl, carol.access, origin ? { headers: { Origin: origin } } : {});
    await expect(connected(from('https://evil.example'))).rejects.toThrow();
    for (const socket of [from('https://app.example.com'), from()]) {
      await connected(socket);
      socket.close();
    }
    const name = (await t.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${carol.access}`).send({ recipient: dan.username }).expect(201)).body.name;
    const open = (origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}/ws/chat/${name}/?token=${carol.access}`, origin ? { headers: { Origin: origin } } : {});
        ws.once('open', () => (ws.close(), resolve(101)));
        ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.once('error', () => resolve(-1));
      });
    expect(await open('https://evil.example')).toBe(403);
    expect(await open('https://app.example.com')).toBe(101);
    expect(await open()).toBe(101);
  });
});

describe('security review, second round: finding 10', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REGISTRATIONS_PER_IP_PER_MINUTE: '5', AUTH_MAX_SESSIONS_PER_USER: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('finding 10: registrations from one address are limited per minute (429 with a short Retry-After)', async () => {
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      const path = i % 2 ? '/register/' : '/accounts/api/users/';
      statuses.push((await t.http().post(path).send({ username: `burst${i}`, email: `burst${i}@example.com`, password: 'password123' })).status);
    }
    expect(statuses.slice(0, 5).every((s) => s === 200 || s === 201)).toBe(true);
    const refused = await t.http().post('/register/').send({ username: 'one_more', email: 'one_more@example.com', password: 'password123' }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({ code: 'throttled' });
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('finding 10: sessions per user are capped; a new login ends the oldest', async () => {
    const logins = [];
    for (let i = 0; i < 4; i++) logins.push((await t.http().post('/api/token/').send({ username: 'burst0', password: 'password123' }).expect(200)).body);
    await t.http().get('/api/conversations/').set('Authorization', `Bearer ${logins[0].access}`).expect(401);
    await t.http().post('/api/token/refresh/').send({ refresh: logins[0].refresh }).expect(401);
    for (const login of logins.slice(1)) await t.http().get('/api/conversations/').set('Authorization', `Bearer ${login.access}`).expect(200);
  });

  it('finding 10: a refresh token stops rotating once its account is deleted, even if its session raced the deletion', async () => {
    const login = (await t.http().post('/api/token/').send({ username: 'burst2', password: 'password123' }).expect(200)).body;
    // The race's outcome: the account is gone but this session was written after the deletion's sweep.
    await t.dataSource.query(`UPDATE users SET deleted_at = now(), username = '~deleted~' || id WHERE username = 'burst2'`);
    await t.http().post('/api/token/refresh/').send({ refresh: login.refresh }).expect(401);
  });
});

describe('security review, second round: finding 8', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let conversation: number;
  let room: string;

  beforeAll(async () => {
    // 10 at once, then one a second; 3 new conversations at once, then one a minute.
    t = await startTestApp({ MESSAGE_BURST: '10', MESSAGES_PER_MINUTE: '60', CONVERSATION_BURST: '3', CONVERSATIONS_PER_HOUR: '60' });
    alice = await createUser(t, 'alice');
    bob = await createUser(t, 'bob');
    const direct = (await t.http().post('/messenger/api/chatrooms/').set(bearer(alice)).send({ recipient: bob.username }).expect(201)).body;
    conversation = direct.id;
    room = direct.name;
  });
  afterAll(async () => {
    await t.close();
  });

  const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });
  const count = async () => Number((await t.dataSource.query(`SELECT message_count FROM conversations WHERE id = $1`, [conversation]))[0].message_count);
  /** Waits until the user's budget is full again (10 tokens at one a second). */
  const refilled = () => new Promise((resolve) => setTimeout(resolve, 10_500));

  it('finding 8: REST sends pass in a burst, then a flood gets 429 with a short Retry-After; nothing refused is stored', async () => {
    const before = await count();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const path = i % 2 ? '/api/messages/' : `/messenger/api/chatrooms/${room}/messages/`;
      const body = i % 2 ? { conversation, text: `flood ${i}` } : { content: `flood ${i}` };
      statuses.push((await t.http().post(path).set(bearer(alice)).send(body)).status);
    }
    // Both route families draw on one budget: 10 (and what refilled during the loop) pass.
    const passed = statuses.filter((s) => s === 201).length;
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(passed).toBeLessThan(15);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 429)).toBe(true);
    const refused = await t.http().post('/api/messages/').set(bearer(alice)).send({ conversation, text: 'one more' }).expect(429);
    expect(refused.body).toEqual({ detail: 'Request was throttled. Expected available in 1 second.', code: 'throttled' });
    expect(refused.headers['retry-after']).toBe('1');
    expect(await count()).toBe(before + passed);
    // Bob's budget is his own.
    await t.http().post('/api/messages/').set(bearer(bob)).send({ conversation, text: 'hi' }).expect(201);
    // A second later one more passes.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await t.http().post('/api/messages/').set(bearer(alice)).send({ conversation, text: 'after a second' }).expect(201);
  }, 30_000);

  it('finding 8: one budget across REST, Socket.IO and the WebSocket rooms; a room send waits its turn instead of being lost', async () => {
    await refilled();
    const socket = connectSocket(t.baseUrl, alice.access);
    await connected(socket);
    try {
      for (let i = 0; i < 5; i++) await t.http().post('/api/messages/').set(bearer(alice)).send({ conversation, text: `rest ${i}` }).expect(201);
      const acks: Array<{ ok: boolean; error?: { status: number; retry_after?: number } }> = [];
      for (let i = 0; i < 7; i++) acks.push(await request(socket, 'message:send', { conversation, text: `socket ${i}` }));
      // 5 over REST + 5 over Socket.IO spend the 10; the rest are refused with how long to wait.
      expect(acks.filter((a) => a.ok)).toHaveLength(5);
      expect(acks.at(-1)).toEqual({ ok: false, error: { status: 429, message: 'Request was throttled. Expected available in 1 second.', retry_after: 1 } });
      expect(socket.connected).toBe(true);

      // The budget is spent: a room frame is stored once a token comes back, never dropped.
      const client = await openRoom(t.baseUrl, `/ws/chat/${room}/?token=${alice.access}`);
      await waitUntil(() => client.frames.length > 0, 5000, 'history');
      const sentAt = Date.now();
      client.ws.send(JSON.stringify({ message: 'paced, not lost' }));
      await waitUntil(() => client.frames.some((f) => f.content === 'paced, not lost'), 5000, 'the paced message');
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(300);
      // Having waited for the budget, it did not spend another token: REST is still refused now.
      await t.http().post('/api/messages/').set(bearer(alice)).send({ conversation, text: 'still spent' }).expect(429);
      client.ws.close();
    } finally {
      socket.disconnect();
    }
  }, 30_000);

  it('finding 8: nobody puts a stranger into an unbounded number of groups; opening existing conversations is never refused', async () => {
    const strangers = await Promise.all([createUser(t, 'mallory'), createUser(t, 'victim'), createUser(t, 'extra')]);
    const [mallory, victim, extra] = strangers;
    const victimSocket = connectSocket(t.baseUrl, victim.access);
    const pushed: unknown[] = [];
    victimSocket.on('conversation:new', (c: unknown) => pushed.push(c));
    await connected(victimSocket);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await t.http().post('/api/conversations/').set(bearer(mallory)).send({ participants: [victim.id, extra.id] })).status);
      expect(statuses.slice(0, 3)).toEqual([201, 201, 201]);
      expect(statuses.slice(3).every((s) => s === 429)).toBe(true);
      const refused = await t.http().post('/api/conversations/').set(bearer(mallory)).send({ participants: [victim.id, extra.id] }).expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      // A new direct conversation is a conversation too…
      await t.http().post('/messenger/api/chatrooms/').set(bearer(mallory)).send({ recipient: alice.username }).expect(429);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pushed).toHaveLength(3);
      expect(Number((await t.dataSource.query(`SELECT count(*) FROM conversation_members WHERE user_id = $1`, [victim.id]))[0].count)).toBe(3);
      // …but opening one that exists costs nothing, on both families, however spent the budget is.
      const direct = (await t.http().post('/api/conversations/').set(bearer(alice)).send({ participants: [bob.id] }).expect(200)).body;
      expect(direct.conversation_id ?? direct.id).toBe(conversation);
      for (let i = 0; i < 5; i++) await t.http().post('/messenger/api/chatrooms/').set(bearer(bob)).send({ recipient: alice.username }).expect(200);
    } finally {
      victimSocket.disconnect();
    }
  });
});
