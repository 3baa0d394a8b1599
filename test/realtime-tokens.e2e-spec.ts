import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { connected, connectError, connectSocket, openRoom } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/** Every bad access token is refused by the Socket.IO handshake and by both plain WebSocket room paths. */
describe('tokens on Socket.IO and plain WebSocket rooms', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let room: string;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await createUser(t, 'alice');
    bob = await createUser(t, 'bob');
    room = (await t.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${alice.access}`).send({ recipient: bob.username }).expect(201)).body.name;
  });
  afterAll(async () => {
    await t.close();
  });

  const sid = () => (jwt.decode(alice.access) as { sid: string }).sid;
  const claims = () => ({ typ: 'access', sid: sid() });
  const options = (): jwt.SignOptions => ({ algorithm: 'HS256', issuer: 'palaver', audience: 'palaver-api', expiresIn: 60, subject: String(alice.id), jwtid: 'j' });
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  const bad: Array<[string, () => string | Promise<string>]> = [
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(), sub: String(alice.id), iss: 'palaver', aud: 'palaver-api', jti: 'j', exp: Math.floor(Date.now() / 1000) + 60 })}.`],
    ['wrong key', () => jwt.sign(claims(), 'another-secret-another-secret-another-secret', options())],
    ['expired', () => jwt.sign(claims(), SECRET, { ...options(), expiresIn: -120 })],
    ['wrong audience', () => jwt.sign(claims(), SECRET, { ...options(), audience: 'other' })],
    ['refresh token', () => alice.refresh],
    ['unknown session', () => jwt.sign({ ...claims(), sid: '00000000-0000-0000-0000-000000000000' }, SECRET, options())],
    [
      'revoked (logged out)',
      async () => {
        const login = await t.http().post('/accounts/api/token/').send({ username: alice.username, password: alice.password }).expect(200);
        await t.http().post('/logout/').send({ refresh: login.body.refresh }).expect(200);
        return login.body.access as string;
      },
    ],
    ['garbage', () => 'abc.def.ghi'],
  ];

  it('accepts a good token everywhere (control)', async () => {
    const socket = connectSocket(t.baseUrl, alice.access);
    await connected(socket);
    socket.close();
    for (const path of [`/ws/chat/${room}/`, `/messenger/ws/ws/chat/${room}/`]) (await openRoom(t.baseUrl, `${path}?token=${alice.access}`)).ws.close();
  });

  it.each(bad)('refuses %s: Socket.IO connect_error, WebSocket 401 on both paths', async (_name, make) => {
    const token = await make();
    const socket = connectSocket(t.baseUrl, token);
    expect(await connectError(socket)).toEqual(expect.any(String));
    socket.close();
    for (const path of [`/ws/chat/${room}/`, `/messenger/ws/ws/chat/${room}/`]) {
      await expect(openRoom(t.baseUrl, `${path}?token=${encodeURIComponent(token)}`)).rejects.toMatchObject({ status: 401 });
    }
  });
});
