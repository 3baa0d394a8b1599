import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

describe('auth: login, tokens, refresh rotation, logout', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await createUser(t, 'alice');
  });
  afterAll(async () => {
    await t.close();
  });

  const guarded = (token: string) => t.http().get('/accounts/api/users/?limit=1').set('Authorization', `Bearer ${token}`);

  it('POST /login/ returns the user and a token pair', async () => {
    const response = await t.http().post('/login/').send({ username: alice.username, password: alice.password }).expect(200);
    expect(response.body).toEqual({
      user: { id: alice.id, username: alice.username, email: alice.email, bio: '', profile_picture: '/media/user_images/default.jpg' },
      access: expect.any(String),
      refresh: expect.any(String),
    });
    await guarded(response.body.access).expect(200);
  });

  it('POST /accounts/api/token/ returns exactly {refresh, access}', async () => {
    const response = await t.http().post('/accounts/api/token/').send({ username: alice.username, password: alice.password }).expect(200);
    expect(Object.keys(response.body).sort()).toEqual(['access', 'refresh']);
  });

  it('logs in with any case of the username', async () => {
    await t.http().post('/login/').send({ username: alice.username.toUpperCase(), password: alice.password }).expect(200);
  });

  it('gives the same 401 for a wrong password and an unknown user', async () => {
    const wrong = await t.http().post('/login/').send({ username: alice.username, password: 'wrong password' }).expect(401);
    const unknown = await t.http().post('/login/').send({ username: 'nobody-here', password: 'wrong password' }).expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({ detail: 'No active account found with the given credentials', code: 'no_active_account' });
  });

  it('validates login input', async () => {
    const response = await t.http().post('/login/').send({ username: 'x' }).expect(400);
    expect(response.body).toEqual({ password: ['This field is required.'] });
    const empty = await t.http().post('/api/token/').send({}).expect(400);
    expect(empty.body).toEqual({ username: ['This field is required.'], password: ['This field is required.'] });
    // A long wrong password is a wrong password, as SimpleJWT answers it.
    await t.http().post('/login/').send({ username: 'x', password: 'p'.repeat(129) }).expect(401);
  });

  it.each(['/api/token/refresh/', '/accounts/api/token/refresh/'])('%s rotates: new pair, the old refresh token is spent', async (path) => {
    const login = await t.http().post('/accounts/api/token/').send({ username: alice.username, password: alice.password }).expect(200);
    const first = await t.http().post(path).send({ refresh: login.body.refresh }).expect(200);
    expect(Object.keys(first.body).sort()).toEqual(['access', 'refresh']);
    expect(first.body.refresh).not.toBe(login.body.refresh);
    await guarded(first.body.access).expect(200);
    const second = await t.http().post(path).send({ refresh: first.body.refresh }).expect(200);
    expect(second.body.refresh).not.toBe(first.body.refresh);
  });

  it('treats reuse of a rotated refresh token as theft and revokes the whole family', async () => {
    const login = await t.http().post('/login/').send({ username: alice.username, password: alice.password }).expect(200);
    const rotated = await t.http().post('/api/token/refresh/').send({ refresh: login.body.refresh }).expect(200);
    const reuse = await t.http().post('/api/token/refresh/').send({ refresh: login.body.refresh }).expect(401);
    expect(reuse.body).toEqual({ detail: 'Token is blacklisted', code: 'token_not_valid' });
    // The legitimate-looking newer token of the same family is dead too, and so are its access tokens.
    await t.http().post('/api/token/refresh/').send({ refresh: rotated.body.refresh }).expect(401);
    await guarded(rotated.body.access).expect(401);
    // Other sessions of the same user are unaffected.
    await t.http().post('/api/token/refresh/').send({ refresh: alice.refresh }).expect(200).then((r) => (alice.refresh = r.body.refresh));
  });

  it('lets only one of several concurrent refreshes of one token succeed', async () => {
    const login = await t.http().post('/login/').send({ username: alice.username, password: alice.password }).expect(200);
    const results = await Promise.all(Array.from({ length: 5 }, () => t.http().post('/api/token/refresh/').send({ refresh: login.body.refresh })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(4);
  });

  it.each(['/logout/', '/accounts/api/token/blacklist/'])('%s revokes the family; the refresh token then gets 401', async (path) => {
    const login = await t.http().post('/login/').send({ username: alice.username, password: alice.password }).expect(200);
    const rotated = await t.http().post('/api/token/refresh/').send({ refresh: login.body.refresh }).expect(200);
    await guarded(rotated.body.access).expect(200);
    const out = await t.http().post(path).send({ refresh: rotated.body.refresh }).expect(200);
    expect(out.body).toEqual({ message: 'Logged out.' });
    await t.http().post('/api/token/refresh/').send({ refresh: rotated.body.refresh }).expect(401);
    // The session's access tokens stop at once, not when they expire.
    const revoked = await guarded(rotated.body.access).expect(401);
    expect(revoked.body).toMatchObject({ code: 'token_not_valid', messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is blacklisted' }] });
    await guarded(login.body.access).expect(401);
    // Idempotent.
    await t.http().post(path).send({ refresh: rotated.body.refresh }).expect(200);
  });

  it('refuses an access token where a refresh token is expected, and the other way round', async () => {
    await t.http().post('/api/token/refresh/').send({ refresh: alice.access }).expect(401);
    await t.http().post('/logout/').send({ refresh: alice.access }).expect(401);
    const asAccess = await guarded(alice.refresh).expect(401);
    expect(asAccess.body.messages[0].message).toBe('Token has wrong type');
    const asRefresh = await t.http().post('/api/token/refresh/').send({ refresh: alice.access }).expect(401);
    expect(asRefresh.body).toEqual({ detail: 'Token has wrong type', code: 'token_not_valid' });
  });

  it('validates the refresh body', async () => {
    const missing = await t.http().post('/api/token/refresh/').send({}).expect(400);
    expect(missing.body).toEqual({ refresh: ['This field is required.'] });
    // Anything that is not a valid token is SimpleJWT's 401, never a 400.
    const garbage = await t.http().post('/api/token/refresh/').send({ refresh: 'not a jwt' }).expect(401);
    expect(garbage.body).toEqual({ detail: 'Token is invalid or expired', code: 'token_not_valid' });
    await t.http().post('/api/token/refresh/').send({ refresh: 42 }).expect(400);
  });

  describe('forged access tokens on a guarded route', () => {
    // alice's own live session: a correctly signed token needs one (a revoked or unknown session is refused below).
    const claims = () => ({ typ: 'access', sid: (jwt.decode(alice.access) as { sid: string }).sid });
    const options = (): jwt.SignOptions => ({ algorithm: 'HS256', issuer: 'palaver', audience: 'palaver-api', expiresIn: 60, subject: String(alice.id), jwtid: 'j' });
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    it('accepts a correctly signed one (control)', async () => {
      await guarded(jwt.sign(claims(), SECRET, options())).expect(200);
    });

    it.each([
      ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(), sub: String(alice.id), iss: 'palaver', aud: 'palaver-api', jti: 'j', exp: Math.floor(Date.now() / 1000) + 60 })}.`],
      ['wrong key', () => jwt.sign(claims(), 'another-secret-another-secret-another-secret', options())],
      ['HS512', () => jwt.sign(claims(), SECRET, { ...options(), algorithm: 'HS512' })],
      ['expired', () => jwt.sign(claims(), SECRET, { ...options(), expiresIn: -120 })],
      ['wrong audience', () => jwt.sign(claims(), SECRET, { ...options(), audience: 'other' })],
      ['wrong issuer', () => jwt.sign(claims(), SECRET, { ...options(), issuer: 'other' })],
      ['refresh type', () => jwt.sign({ ...claims(), typ: 'refresh' }, SECRET, options())],
      ['no type', () => jwt.sign({ sid: 'x' }, SECRET, options())],
      ['unknown user', () => jwt.sign(claims(), SECRET, { ...options(), subject: '999999' })],
      ['unknown session', () => jwt.sign({ ...claims(), sid: '00000000-0000-0000-0000-000000000000' }, SECRET, options())],
      ['session id not a UUID', () => jwt.sign({ ...claims(), sid: "x' OR '1'='1" }, SECRET, options())],
      ['tampered', () => {
        const [h, , s] = jwt.sign(claims(), SECRET, options()).split('.');
        return `${h}.${b64({ ...claims(), sub: '1', iss: 'palaver', aud: 'palaver-api', jti: 'j', exp: 9999999999 })}.${s}`;
      }],
      ['garbage', () => 'abc.def.ghi'],
    ])('refuses %s with a JSON 401', async (_name, make) => {
      const response = await guarded(make()).expect(401);
      expect(response.body).toEqual({
        detail: 'Given token not valid for any token type',
        code: 'token_not_valid',
        messages: [{ token_class: 'AccessToken', token_type: 'access', message: expect.any(String) }],
      });
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
    });

    it('says when a token has expired', async () => {
      const response = await guarded(jwt.sign(claims(), SECRET, { ...options(), expiresIn: -120 })).expect(401);
      expect(response.body.messages[0].message).toBe('Token is expired');
    });
  });
});

describe('auth with AUTH_REFRESH_ROTATION=false', () => {
  let t: TestApp;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ AUTH_REFRESH_ROTATION: 'false' });
    bob = await createUser(t, 'bob');
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps refresh tokens reusable until logout', async () => {
    const first = await t.http().post('/api/token/refresh/').send({ refresh: bob.refresh }).expect(200);
    expect(first.body.refresh).toBe(bob.refresh);
    await t.http().post('/accounts/api/token/refresh/').send({ refresh: bob.refresh }).expect(200);
    await t.http().post('/logout/').send({ refresh: bob.refresh }).expect(200);
    await t.http().post('/api/token/refresh/').send({ refresh: bob.refresh }).expect(401);
  });
});

describe('login throttling', () => {
  let t: TestApp;
  let carol: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: '1', LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '6' });
    carol = await createUser(t, 'carol');
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (ip: string, username: string, password: string) =>
    t.http().post('/login/').set('X-Forwarded-For', ip).send({ username, password });

  it('answers 429 with Retry-After after repeated failures for one account from one address', async () => {
    for (let i = 0; i < 3; i++) await login('203.0.113.1', carol.username, 'wrong password').expect(401);
    const blocked = await login('203.0.113.1', carol.username, carol.password).expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toEqual({ detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds?\.$/), code: 'throttled' });
  });

  it('checks at most the limit of a burst of concurrent guesses, the right password included (review finding 2)', async () => {
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login('203.0.113.40', carol.username, i === 25 ? carol.password : 'wrong password')),
    );
    const checked = burst.filter((r) => r.status !== 429);
    expect(checked.length).toBeLessThanOrEqual(3);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(37);
  });

  it('checks at most the limit of concurrent password confirmations of an account deletion (review finding 2)', async () => {
    const dave = await createUser(t, 'dave');
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http().delete('/profiles/api/profile/').set('X-Forwarded-For', '203.0.113.41').set('Authorization', `Bearer ${dave.access}`).send({ password: 'not it' }),
      ),
    );
    expect(burst.filter((r) => r.status === 400).length).toBeLessThanOrEqual(3);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(17);
  });

  it('takes the address the trusted proxy saw, not one the client wrote (review finding 3: TRUST_PROXY=true trusted every hop)', async () => {
    // As nginx forwards it: whatever the client sent, then the address it connected from.
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const forged = `10.9.${i}.${i}`;
      statuses.push((await t.http().post('/login/').set('X-Forwarded-For', `${forged}, 198.51.100.99`).send({ username: carol.username, password: 'wrong password' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('does not lock the owner out from another address', async () => {
    await login('198.51.100.7', carol.username, carol.password).expect(200);
  });

  it('slows an address that sprays many accounts, but lets a right password from it in (review finding 4: it was locked out for the window)', async () => {
    for (let i = 0; i < 6; i++) await login('203.0.113.9', `sprayed${i}`, 'wrong password').expect(401);
    // Someone else behind the same address, with the right password: checked, and in.
    await login('203.0.113.9', carol.username, carol.password).expect(200);
    // The sprayer goes on: one attempt per interval at most; the rest wait seconds, not 15 minutes.
    const slowed = await login('203.0.113.9', 'sprayed-more', 'wrong password').expect(429);
    expect(Number(slowed.headers['retry-after'])).toBeLessThanOrEqual(10);
  });

  it('never throttles successful logins behind one NAT', async () => {
    const responses = [];
    for (let i = 0; i < 30; i++) responses.push(await login('192.0.2.50', carol.username, carol.password));
    expect(responses.every((r) => r.status === 200)).toBe(true);
  });
});
