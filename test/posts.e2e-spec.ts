import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

describe('posts: /profiles/api/posts/', () => {
  let t: TestApp;
  let author: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    author = await createUser(t, 'author');
    other = await createUser(t, 'other');
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (user: TestUser) => ({
    get: (path: string) => t.http().get(path).auth(user.access, { type: 'bearer' }),
    post: (path: string, body: object) => t.http().post(path).auth(user.access, { type: 'bearer' }).send(body),
    patch: (path: string, body: object) => t.http().patch(path).auth(user.access, { type: 'bearer' }).send(body),
    delete: (path: string) => t.http().delete(path).auth(user.access, { type: 'bearer' }),
  });

  it('requires authentication everywhere', async () => {
    await t.http().get('/profiles/api/posts/').expect(401);
    await t.http().post('/profiles/api/posts/').send({ title: 'a', content: 'b' }).expect(401);
    await t.http().get('/profiles/api/posts/1/').expect(401);
  });

  it('creates a post in the contract shape', async () => {
    const response = await as(author).post('/profiles/api/posts/', { title: 'Новый пост', content: 'Текст' }).expect(201);
    expect(response.body).toEqual({ id: expect.any(Number), title: 'Новый пост', content: 'Текст', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    const fetched = await as(other).get(`/profiles/api/posts/${response.body.id}/`).expect(200);
    expect(fetched.body).toEqual(response.body);
  });

  it.each([
    ['missing title', { content: 'x' }, 'title'],
    ['empty title', { title: '', content: 'x' }, 'title'],
    ['blank title', { title: '   ', content: 'x' }, 'title'],
    ['256-character title', { title: 't'.repeat(256), content: 'x' }, 'title'],
    ['missing content', { title: 't' }, 'content'],
    ['20,001-character content', { title: 't', content: 'c'.repeat(20001) }, 'content'],
    ['numeric content', { title: 't', content: 42 }, 'content'],
  ])('refuses %s with a 400 naming the field', async (_name, body, field) => {
    const response = await as(author).post('/profiles/api/posts/', body).expect(400);
    expect(Object.keys(response.body)).toEqual([field]);
    expect(response.body[field]).toHaveLength(1);
  });

  it("words its refusals as DRF's serializers do", async () => {
    expect((await as(author).post('/profiles/api/posts/', { content: 'x' }).expect(400)).body).toEqual({ title: ['This field is required.'] });
    expect((await as(author).post('/profiles/api/posts/', { title: '', content: 'x' }).expect(400)).body).toEqual({ title: ['This field may not be blank.'] });
    expect((await as(author).post('/profiles/api/posts/', { title: 't'.repeat(256), content: 'x' }).expect(400)).body).toEqual({
      title: ['Ensure this field has no more than 255 characters.'],
    });
    expect((await as(author).post('/profiles/api/posts/', { title: null, content: 'x' }).expect(400)).body).toEqual({ title: ['This field may not be null.'] });
  });

  it('ignores unknown and read-only fields: the author is always the caller', async () => {
    const response = await as(author).post('/profiles/api/posts/', { title: 't', content: 'c', author_id: other.id, id: 424242, created_at: '2000-01-01T00:00:00Z' }).expect(201);
    expect(response.body.id).not.toBe(424242);
    expect(response.body.created_at).not.toMatch(/^2000/);
    const row = await t.dataSource.query(`SELECT author_id FROM posts WHERE id = $1`, [response.body.id]);
    expect(row[0].author_id).toBe(author.id);
  });

  it('accepts 255-character titles and 20,000-character content', async () => {
    await as(author).post('/profiles/api/posts/', { title: 't'.repeat(255), content: 'c'.repeat(20000) }).expect(201);
  });

  it('lists all posts oldest first without paging, newest first by page, walkable with before, filterable by author', async () => {
    for (let i = 0; i < 5; i++) await as(other).post('/profiles/api/posts/', { title: `other ${i}`, content: 'x' }).expect(201);
    const all = await as(author).get('/profiles/api/posts/?limit=200').expect(200);
    const ids = all.body.map((p: { id: number }) => p.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    for (const post of all.body) expect(Object.keys(post).sort()).toEqual(['content', 'created_at', 'id', 'title']);

    const walked: number[] = [];
    let path: string | null = '/profiles/api/posts/?limit=3';
    while (path) {
      const page = await as(author).get(path).expect(200);
      expect(page.body.length).toBeLessThanOrEqual(3);
      walked.push(...page.body.map((p: { id: number }) => p.id));
      const link = page.headers.link as string | undefined;
      path = link ? (() => { const u = new URL(/<([^>]+)>/.exec(link)![1]); return u.pathname + u.search; })() : null;
    }
    expect(walked).toEqual(ids);

    // Without paging parameters: every post, oldest first, as the original lists them.
    const whole = await as(author).get('/profiles/api/posts/').expect(200);
    expect(whole.body.map((p: { id: number }) => p.id)).toEqual([...ids].reverse());
    const byOther = await as(author).get(`/profiles/api/posts/?author=${other.username.toUpperCase()}`).expect(200);
    expect(byOther.body.map((p: { title: string }) => p.title)).toEqual(['other 0', 'other 1', 'other 2', 'other 3', 'other 4']);
    const byOtherPaged = await as(author).get(`/profiles/api/posts/?author=${other.username}&limit=2`).expect(200);
    expect(byOtherPaged.body.map((p: { title: string }) => p.title)).toEqual(['other 4', 'other 3']);
    const nobody = await as(author).get('/profiles/api/posts/?author=nobody').expect(200);
    expect(nobody.body).toEqual([]);
    await as(author).get('/profiles/api/posts/?limit=201').expect(400);
    await as(author).get('/profiles/api/posts/?before=abc').expect(400);
  });

  it('lets only the author edit or delete (403 for others, 404 for none)', async () => {
    const created = await as(author).post('/profiles/api/posts/', { title: 'mine', content: 'original' }).expect(201);
    const path = `/profiles/api/posts/${created.body.id}/`;
    await as(other).patch(path, { title: 'hijacked' }).expect(403);
    await as(other).delete(path).expect(403);
    const edited = await as(author).patch(path, { content: 'edited' }).expect(200);
    expect(edited.body).toMatchObject({ id: created.body.id, title: 'mine', content: 'edited', created_at: created.body.created_at });
    await as(author).patch(path, { title: '' }).expect(400);
    await as(author).delete(path).expect(204);
    await as(author).get(path).expect(404);
    await as(author).patch(path, { title: 'x' }).expect(404);
    await as(author).delete(path).expect(404);
  });

  it.each(['0', '-1', 'abc', '99999999999', '1.5', '1e3'])('answers 404 for the id %s', async (id) => {
    const response = await as(author).get(`/profiles/api/posts/${id}/`).expect(404);
    expect(response.body).toEqual({ detail: 'Post not found', code: 'not_found' });
  });
});
