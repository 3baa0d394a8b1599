import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

describe('accounts: registration and user listing', () => {
  let t: TestApp;
  let viewer: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    viewer = await createUser(t, 'viewer');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /register/', () => {
    it('registers with bio and picture, returning the contract shape', async () => {
      const response = await t
        .http()
        .post('/register/')
        .send({ username: 'new_user', email: 'new_user@example.com', password: 'password123', bio: 'This is a bio', profile_picture: 'https://cdn.example.com/a.png' })
        .expect(201);
      expect(response.body).toEqual({ message: 'User registered successfully!', user_id: expect.any(Number) });
      const login = await t.http().post('/login/').send({ username: 'new_user', password: 'password123' }).expect(200);
      expect(login.body.user).toEqual({
        id: response.body.user_id,
        username: 'new_user',
        email: 'new_user@example.com',
        bio: 'This is a bio',
        profile_picture: 'https://cdn.example.com/a.png',
      });
    });

    it('registers without the optional fields', async () => {
      const response = await t.http().post('/register/').send({ username: 'plain.user+1@x-y', email: 'plain@example.com', password: 'password123' }).expect(201);
      const login = await t.http().post('/login/').send({ username: 'plain.user+1@x-y', password: 'password123' }).expect(200);
      expect(login.body.user).toEqual({ id: response.body.user_id, username: 'plain.user+1@x-y', email: 'plain@example.com', bio: '', profile_picture: '/media/user_images/default.jpg' });
      const profile = await t.http().get('/profiles/api/profile/').auth(login.body.access, { type: 'bearer' }).expect(200);
      expect(profile.body.profile.bio).toBeNull();
    });

    it.each([
      [{ email: 'a@example.com', password: 'password123' }, 'username'],
      [{ username: 'bad name', email: 'b@example.com', password: 'password123' }, 'username'],
      [{ username: 'x'.repeat(151), email: 'c@example.com', password: 'password123' }, 'username'],
      [{ username: 'ok_name', email: 'not-an-email', password: 'password123' }, 'email'],
      [{ username: 'ok_name', email: 'd@example.com', password: 'short' }, 'password'],
      [{ username: 'ok_name', email: 'd@example.com', password: 'p'.repeat(129) }, 'password'],
      [{ username: 'ok_name', email: 'd@example.com', password: 12345678 }, 'password'],
      [{ username: 'ok_name', email: 'd@example.com', password: 'password123', profile_picture: 'javascript:alert(1)' }, 'profile_picture'],
    ])('refuses %j with a message on field %s, in DRF\'s shape', async (body, field) => {
      const response = await t.http().post('/register/').send(body).expect(400);
      expect(Object.keys(response.body)).toEqual([field]);
      expect(response.body[field]).toEqual([expect.any(String)]);
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
    });

    it("answers with DRF's words", async () => {
      const missing = await t.http().post('/register/').send({}).expect(400);
      expect(missing.body).toEqual({ username: ['This field is required.'], email: ['This field is required.'], password: ['This field is required.'] });
      const wrongType = await t.http().post('/register/').send({ username: 'ok_name', email: 'd@example.com', password: 12345678 }).expect(400);
      expect(wrongType.body).toEqual({ password: ['Not a valid string.'] });
      const tooLong = await t.http().post('/register/').send({ username: 'x'.repeat(151), email: 'c@example.com', password: 'password123' }).expect(400);
      expect(tooLong.body).toEqual({ username: ['Ensure this field has no more than 150 characters.'] });
      const notObject = await t.http().post('/register/').send([1, 2]).expect(400);
      expect(notObject.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    });

    it('ignores unknown fields, as DRF does, and never assigns them', async () => {
      const response = await t
        .http()
        .post('/register/')
        .send({ username: 'sneaky', email: 'sneaky@example.com', password: 'password123', is_staff: true, id: 999999, title: 'x' })
        .expect(201);
      expect(response.body.user_id).not.toBe(999999);
      const row = await t.dataSource.query(`SELECT * FROM users WHERE id = $1`, [response.body.user_id]);
      expect(row[0]).not.toHaveProperty('is_staff');
    });

    it('takes form-encoded and multipart bodies', async () => {
      await t.http().post('/register/').type('form').send({ username: 'former', email: 'former@example.com', password: 'password123' }).expect(201);
      await t.http().post('/register/').field('username', 'multi').field('email', 'multi@example.com').field('password', 'password123').expect(201);
      await t.http().post('/login/').type('form').send({ username: 'multi', password: 'password123' }).expect(200);
      const text = await t.http().post('/register/').set('content-type', 'text/plain').send('username=x').expect(415);
      expect(text.body).toEqual({ detail: 'Unsupported media type "text/plain" in request.', code: 'unsupported_media_type' });
    });

    it('accepts a 64-character passphrase with no composition rules', async () => {
      await t.http().post('/register/').send({ username: 'passphrase', email: 'pp@example.com', password: 'a'.repeat(64) }).expect(201);
    });

    it('refuses a duplicate username regardless of case, and a duplicate email after normalisation', async () => {
      await t.http().post('/register/').send({ username: 'Casey', email: 'casey@example.com', password: 'password123' }).expect(201);
      const username = await t.http().post('/register/').send({ username: 'cASEY', email: 'other@example.com', password: 'password123' }).expect(400);
      expect(username.body).toEqual({ username: ['A user with that username already exists.'] });
      const email = await t.http().post('/accounts/api/users/').send({ username: 'casey2', email: 'CASEY@Example.com', password: 'password123' }).expect(400);
      expect(email.body).toEqual({ email: ['A user with that email already exists.'] });
      const both = await t.http().post('/register/').send({ username: 'casey', email: 'casey@example.com', password: 'password123' }).expect(400);
      expect(Object.keys(both.body).sort()).toEqual(['email', 'username']);
    });

    it('never lets concurrent duplicates both in', async () => {
      const attempts = await Promise.all(
        [1, 2, 3].map((i) => t.http().post('/register/').send({ username: 'racer', email: `racer${i}@example.com`, password: 'password123' })),
      );
      expect(attempts.map((r) => r.status).sort()).toEqual([201, 400, 400]);
    });
  });

  describe('/accounts/api/users/', () => {
    it('creates a user as the original answers: the user and an access token that works at once (200)', async () => {
      const response = await t.http().post('/accounts/api/users/').send({ username: 'newuser', email: 'newuser@example.com', password: 'yourpassword' }).expect(200);
      expect(response.body).toEqual({ user: { id: expect.any(Number), username: 'newuser', email: 'newuser@example.com' }, token: expect.any(String) });
      const me = await t.http().get('/profiles/api/profile/').auth(response.body.token, { type: 'bearer' }).expect(200);
      expect(me.body.id).toBe(response.body.user.id);
      const claims = JSON.parse(Buffer.from(response.body.token.split('.')[1], 'base64url').toString());
      expect(claims).toMatchObject({ user_id: response.body.user.id, token_type: 'access' });
      expect(claims.exp - claims.iat).toBe(30 * 86400);
    });

    it('lists users only to authenticated callers', async () => {
      const anonymous = await t.http().get('/accounts/api/users/').expect(401);
      expect(anonymous.body).toEqual({ detail: 'Authentication credentials were not provided.', code: 'not_authenticated' });
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="api"');
      const listed = await t.http().get('/accounts/api/users/').auth(viewer.access, { type: 'bearer' }).expect(200);
      expect(Array.isArray(listed.body)).toBe(true);
      for (const user of listed.body) expect(Object.keys(user).sort()).toEqual(['email', 'id', 'username']);
      expect(listed.body.map((u: { username: string }) => u.username)).toContain(viewer.username);
    });

    it('pages with limit and an after cursor, with a Link header, without gaps or repeats', async () => {
      for (let i = 0; i < 5; i++) await t.http().post('/accounts/api/users/').send({ username: `pager${i}`, email: `pager${i}@example.com`, password: 'password123' }).expect(200);
      const all = await t.http().get('/accounts/api/users/?limit=200').auth(viewer.access, { type: 'bearer' }).expect(200);
      const seen: number[] = [];
      let next: string | undefined = '/accounts/api/users/?limit=2';
      while (next) {
        const page = await t.http().get(next).auth(viewer.access, { type: 'bearer' }).expect(200);
        expect(page.body.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.map((u: { id: number }) => u.id));
        const link = page.headers.link as string | undefined;
        next = link ? new URL(/<([^>]+)>; rel="next"/.exec(link)![1]).pathname + new URL(/<([^>]+)>/.exec(link)![1]).search : undefined;
      }
      expect(seen).toEqual(all.body.map((u: { id: number }) => u.id));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('lists every user without paging parameters, as the original, and ignores ?format=json', async () => {
      const all = await t.http().get('/accounts/api/users/?format=json&_=123').auth(viewer.access, { type: 'bearer' }).expect(200);
      const count = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE deleted_at IS NULL`);
      expect(all.body).toHaveLength(count[0].n);
      expect(all.headers.link).toBeUndefined();
      const ids = all.body.map((u: { id: number }) => u.id);
      expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
    });

    it('caps limit at 200', async () => {
      await t.http().get('/accounts/api/users/?limit=201').auth(viewer.access, { type: 'bearer' }).expect(400);
      await t.http().get('/accounts/api/users/?limit=0').auth(viewer.access, { type: 'bearer' }).expect(400);
      await t.http().get('/accounts/api/users/?limit=abc').auth(viewer.access, { type: 'bearer' }).expect(400);
    });

    it('searches by username prefix, case-insensitively, treating wildcards literally', async () => {
      await t.http().post('/accounts/api/users/').send({ username: 'Searchable_One', email: 's1@example.com', password: 'password123' }).expect(200);
      await t.http().post('/accounts/api/users/').send({ username: 'searchableXtwo', email: 's2@example.com', password: 'password123' }).expect(200);
      const found = await t.http().get('/accounts/api/users/?search=SEARCHABLE').auth(viewer.access, { type: 'bearer' }).expect(200);
      expect(found.body.map((u: { username: string }) => u.username).sort()).toEqual(['Searchable_One', 'searchableXtwo']);
      const literal = await t.http().get('/accounts/api/users/?search=searchable_').auth(viewer.access, { type: 'bearer' }).expect(200);
      expect(literal.body.map((u: { username: string }) => u.username)).toEqual(['Searchable_One']);
      const percent = await t.http().get('/accounts/api/users/?search=%25').auth(viewer.access, { type: 'bearer' }).expect(200);
      expect(percent.body).toEqual([]);
    });
  });
});
