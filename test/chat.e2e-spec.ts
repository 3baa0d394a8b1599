import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainEvents, type DomainEventMap } from '../src/events/domain-events.js';
import { ChatService } from '../src/chat/chat.service.js';
import { countQueries } from './support/query-counter.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { compareCodePoints } from '../src/chat/room-names.js';
import { createUser, type TestUser } from './support/users.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('chat over REST, both families, one model', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let mallory: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'loopback' });
    alice = await createUser(t, 'alice');
    bob = await createUser(t, 'bob');
    carol = await createUser(t, 'carol');
    mallory = await createUser(t, 'mallory');
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (user: TestUser) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${user.access}`),
    post: (path: string, body: object) => t.http().post(path).set('Authorization', `Bearer ${user.access}`).send(body),
  });
  const summary = (u: TestUser) => ({ id: u.id, username: u.username, email: u.email });

  it('requires authentication on every chat route', async () => {
    for (const [method, path] of [
      ['get', '/api/conversations/'],
      ['post', '/api/conversations/'],
      ['get', '/api/conversations/1/'],
      ['get', '/api/conversations/1/messages/'],
      ['post', '/api/messages/'],
      ['get', '/api/messages/'],
      ['get', '/messenger/api/chatrooms/'],
      ['post', '/messenger/api/chatrooms/'],
      ['get', '/messenger/api/user/chatrooms/'],
      ['get', '/messenger/api/chatrooms/a_b/messages/'],
      ['post', '/messenger/api/chatrooms/a_b/messages/'],
    ] as const) {
      await t.http()[method](path).expect(401);
    }
  });

  describe('/api/ family', () => {
    it('creates a direct conversation in the contract shape, then returns it (200) whoever asks, in any order', async () => {
      const created = await as(alice).post('/api/conversations/', { participants: [alice.id, bob.id] }).expect(201);
      expect(created.body).toEqual({
        id: expect.any(Number),
        participants: [summary(alice), summary(bob)].sort((a, b) => a.id - b.id).map((p) => ({ ...p, role: 'member' })),
        title: null,
        messages: [],
        created_at: expect.stringMatching(ISO),
        unread_count: 0,
        last_read_message: null,
      });
      const again = await as(bob).post('/api/conversations/', { participants: [alice.id] }).expect(200);
      expect(again.body.id).toBe(created.body.id);
      const viaMessenger = await as(alice).post('/messenger/api/chatrooms/', { recipient: bob.username }).expect(200);
      expect(viaMessenger.body.id).toBe(created.body.id);
    });

    it('adds the caller, refuses unknown ids and lonely conversations', async () => {
      const withoutMe = await as(carol).post('/api/conversations/', { participants: [mallory.id] }).expect(201);
      expect(withoutMe.body.participants.map((p: { id: number }) => p.id).sort()).toEqual([carol.id, mallory.id].sort());
      const unknown = await as(alice).post('/api/conversations/', { participants: [bob.id, 999999] }).expect(400);
      expect(unknown.body).toEqual({ participants: ['Invalid pk "999999" - object does not exist.'] });
      await as(alice).post('/api/conversations/', { participants: [alice.id] }).expect(400);
      await as(alice).post('/api/conversations/', { participants: [] }).expect(400);
      const wrongType = await as(alice).post('/api/conversations/', { participants: ['abc'] }).expect(400);
      expect(wrongType.body).toEqual({ participants: ['Incorrect type. Expected pk value, received str.'] });
      const notList = await as(alice).post('/api/conversations/', { participants: 3 }).expect(400);
      expect(notList.body).toEqual({ participants: ['Expected a list of items but got type "int".'] });
      await as(alice).post('/api/conversations/', { participants: [-1] }).expect(400);
      await as(alice).post('/api/conversations/', {}).expect(400);
    });

    it('creates a new group for three or more people every time', async () => {
      const first = await as(alice).post('/api/conversations/', { participants: [bob.id, carol.id] }).expect(201);
      const second = await as(alice).post('/api/conversations/', { participants: [bob.id, carol.id] }).expect(201);
      expect(second.body.id).not.toBe(first.body.id);
      expect(first.body.participants).toHaveLength(3);
    });

    it('sends messages in the contract shape, idempotently with client_id', async () => {
      const conversation = (await as(alice).post('/api/conversations/', { participants: [bob.id] })).body.id;
      const sent = await as(alice).post('/api/messages/', { conversation, text: '  Hello, this is a message  ' }).expect(201);
      expect(sent.body).toEqual({ id: expect.any(Number), sender: summary(alice), conversation, text: 'Hello, this is a message', timestamp: expect.stringMatching(ISO), reply_to: null, edited_at: null, deleted: false, reactions: [] });

      const events: Array<DomainEventMap['message.created']> = [];
      const off = t.app.get(DomainEvents).on('message.created', (event) => void events.push(event));
      try {
        const first = await as(alice).post('/api/messages/', { conversation, text: 'once', client_id: 'c-1' }).expect(201);
        const retry = await as(alice).post('/api/messages/', { conversation, text: 'once', client_id: 'c-1' }).expect(200);
        expect(retry.body).toEqual(first.body);
        expect(first.body.client_id).toBe('c-1');
        const concurrent = await Promise.all([1, 2, 3].map(() => as(bob).post('/api/messages/', { conversation, text: 'race', client_id: 'c-1' })));
        expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
        expect(concurrent.map((r) => r.status).sort()).toEqual([200, 200, 201]);
        // The same key from another sender is another message.
        expect(concurrent[0].body.id).not.toBe(first.body.id);
        expect(events.map((e) => e.message.id).sort()).toEqual([first.body.id, concurrent[0].body.id].sort());
      } finally {
        off();
      }
    });

    it.each([
      ['blank text', { text: '   \n ' }],
      ['empty text', { text: '' }],
      ['text over 4,000 characters', { text: 'x'.repeat(4001) }],
      ['numeric text', { text: 5 }],
      ['no text', {}],
      ['a bad client_id', { text: 'x', client_id: 'has spaces' }],
      ['a NUL byte', { text: 'before\u0000after' }],
    ])('refuses %s with 400', async (_name, body) => {
      const conversation = (await as(alice).post('/api/conversations/', { participants: [bob.id] })).body.id;
      await as(alice).post('/api/messages/', { conversation, ...body }).expect(400);
    });

    it('accepts exactly 4,000 characters, counting emoji as one', async () => {
      const conversation = (await as(alice).post('/api/conversations/', { participants: [bob.id] })).body.id;
      await as(alice).post('/api/messages/', { conversation, text: '😀'.repeat(4000) }).expect(201);
    });

    it('hides conversations from non-members (404) on reads and writes', async () => {
      const conversation = (await as(alice).post('/api/conversations/', { participants: [bob.id] })).body.id;
      const response = await as(mallory).get(`/api/conversations/${conversation}/`).expect(404);
      expect(response.body).toEqual({ detail: 'Conversation not found', code: 'not_found' });
      await as(mallory).get(`/api/conversations/${conversation}/messages/`).expect(404);
      await as(mallory).get(`/api/messages/?conversation=${conversation}`).expect(404);
      await as(mallory).get('/api/conversations/2147483647/').expect(404);
      // A primary key in a body is DRF's field error, worded alike whether the conversation is
      // someone else's or does not exist: nothing is revealed.
      const foreign = await as(mallory).post('/api/messages/', { conversation, text: 'hi' }).expect(400);
      expect(foreign.body).toEqual({ conversation: [`Invalid pk "${conversation}" - object does not exist.`] });
      const missing = await as(mallory).post('/api/messages/', { conversation: 2147483647, text: 'hi' }).expect(400);
      expect(missing.body).toEqual({ conversation: ['Invalid pk "2147483647" - object does not exist.'] });
      const list = await as(mallory).get('/api/conversations/').expect(200);
      expect(list.body.map((c: { id: number }) => c.id)).not.toContain(conversation);
    });

    it('gets one conversation with its latest messages', async () => {
      const conversation = (await as(alice).post('/api/conversations/', { participants: [bob.id] })).body.id;
      const response = await as(bob).get(`/api/conversations/${conversation}/`).expect(200);
      expect(response.body).toMatchObject({ id: conversation, participants: expect.any(Array), created_at: expect.stringMatching(ISO) });
      expect(response.body.messages.length).toBeGreaterThan(0);
    });

    it('lists conversations by latest activity with a bounded preview, in a fixed number of queries', async () => {
      const dave = await createUser(t, 'dave');
      const partners = [alice, bob, carol];
      const ids: number[] = [];
      for (const partner of partners) ids.push((await as(dave).post('/api/conversations/', { participants: [partner.id] })).body.id);
      for (let i = 0; i < 3; i++) await as(dave).post('/api/messages/', { conversation: ids[0], text: `m${i}` }).expect(201);
      await as(dave).post('/api/messages/', { conversation: ids[1], text: 'latest' }).expect(201);

      const list = await as(dave).get('/api/conversations/?messages=2').expect(200);
      expect(list.body.map((c: { id: number }) => c.id)).toEqual([ids[1], ids[0], ids[2]]);
      expect(list.body[1].messages.map((m: { text: string }) => m.text)).toEqual(['m1', 'm2']);
      expect(list.body[2].messages).toEqual([]);

      const first = await as(dave).get('/api/conversations/?limit=2').expect(200);
      expect(first.body).toHaveLength(2);
      const link = /<([^>]+)>; rel="next"/.exec(first.headers.link)![1];
      const rest = await as(dave).get(new URL(link).pathname + new URL(link).search).expect(200);
      expect(rest.body.map((c: { id: number }) => c.id)).toEqual([ids[2]]);
      await as(dave).get('/api/conversations/?cursor=garbage').expect(400);
      await as(dave).get('/api/conversations/?limit=101').expect(400);

      const measure = async () => (await countQueries(t.dataSource, () => as(dave).get('/api/conversations/').expect(200))).count;
      const before = await measure();
      const erin = await createUser(t, 'erin');
      for (let i = 0; i < 4; i++) {
        const group = (await as(dave).post('/api/conversations/', { participants: [erin.id, alice.id, bob.id] })).body.id;
        await as(erin).post('/api/messages/', { conversation: group, text: `g${i}` }).expect(201);
      }
      expect(await measure()).toBe(before);
      expect(before).toBeLessThanOrEqual(4); // guard identity + conversations + members + latest messages
    });
  });

  it('writes whole histories (JSON made by PostgreSQL) exactly as the mappers write pages', async () => {
    const conversation = (await as(alice).post('/api/conversations/', { participants: [carol.id] })).body.id;
    const texts = ['plain', 'quotes " and \\ backslash', 'line\nbreak\ttab', 'emoji 😀 and Привет', 'control \u0001\u001f', '</script>', 'ünïcödé ß'];
    for (const [i, text] of texts.entries()) {
      await as(i % 2 ? carol : alice).post('/api/messages/', { conversation, text, ...(i === 3 ? { client_id: 'c-json' } : {}) }).expect(201);
    }
    const whole = await as(alice).get(`/api/conversations/${conversation}/messages/`).expect(200);
    const paged = await as(alice).get(`/api/conversations/${conversation}/messages/?limit=200`).expect(200);
    expect(whole.body).toEqual(paged.body);
    expect(whole.body.map((m: { text: string }) => m.text)).toEqual(texts);
    expect(whole.body[3].client_id).toBe('c-json');
    const room = (await as(alice).get('/messenger/api/user/chatrooms/').expect(200)).body.find((r: { id: number }) => r.id === conversation).name;
    const roomWhole = await as(carol).get(`/messenger/api/chatrooms/${encodeURIComponent(room)}/messages/`).expect(200);
    const roomPaged = await as(carol).get(`/messenger/api/chatrooms/${encodeURIComponent(room)}/messages/?limit=200`).expect(200);
    expect(roomWhole.body).toEqual(roomPaged.body);
  });

  describe('history with keyset cursors', () => {
    let conversation: number;
    let all: number[];

    beforeAll(async () => {
      conversation = (await as(carol).post('/api/conversations/', { participants: [bob.id] })).body.id;
      const chat = t.app.get(ChatService);
      all = [];
      for (let i = 0; i < 1000; i++) all.push((await chat.sendMessage(i % 2 ? carol.id : bob.id, conversation, `message ${i}`)).message.id);
    }, 120_000);

    it('returns the whole history oldest first without paging parameters (as the originals), and caps limit at 200', async () => {
      const whole = await as(carol).get(`/api/conversations/${conversation}/messages/?format=json`).expect(200);
      expect(whole.body.map((m: { id: number }) => m.id)).toEqual(all);
      expect(whole.body[0]).toEqual({ id: all[0], sender: summary(bob), conversation, text: 'message 0', timestamp: expect.stringMatching(ISO), reply_to: null, edited_at: null, deleted: false, reactions: [] });
      const room = await as(bob).get(`/messenger/api/chatrooms/${encodeURIComponent(await roomName())}/messages/`).expect(200);
      expect(room.body.map((m: { id: number }) => m.id)).toEqual(all);
      expect(room.body[999]).toEqual({ id: all[999], user: whole.body[999].sender.username, content: 'message 999', timestamp: whole.body[999].timestamp });
      const response = await as(carol).get(`/api/conversations/${conversation}/messages/?limit=50`).expect(200);
      expect(response.body.map((m: { id: number }) => m.id)).toEqual(all.slice(-50));
      expect(response.body[0]).toEqual({ id: all[950], sender: summary(bob), conversation, text: 'message 950', timestamp: expect.stringMatching(ISO), reply_to: null, edited_at: null, deleted: false, reactions: [] });
      await as(carol).get(`/api/conversations/${conversation}/messages/?limit=201`).expect(400);
      await as(carol).get(`/api/conversations/${conversation}/messages/?before=x`).expect(400);
    });

    it('walks back with before and forward with after across 1,000 messages without gaps or repeats', async () => {
      const backward: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await as(carol).get(`/api/conversations/${conversation}/messages/?limit=137${before ? `&before=${before}` : ''}`).expect(200);
        if (!page.body.length) break;
        backward.unshift(...page.body.map((m: { id: number }) => m.id));
        before = page.body[0].id;
      }
      expect(backward).toEqual(all);

      const forward: number[] = [];
      let after = 0;
      for (;;) {
        const page = await as(bob).get(`/messenger/api/chatrooms/${encodeURIComponent(await roomName())}/messages/?limit=200&after=${after}`).expect(200);
        if (!page.body.length) break;
        forward.push(...page.body.map((m: { id: number }) => m.id));
        after = page.body[page.body.length - 1].id;
      }
      expect(forward).toEqual(all);
    });

    async function roomName(): Promise<string> {
      const rooms = await as(carol).get('/messenger/api/user/chatrooms/').expect(200);
      return rooms.body.find((r: { id: number }) => r.id === conversation).name;
    }

    it('pages like Django REST framework, with absolute links that keep other parameters', async () => {
      const base = `/api/messages/?conversation=${conversation}&page_size=100`;
      const first = await as(carol).get(base).set('Host', 'chat.example.com').expect(200);
      expect(first.body.count).toBe(1000);
      expect(first.body.previous).toBeNull();
      expect(first.body.next).toBe(`http://chat.example.com/api/messages/?conversation=${conversation}&page_size=100&page=2`);
      expect(first.body.results.map((m: { id: number }) => m.id)).toEqual(all.slice(0, 100));

      const second = await as(carol).get(`${base}&page=2`).set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'api.example.com').expect(200);
      expect(second.body.previous).toBe(`https://api.example.com/api/messages/?conversation=${conversation}&page_size=100&page=1`);
      expect(second.body.next).toBe(`https://api.example.com/api/messages/?conversation=${conversation}&page_size=100&page=3`);
      expect(second.body.results.map((m: { id: number }) => m.id)).toEqual(all.slice(100, 200));

      const last = await as(carol).get(`${base}&page=10`).expect(200);
      expect(last.body.next).toBeNull();
      expect(last.body.results.map((m: { id: number }) => m.id)).toEqual(all.slice(900));
      await as(carol).get(`${base}&page=11`).expect(404);
      await as(carol).get(`${base}&page=0`).expect(404);
      await as(carol).get(`${base}&page=abc`).expect(404);

      const defaults = await as(carol).get(`/api/messages/?conversation=${conversation}`).expect(200);
      expect(defaults.body.results).toHaveLength(20);
      const capped = await as(carol).get(`/api/messages/?conversation=${conversation}&page_size=1000`).expect(200);
      expect(capped.body.results).toHaveLength(100);
      const bad = await as(carol).get(`/api/messages/?conversation=${conversation}&page_size=zero`).expect(200);
      expect(bad.body.results).toHaveLength(20);
      await as(carol).get('/api/messages/?conversation=abc').expect(400);
    });

    it('pages over all of the caller’s conversations without a conversation filter', async () => {
      const page = await as(mallory).get('/api/messages/?page_size=5').expect(200);
      const everything = await as(mallory).get('/api/messages/?page_size=100').expect(200);
      expect(page.body.count).toBe(everything.body.count);
      for (const message of everything.body.results) expect(message.conversation).not.toBe(conversation);
      const empty = await (await createUser(t, 'lonely')).access;
      const none = await t.http().get('/api/messages/').set('Authorization', `Bearer ${empty}`).expect(200);
      expect(none.body).toEqual({ count: 0, next: null, previous: null, results: [] });
    });
  });

  describe('/messenger/ family', () => {
    it('opens the direct room by recipient, named after both users', async () => {
      const frank = await createUser(t, 'frank');
      const created = await as(frank).post('/messenger/api/chatrooms/', { recipient: carol.username }).expect(201);
      const expectedName = [frank.username, carol.username].sort(compareCodePoints).join(frank.username.includes('_') || carol.username.includes('_') ? '~' : '_');
      expect(created.body).toEqual({ id: expect.any(Number), name: expectedName, members: [carol.id, frank.id].sort((a, b) => a - b), display_name: carol.username, unread_count: 0, last_read_message: null });
      const again = await as(carol).post('/messenger/api/chatrooms/', { recipient: frank.username.toUpperCase() }).expect(200);
      expect(again.body).toEqual({ ...created.body, display_name: frank.username });
    });

    it('400 for an unknown recipient, as the original, and for yourself', async () => {
      const unknown = await as(alice).post('/messenger/api/chatrooms/', { recipient: 'nobody_here' }).expect(400);
      expect(unknown.body).toEqual({ recipient: ['Recipient does not exist.'] });
      await as(alice).post('/messenger/api/chatrooms/', { recipient: alice.username }).expect(400);
      await as(alice).post('/messenger/api/chatrooms/', {}).expect(400);
    });

    it('lists only the caller’s rooms on both list routes', async () => {
      const mine = await as(mallory).get('/messenger/api/user/chatrooms/').expect(200);
      const all = await as(mallory).get('/messenger/api/chatrooms/').expect(200);
      expect(all.body).toEqual(mine.body);
      for (const room of mine.body) expect(room.members).toContain(mallory.id);
    });

    it('posts and reads room messages in the contract shape; unknown rooms are 404, never created', async () => {
      const room = (await as(alice).post('/messenger/api/chatrooms/', { recipient: bob.username })).body;
      const sent = await as(alice).post(`/messenger/api/chatrooms/${room.name}/messages/`, { content: 'Привет!' }).expect(201);
      expect(sent.body).toEqual({ id: expect.any(Number), user: alice.username, content: 'Привет!', timestamp: expect.stringMatching(ISO) });
      const history = await as(bob).get(`/messenger/api/chatrooms/${room.name}/messages/`).expect(200);
      expect(history.body.at(-1)).toEqual(sent.body);
      await as(mallory).get(`/messenger/api/chatrooms/${room.name}/messages/`).expect(404);
      await as(mallory).post(`/messenger/api/chatrooms/${room.name}/messages/`, { content: 'x' }).expect(404);
      await as(alice).post('/messenger/api/chatrooms/no_such_room/messages/', { content: 'x' }).expect(404);
      await as(alice).get('/messenger/api/chatrooms/%3Cscript%3E/messages/').expect(404);
      await as(alice).post(`/messenger/api/chatrooms/${room.name}/messages/`, { content: '  ' }).expect(400);
      const rooms = await as(alice).get('/messenger/api/user/chatrooms/').expect(200);
      expect(rooms.body.some((r: { name: string }) => r.name === 'no_such_room')).toBe(false);
    });

    it('keeps underscore pairs apart: a_b+c and a+b_c are two rooms', async () => {
      const register = async (username: string) => {
        await t.http().post('/accounts/api/users/').send({ username, email: `${username}@example.com`, password: 'password123' }).expect(200);
        const login = await t.http().post('/login/').send({ username, password: 'password123' }).expect(200);
        return login.body.access as string;
      };
      const ab = await register('a_b');
      await register('c');
      const a = await register('a');
      await register('b_c');
      const one = await t.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${ab}`).send({ recipient: 'c' }).expect(201);
      const two = await t.http().post('/messenger/api/chatrooms/').set('Authorization', `Bearer ${a}`).send({ recipient: 'b_c' }).expect(201);
      expect(one.body.name).not.toBe(two.body.name);
      expect(one.body.id).not.toBe(two.body.id);
      await t.http().post(`/messenger/api/chatrooms/${one.body.name}/messages/`).set('Authorization', `Bearer ${ab}`).send({ content: 'for c' }).expect(201);
      const other = await t.http().get(`/messenger/api/chatrooms/${two.body.name}/messages/`).set('Authorization', `Bearer ${a}`).expect(200);
      expect(other.body).toEqual([]);
    });
  });

  describe('writes under load', () => {
    it('stores a burst of concurrent sends to one room in batches: each once, numbered without gaps, outsiders refused', async () => {
      const group = (await as(alice).post('/api/conversations/', { participants: [bob.id, carol.id] }).expect(201)).body.id;
      const chat = t.app.get(ChatService);
      const events: Array<DomainEventMap['message.created']> = [];
      const off = t.app.get(DomainEvents).on('message.created', (event) => void events.push(event));
      try {
        const senders = [alice, bob, carol];
        // Every tenth send repeats the one before it (same sender, text and client_id), as a retry
        // would, inside the same batch.
        const burst = await Promise.allSettled(
          Array.from({ length: 60 }, (_, i) => {
            if (i % 20 === 7) return chat.sendMessage(mallory.id, group, `intruder ${i}`);
            const n = i % 10 === 9 ? i - 1 : i;
            return chat.sendMessage(senders[n % 3].id, group, `burst ${n}`, `k-${n}`);
          }),
        );
        const results = burst.map((r) => (r.status === 'fulfilled' ? r.value : null));
        const refused = burst.filter((r) => r.status === 'rejected');
        expect(refused).toHaveLength(3);
        for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 404 });
        for (let i = 9; i < 60; i += 10) {
          expect(results[i]).toMatchObject({ created: false });
          expect(results[i]?.message.id).toBe(results[i - 1]?.message.id);
        }
        const stored = results.filter((r) => r?.created).map((r) => r!.message);
        expect(stored).toHaveLength(51);
        expect(new Set(stored.map((m) => m.id)).size).toBe(51);
        expect(stored.map((m) => m.text)).toEqual(Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 20 !== 7 && i % 10 !== 9).map((i) => `burst ${i}`));
        expect(events.map((e) => e.message.id).sort((a, b) => a - b)).toEqual(stored.map((m) => m.id).sort((a, b) => a - b));

        const rows: Array<{ id: string; seq: string }> = await t.dataSource.query(`SELECT id, seq FROM messages WHERE conversation_id = $1 ORDER BY id`, [group]);
        expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
        expect(rows.map((r) => Number(r.id))).toEqual(stored.map((m) => m.id));
        const [{ message_count }] = await t.dataSource.query(`SELECT message_count FROM conversations WHERE id = $1`, [group]);
        expect(Number(message_count)).toBe(51);

        // Retries after the burst: the first message back, nothing stored twice.
        const again = await Promise.all(Array.from({ length: 5 }, () => chat.sendMessage(alice.id, group, 'burst 0', 'k-0')));
        expect(again.every((r) => !r.created && r.message.id === stored[0].id)).toBe(true);
        const pages = await as(bob).get(`/api/messages/?conversation=${group}&page_size=20&page=3`).expect(200);
        expect(pages.body.count).toBe(51);
        expect(pages.body.results.map((m: { id: number }) => m.id)).toEqual(rows.slice(40).map((r) => Number(r.id)));
      } finally {
        off();
      }
    });
  });

  describe('across families', () => {
    it('a group made through /api/ is a room in /messenger/, and messages cross both ways', async () => {
      const group = (await as(alice).post('/api/conversations/', { participants: [bob.id, carol.id] }).expect(201)).body;
      const rooms = await as(carol).get('/messenger/api/user/chatrooms/').expect(200);
      const room = rooms.body.find((r: { id: number }) => r.id === group.id);
      expect(room).toEqual({
        id: group.id,
        name: expect.stringMatching(/^g-[0-9a-f]{16}$/),
        members: [alice.id, bob.id, carol.id].sort((x, y) => x - y),
        display_name: `${alice.username}, ${bob.username}`,
        unread_count: 0,
        last_read_message: null,
      });

      const viaMessenger = await as(carol).post(`/messenger/api/chatrooms/${room.name}/messages/`, { content: 'from messenger' }).expect(201);
      const viaApi = await as(bob).post('/api/messages/', { conversation: group.id, text: 'from api' }).expect(201);
      const apiHistory = await as(alice).get(`/api/conversations/${group.id}/messages/`).expect(200);
      expect(apiHistory.body.map((m: { id: number; text: string }) => [m.id, m.text])).toEqual([
        [viaMessenger.body.id, 'from messenger'],
        [viaApi.body.id, 'from api'],
      ]);
      const roomHistory = await as(alice).get(`/messenger/api/chatrooms/${room.name}/messages/`).expect(200);
      expect(roomHistory.body.map((m: { user: string; content: string }) => [m.user, m.content])).toEqual([
        [carol.username, 'from messenger'],
        [bob.username, 'from api'],
      ]);
    });

    it('a room opened through /messenger/ is the /api/ direct conversation', async () => {
      const gina = await createUser(t, 'gina');
      const room = (await as(gina).post('/messenger/api/chatrooms/', { recipient: alice.username }).expect(201)).body;
      const conversation = await as(alice).post('/api/conversations/', { participants: [gina.id] }).expect(200);
      expect(conversation.body.id).toBe(room.id);
    });
  });
});
