import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countQueries } from './support/query-counter.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

const DEFAULT_IMAGE = '/media/user_images/default.jpg';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f7d6c10000000049454e44ae426082', 'hex');
const GIF = Buffer.from('47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b', 'hex');

describe('profiles: /profiles/api/profile/, pictures, search and friends', () => {
  let t: TestApp;
  let me: TestUser;
  let friend: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ MEDIA_MAX_BYTES: '65536' });
    me = await createUser(t, 'me');
    friend = await createUser(t, 'friend');
    stranger = await createUser(t, 'stranger');
  });
  afterAll(async () => {
    await t.close();
  });

  const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });

  it('requires authentication', async () => {
    await t.http().get('/profiles/api/profile/').expect(401);
    await t.http().patch('/profiles/api/profile/').send({ bio: 'x' }).expect(401);
    await t.http().post('/profiles/api/add-friend/').send({ username: 'x' }).expect(401);
    await t.http().get('/profiles/api/search-user/?username=x').expect(401);
  });

  it('shows the current user with profile, friends and own posts oldest first (bio null until set)', async () => {
    await t.http().post('/profiles/api/posts/').set(bearer(me)).send({ title: 'Пост 1', content: 'Текст' }).expect(201);
    await t.http().post('/profiles/api/posts/').set(bearer(me)).send({ title: 'Пост 2', content: 'Текст' }).expect(201);
    await t.http().post('/profiles/api/posts/').set(bearer(stranger)).send({ title: 'not mine', content: 'x' }).expect(201);
    const response = await t.http().get('/profiles/api/profile/').set(bearer(me)).expect(200);
    expect(response.body).toEqual({
      id: me.id,
      username: me.username,
      email: me.email,
      profile: { image: DEFAULT_IMAGE, bio: null, friends: [] },
      posts: [
        { id: expect.any(Number), title: 'Пост 1', content: 'Текст', created_at: expect.any(String) },
        { id: expect.any(Number), title: 'Пост 2', content: 'Текст', created_at: expect.any(String) },
      ],
    });
  });

  it('edits bio and email, refusing a taken email', async () => {
    const edited = await t.http().patch('/profiles/api/profile/').set(bearer(me)).send({ bio: 'Био', email: 'me.new@example.com' }).expect(200);
    expect(edited.body).toMatchObject({ email: 'me.new@example.com', profile: { bio: 'Био' } });
    me.email = 'me.new@example.com';
    const taken = await t.http().patch('/profiles/api/profile/').set(bearer(me)).send({ email: friend.email.toUpperCase() }).expect(400);
    expect(taken.body).toEqual({ email: ['A user with that email already exists.'] });
    await t.http().patch('/profiles/api/profile/').set(bearer(me)).send({ email: 'nope' }).expect(400);
    // Read-only fields are ignored, as DRF does: the username never changes here.
    const renamed = await t.http().patch('/profiles/api/profile/').set(bearer(me)).send({ username: 'rename', id: 1 }).expect(200);
    expect(renamed.body).toMatchObject({ id: me.id, username: me.username });
    const login = await t.http().post('/login/').send({ username: me.username, password: me.password }).expect(200);
    expect(login.body.user).toMatchObject({ email: 'me.new@example.com', bio: 'Био' });
  });

  describe('pictures', () => {
    it('serves the default picture', async () => {
      const response = await t.http().get(DEFAULT_IMAGE).expect(200);
      expect(response.headers['content-type']).toBe('image/jpeg');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.from(response.body).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    });

    it('uploads a PNG, serves it with its type, and reports it in both families', async () => {
      const response = await t.http().post('/profiles/api/profile/image/').set(bearer(me)).attach('image', PNG, { filename: 'me.png', contentType: 'image/png' }).expect(200);
      const image: string = response.body.profile.image;
      expect(image).toMatch(/^\/media\/user_images\/\d+-[0-9a-f-]{36}\.png$/);
      const served = await t.http().get(image).expect(200);
      expect(served.headers['content-type']).toBe('image/png');
      // Stored as decoded and encoded again (no metadata survives): the same picture, not the same bytes.
      const original = await sharp(PNG).metadata();
      const stored = await sharp(Buffer.from(served.body)).metadata();
      expect({ format: stored.format, width: stored.width, height: stored.height }).toEqual({ format: 'png', width: original.width, height: original.height });
      const login = await t.http().post('/login/').send({ username: me.username, password: me.password }).expect(200);
      expect(login.body.user.profile_picture).toBe(image);
    });

    it('recognises the type by content, not by name, and removes the old file', async () => {
      const before = (await t.http().get('/profiles/api/profile/').set(bearer(me)).expect(200)).body.profile.image as string;
      const response = await t.http().post('/profiles/api/profile/image/').set(bearer(me)).attach('image', GIF, { filename: 'looks.png', contentType: 'image/png' }).expect(200);
      expect(response.body.profile.image).toMatch(/\.gif$/);
      expect((await t.http().get(response.body.profile.image).expect(200)).headers['content-type']).toBe('image/gif');
      await t.http().get(before).expect(404);
      expect(existsSync(join(t.config.mediaDir, before.replace('/media/', '')))).toBe(false);
    });

    it('refuses a file named .png that is not an image with 415', async () => {
      const response = await t
        .http()
        .post('/profiles/api/profile/image/')
        .set(bearer(me))
        .attach('image', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), { filename: 'evil.png', contentType: 'image/png' })
        .expect(415);
      expect(response.body).toMatchObject({ code: 'unsupported_media_type' });
    });

    it('refuses an oversized upload with 413', async () => {
      const big = Buffer.concat([PNG, Buffer.alloc(70_000)]);
      const response = await t.http().post('/profiles/api/profile/image/').set(bearer(me)).attach('image', big, { filename: 'big.png', contentType: 'image/png' }).expect(413);
      expect(response.body).toMatchObject({ code: 'request_too_large' });
    });

    it('refuses a request without the image field with 400', async () => {
      await t.http().post('/profiles/api/profile/image/').set(bearer(me)).field('other', 'x').expect(400);
      await t.http().post('/profiles/api/profile/image/').set(bearer(me)).send({ image: 'data' }).expect(400);
    });

    it.each([
      '/media/../package.json',
      '/media/%2e%2e/package.json',
      '/media/%2e%2e%2fpackage.json',
      '/media/user_images/..%2f..%2fpackage.json',
      '/media/..%5c..%5cpackage.json',
      '/media/user_images/%00default.jpg',
      '/media/.jwt-secret',
      '/media/user_images/missing.jpg',
      '/media/user_images/default.txt',
      '/media//etc/passwd',
    ])('never serves anything outside MEDIA_DIR or not an image: %s', async (path) => {
      const response = await t.http().get(path);
      expect([400, 404]).toContain(response.status);
      expect(response.text).not.toContain('"name": "palaver"');
    });
  });

  describe('search-user', () => {
    it('returns the user with profile and posts', async () => {
      const response = await t.http().get(`/profiles/api/search-user/?username=${stranger.username}`).set(bearer(me)).expect(200);
      expect(response.body).toMatchObject({ id: stranger.id, username: stranger.username, email: stranger.email, profile: { image: DEFAULT_IMAGE, bio: null, friends: [] } });
      expect(response.body.posts.map((p: { title: string }) => p.title)).toEqual(['not mine']);
    });

    it('400 without username, 404 for nobody', async () => {
      const missing = await t.http().get('/profiles/api/search-user/').set(bearer(me)).expect(400);
      expect(missing.body).toMatchObject({ code: 'invalid', detail: expect.stringContaining('username') });
      await t.http().get('/profiles/api/search-user/?username=').set(bearer(me)).expect(400);
      await t.http().get('/profiles/api/search-user/?username=nobody_at_all').set(bearer(me)).expect(404);
    });
  });

  describe('friends', () => {
    it('adds symmetrically and removes both ways', async () => {
      const added = await t.http().post('/profiles/api/add-friend/').set(bearer(me)).send({ username: friend.username }).expect(200);
      expect(added.body).toEqual({ message: `${friend.username} was added to your friends.` });
      expect((await t.http().get('/profiles/api/profile/').set(bearer(me))).body.profile.friends).toEqual([friend.id]);
      expect((await t.http().get('/profiles/api/profile/').set(bearer(friend))).body.profile.friends).toEqual([me.id]);

      const again = await t.http().post('/profiles/api/add-friend/').set(bearer(friend)).send({ username: me.username }).expect(400);
      expect(again.body.username[0]).toContain('already friends');

      const removed = await t.http().post('/profiles/api/remove-friend/').set(bearer(friend)).send({ username: me.username }).expect(200);
      expect(removed.body).toEqual({ message: `${me.username} was removed from your friends.` });
      expect((await t.http().get('/profiles/api/profile/').set(bearer(me))).body.profile.friends).toEqual([]);
      const notFriend = await t.http().post('/profiles/api/remove-friend/').set(bearer(me)).send({ username: friend.username }).expect(400);
      expect(notFriend.body.username[0]).toContain('not your friend');
    });

    it('refuses unknown users (field message), yourself, and bad input', async () => {
      const unknown = await t.http().post('/profiles/api/add-friend/').set(bearer(me)).send({ username: 'ghost' }).expect(400);
      expect(unknown.body).toEqual({ username: ['No user named ghost.'] });
      await t.http().post('/profiles/api/add-friend/').set(bearer(me)).send({ username: me.username }).expect(400);
      await t.http().post('/profiles/api/add-friend/').set(bearer(me)).send({}).expect(400);
      await t.http().post('/profiles/api/remove-friend/').set(bearer(me)).send({ username: 'ghost' }).expect(400);
    });
  });

  it('builds a profile in a fixed number of queries, however many posts and friends', async () => {
    const measure = async () => (await countQueries(t.dataSource, () => t.http().get('/profiles/api/profile/').set(bearer(stranger)).expect(200))).count;
    const before = await measure();
    for (const user of [me, friend]) await t.http().post('/profiles/api/add-friend/').set(bearer(user)).send({ username: stranger.username }).expect(200);
    for (let i = 0; i < 10; i++) await t.http().post('/profiles/api/posts/').set(bearer(stranger)).send({ title: `p${i}`, content: 'x' }).expect(201);
    const after = await measure();
    expect(after).toBe(before);
    expect(after).toBeLessThanOrEqual(4); // identity check by the guard + user/profile + friends + posts
  });

  it('keeps the default picture file in MEDIA_DIR', () => {
    expect(readFileSync(join(t.config.mediaDir, 'user_images', 'default.jpg')).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });
});
