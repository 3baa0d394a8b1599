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
      [{ username: 'ok_name', email: 'd@example.com', password: 'password123', is_staff: true }, 'is_staff'],
    ])('refuses %j with a message on field %s', async (body, field) => {
      const response = await t.http().post('/register/').send(body).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
      expect(response.body.fields[field]).toEqual([expect.any(String)]);
    });

    it('accepts a 64-character passphrase with no composition rules', async () => {
      await t.http().post('/register/').send({ username: 'passphrase', email: 'pp@example.com', password: 'a'.repeat(64) }).expect(201);
    });

    it('refuses a duplicate username regardless of case, and a duplicate email after normalisation', async () => {
      await t.http().post('/register/').send({ username: 'Casey', email: 'casey@example.com', password: 'password123' }).expect(201);
      const username = await t.http().post('/register/').send({ username: 'cASEY', email: 'other@example.com', password: 'password123' }).expect(400);
      expect(username.body.fields).toEqual({ username: ['A user with that username already exists.'] });
      const email = await t.http().post('/accounts/api/users/').send({ username: 'casey2', email: 'CASEY@Example.com', password: 'password123' }).expect(400);
      expect(email.body.fields).toEqual({ email: ['A user with that email already exists.'] });
      const both = await t.http().post('/register/').send({ username: 'casey', email: 'casey@example.com', password: 'password123' }).expect(400);
      expect(Object.keys(both.body.fields).sort()).toEqual(['email', 'username']);
    });

    it('never lets concurrent duplicates both in', async () => {
      const attempts = await Promise.all(
        [1, 2, 3].map((i) => t.http().post('/register/').send({ username: 'racer', email: `racer${i}@example.com`, password: 'password123' })),
      );
      expect(attempts.map((r) => r.status).sort()).toEqual([201, 400, 400]);
    });
  });

  describe('/accounts/api/users/', () => {
    it('creates a user in the accounts shape', async () => {
      const response = await t.http().post('/accounts/api/users/').send({ username: 'newuser', email: 'newuser@example.com', password: 'yourpassword' }).expect(201);
      expect(response.body).toEqual({ id: expect.any(Number), username: 'newuser', email: 'newuser@example.com' });
    });

    it('lists users only to authenticated callers', async () => {
      const anonymous = await t.http().get('/accounts/api/users/').expect(401);
      expect(anonymous.body.message).toBe('Authentication credentials were not provided.');
      const listed = await t.http().get('/accounts/api/users/').auth(viewer.access, { type: 'bearer' }).expect(200);
      expect(Array.isArray(listed.body)).toBe(true);
      for (const user of listed.body) expect(Object.keys(user).sort()).toEqual(['email', 'id', 'username']);
      expect(listed.body.map((u: { username: string }) => u.username)).toContain(viewer.username);
    });

    it('pages with limit and an after cursor, with a Link header, without gaps or repeats', async () => {
      for (let i = 0; i < 5; i++) await t.http().post('/accounts/api/users/').send({ username: `pager${i}`, email: `pager${i}@example.com`, password: 'password123' }).expect(201);
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

    it('defaults to 50 and caps limit at 200', async () => {
      await t.http().get('/accounts/api/users/?limit=201').auth(viewer.access, { type: 'bearer' }).expect(400);
      await t.http().get('/accounts/api/users/?limit=0').auth(viewer.access, { type: 'bearer' }).expect(400);
      await t.http().get('/accounts/api/users/?limit=abc').auth(viewer.access, { type: 'bearer' }).expect(400);
    });

    it('searches by username prefix, case-insensitively, treating wildcards literally', async () => {
      await t.http().post('/accounts/api/users/').send({ username: 'Searchable_One', email: 's1@example.com', password: 'password123' }).expect(201);
      await t.http().post('/accounts/api/users/').send({ username: 'searchableXtwo', email: 's2@example.com', password: 'password123' }).expect(201);
      const found = await t.http().get('/accounts/api/users/?search=SEARCHABLE').auth(viewer.access, { type: 'bearer' }).expect(200);
      expect(found.body.map((u: { username: string }) => u.username).sort()).toEqual(['Searchable_One', 'searchableXtwo']);
      const literal = await t.http().get('/accounts/api/users/?search=searchable_').auth(viewer.access, { type: 'bearer' }).expect(200);
      expect(literal.body.map((u: { username: string }) => u.username)).toEqual(['Searchable_One']);
      const percent = await t.http().get('/accounts/api/users/?search=%25').auth(viewer.access, { type: 'bearer' }).expect(200);
      expect(percent.body).toEqual([]);
    });
  });
});
