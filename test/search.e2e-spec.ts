import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createUser, type TestUser } from './support/users.js';

/** Full-text search of messages (issue 16): English and Russian, members only, keyset pages. */
describe('GET /api/search/messages/', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let mallory: TestUser;
  let shared: number;
  let secret: number;

  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.access}` });
  const send = async (user: TestUser, conversation: number, text: string) => (await t.http().post('/api/messages/').set(auth(user)).send({ conversation, text }).expect(201)).body.id as number;
  const search = async (user: TestUser, query: Record<string, string | number>, status = 200) => t.http().get('/api/search/messages/').query(query).set(auth(user)).expect(status);
  const texts = (body: Array<{ text: string }>) => body.map((m) => m.text);

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, mallory] = [await createUser(t, 'alice'), await createUser(t, 'bob'), await createUser(t, 'mallory')];
    shared = (await t.http().post('/api/conversations/').set(auth(alice)).send({ participants: [bob.id] }).expect(201)).body.id;
    secret = (await t.http().post('/api/conversations/').set(auth(mallory)).send({ participants: [bob.id] }).expect(201)).body.id;
    await send(alice, shared, 'Встретимся завтра у друзей');
    await send(bob, shared, 'Привет, друзья!');
    await send(alice, shared, 'The dogs were running fast');
    await send(bob, shared, 'Running late, sorry');
    await send(alice, shared, 'Nothing to see here');
    await send(mallory, secret, 'My friends and друзья are secret');
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps the search index without a pending list, so a send never waits for a merge and a search never scans one', async () => {
    const [index] = await t.dataSource.query(`SELECT reloptions FROM pg_class WHERE relname = 'messages_search_idx'`);
    expect(index.reloptions).toContain('fastupdate=off');
  });

  it('finds other forms of English and Russian words, each message with its conversation', async () => {
    const russian = (await search(alice, { q: 'друзья' })).body;
    expect(texts(russian).sort()).toEqual(['Встретимся завтра у друзей', 'Привет, друзья!'].sort());
    expect(russian.every((m: { conversation: number }) => m.conversation === shared)).toBe(true);
    expect(texts((await search(alice, { q: 'run' })).body).sort()).toEqual(['Running late, sorry', 'The dogs were running fast'].sort());
    expect(texts((await search(alice, { q: '"running fast"' })).body)).toEqual(['The dogs were running fast']);
    expect(texts((await search(alice, { q: 'running -late' })).body)).toEqual(['The dogs were running fast']);
    expect((await search(alice, { q: 'zebra' })).body).toEqual([]);
  });

  it("searches only the caller's conversations: a stranger's messages never appear, and a conversation not theirs is 404", async () => {
    expect(texts((await search(alice, { q: 'secret' })).body)).toEqual([]);
    expect(texts((await search(bob, { q: 'secret' })).body)).toEqual(['My friends and друзья are secret']);
    expect(texts((await search(bob, { q: 'друзья', conversation: secret })).body)).toEqual(['My friends and друзья are secret']);
    await search(alice, { q: 'друзья', conversation: secret }, 404);
  });

  it('leaves deleted messages out, and the messages of a group one has left', async () => {
    const doomed = await send(alice, shared, 'ephemeral zeppelin');
    expect(texts((await search(bob, { q: 'zeppelin' })).body)).toEqual(['ephemeral zeppelin']);
    await t.http().delete(`/api/messages/${doomed}/`).set(auth(alice)).expect(204);
    expect((await search(bob, { q: 'zeppelin' })).body).toEqual([]);
    const group = (await t.http().post('/api/conversations/').set(auth(alice)).send({ participants: [bob.id, mallory.id] }).expect(201)).body.id;
    await send(alice, group, 'quarterly narwhal report');
    expect(texts((await search(mallory, { q: 'narwhal' })).body)).toEqual(['quarterly narwhal report']);
    await t.http().delete(`/api/conversations/${group}/participants/${mallory.id}/`).set(auth(mallory)).expect(204);
    expect((await search(mallory, { q: 'narwhal' })).body).toEqual([]);
  });

  it('pages by keyset: best match first, then newest, each result once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await send(bob, shared, i % 3 ? `walrus number ${i}` : `walrus walrus walrus ${i}`));
    const seen: number[] = [];
    let query: Record<string, string | number> = { q: 'walrus', limit: 3 };
    for (let page = 0; page < 5; page++) {
      const response = await search(alice, query);
      seen.push(...response.body.map((m: { id: number }) => m.id));
      const next = /<([^>]+)>; rel="next"/.exec(response.headers.link ?? '');
      if (!next) break;
      query = Object.fromEntries(new URL(next[1]).searchParams);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(ids);
    // The three-walrus messages rank first, newest first among equals.
    expect(seen.slice(0, 3)).toEqual([ids[6], ids[3], ids[0]]);
  });

  it('refuses a missing, blank or too long query and a bad cursor with field errors', async () => {
    expect((await search(alice, {}, 400)).body).toHaveProperty('q');
    expect((await search(alice, { q: '   ' }, 400)).body).toEqual({ q: ['This field may not be blank.'] });
    expect((await search(alice, { q: 'x'.repeat(201) }, 400)).body).toEqual({ q: ['Ensure this field has no more than 200 characters.'] });
    expect((await search(alice, { q: 'x', before: 'nope' }, 400)).body).toEqual({ before: ['Invalid cursor.'] });
    expect((await search(alice, { q: 'x', limit: 51 }, 400)).body).toHaveProperty('limit');
    // Operators alone, quotes and odd characters are just words (or nothing): never a 500.
    for (const q of ['"', '-', 'or', '!!!', "'", '&|!()<->:*', 'друзья & (', '\\']) expect((await search(alice, { q })).status).toBe(200);
    await t.http().get('/api/search/messages/?q=x').expect(401);
  });
});
