import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPalaverClient, memoryTokens, type ChatMessage, type PalaverClient, type Realtime } from '@palaver/client';
import type { AddressInfo } from 'node:net';
import { waitUntil } from './support/realtime-clients.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { createUser, type TestUser } from './support/users.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A `fetch` that counts the token refreshes going through it. */
function countingFetch() {
  const counter = { refreshes: 0, fetch: ((input: Request | string | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/api/token/refresh/')) counter.refreshes += 1;
    return fetch(input, init);
  }) as typeof fetch };
  return counter;
}

/** A client logged in as `user`, with tokens of its own. */
async function clientFor(baseUrl: string, user: TestUser, fetchImpl?: typeof fetch): Promise<PalaverClient> {
  const client = createPalaverClient({ baseUrl, tokens: memoryTokens(), fetch: fetchImpl });
  await client.login(user.username, user.password);
  return client;
}

describe('the client package (@palaver/client) against the real server', () => {
  describe('REST and tokens', () => {
    let t: TestApp;
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      // Access tokens of two seconds, so that they expire within a test.
      t = await startTestApp({ JWT_ACCESS_TTL: '2s' });
      [alice, bob] = [await createUser(t, 'alice'), await createUser(t, 'bob')];
    });
    afterAll(() => t.close());

    it('registers and logs in, then calls typed routes with the token attached', async () => {
      const client = createPalaverClient({ baseUrl: t.baseUrl });
      const username = `newcomer_${process.pid}`;
      const login = await client.register({ username, email: `${username}@example.com`, password: 'correct horse battery' });
      expect(login.user.username).toBe(username);
      expect(client.session.loggedIn).toBe(true);
      const created = await client.api.POST('/api/conversations/', { body: { participants: [alice.id] } });
      expect(created.response.status).toBe(201);
      const list = await client.api.GET('/api/conversations/');
      expect(list.data?.map((c) => c.id)).toEqual([created.data!.id]);
    });

    it('refreshes an expired access token once for all concurrent callers, keeping the rotated refresh token', async () => {
      const counter = countingFetch();
      const client = await clientFor(t.baseUrl, alice, counter.fetch);
      const first = client.session.tokens!;
      await sleep(2200);
      const answers = await Promise.all(Array.from({ length: 8 }, () => client.api.GET('/api/unread/')));
      expect(answers.map((a) => a.response.status)).toEqual(Array(8).fill(200));
      expect(counter.refreshes).toBe(1);
      const second = client.session.tokens!;
      expect(second.access).not.toBe(first.access);
      expect(second.refresh).not.toBe(first.refresh);
      // The spent refresh token is refused; the kept one is the live one.
      await t.http().post('/api/token/verify/').send({ token: first.refresh }).expect(401);
      await t.http().post('/api/token/verify/').send({ token: second.refresh }).expect(200);
    });

    it('logs out when the server detects reuse of a refresh token (a stolen copy ends the whole family)', async () => {
      const client = await clientFor(t.baseUrl, bob);
      const stolen = client.session.tokens!.refresh;
      await client.session.refresh();
      const logouts: string[] = [];
      client.session.on('logout', ({ reason }) => logouts.push(reason));
      // The thief presents the spent token: the server revokes the family.
      await t.http().post('/api/token/refresh/').send({ refresh: stolen }).expect(401);
      const answer = await client.api.GET('/api/conversations/');
      expect(answer.response.status).toBe(401);
      expect(logouts).toEqual(['revoked']);
      expect(client.session.loggedIn).toBe(false);
    });

    it('logs out on the server: the refresh token no longer works', async () => {
      const client = await clientFor(t.baseUrl, alice);
      const { refresh } = client.session.tokens!;
      await client.logout();
      expect(client.session.loggedIn).toBe(false);
      await t.http().post('/api/token/refresh/').send({ refresh }).expect(401);
    });
  });

  describe('real time', () => {
    let t: TestApp;
    let alice: TestUser;
    let bob: TestUser;
    let conversation: number;
    const closers: Array<() => void> = [];

    beforeAll(async () => {
      t = await startTestApp({ JWT_ACCESS_TTL: '3s', MESSAGE_BURST: '3', MESSAGES_PER_MINUTE: '120' });
      [alice, bob] = [await createUser(t, 'alice'), await createUser(t, 'bob')];
      conversation = (await t.http().post('/api/conversations/').set('Authorization', `Bearer ${alice.access}`).send({ participants: [bob.id] }).expect(201)).body.id;
    });
    afterAll(async () => {
      for (const close of closers) close();
      await t.close();
    });

    const realtimeFor = async (user: TestUser) => {
      const client = await clientFor(t.baseUrl, user);
      const realtime = client.realtime();
      closers.push(() => realtime.close());
      return { client, realtime };
    };

    it('delivers typed events: messages, read receipts and typing', async () => {
      const { realtime: a } = await realtimeFor(alice);
      const { realtime: b } = await realtimeFor(bob);
      const received: ChatMessage[] = [];
      const typing: boolean[] = [];
      const reads: Array<number | null> = [];
      b.on('message:new', (message) => received.push(message));
      b.on('typing', (notice) => typing.push(notice.typing));
      a.on('conversation:read', (notice) => reads.push(notice.last_read_message));
      await a.join(conversation);
      await b.join(conversation);
      a.typing(conversation, true);
      const sent = await a.send(conversation, 'hello from the client package');
      await waitUntil(() => received.length === 1 && typing.length > 0, 5000, 'message and typing');
      expect(received[0]).toMatchObject({ id: sent.id, text: 'hello from the client package', sender: { id: alice.id } });
      expect(typing[0]).toBe(true);
      expect(await b.read(conversation)).toEqual({ last_read_message: sent.id, unread_count: 0 });
      await waitUntil(() => reads.includes(sent.id), 5000, 'read receipt');
    });

    it('waits out 429s (retry_after) and stores every send once', async () => {
      const { realtime: a, client } = await realtimeFor(alice);
      const texts = Array.from({ length: 6 }, (_, i) => `budgeted ${i}`);
      const sent = [];
      for (const text of texts) sent.push(await a.send(conversation, text));
      const history = await client.api.GET('/api/conversations/{id}/messages/', { params: { path: { id: conversation }, query: { after: sent[0].id - 1 } } });
      expect(history.data!.map((m) => m.text)).toEqual(texts);
    });

    it("stores a send retried with the same client_id once (the server's idempotency)", async () => {
      const { realtime: a } = await realtimeFor(alice);
      const clientId = `retry-${process.pid}-${Date.now()}`;
      const first = await a.send(conversation, 'only once', { clientId });
      const again = await a.send(conversation, 'only once', { clientId });
      expect(again.id).toBe(first.id);
      expect(again.client_id).toBe(clientId);
    });

    it('reconnects with a refreshed token after the access token expired', async () => {
      const { realtime: b, client } = await realtimeFor(bob);
      await b.join(conversation);
      const before = client.session.tokens!.access;
      await sleep(3200);
      // Drop the transport: the handshake of the reconnection needs a new access token.
      b.socket.io.engine.close();
      await waitUntil(() => b.connectionState === 'connected' && client.session.tokens!.access !== before, 10_000, 'reconnected with a new token');
      const received: number[] = [];
      b.on('message:new', (message) => received.push(message.id));
      const message = (await t.http().post('/api/messages/').set('Authorization', `Bearer ${(await clientFor(t.baseUrl, alice)).session.tokens!.access}`).send({ conversation, text: 'after the refresh' }).expect(201)).body;
      await waitUntil(() => received.includes(message.id), 5000, 'message after reconnection');
    });
  });

  describe('a server restart in the middle of a conversation', () => {
    let database: TestDatabase;
    let server: TestApp;
    let alice: TestUser;
    let bob: TestUser;
    let realtimes: Realtime[] = [];

    beforeAll(async () => {
      database = await createTestDatabase();
      server = await startTestApp({}, database);
      [alice, bob] = [await createUser(server, 'alice'), await createUser(server, 'bob')];
    });
    afterAll(async () => {
      for (const realtime of realtimes) realtime.close();
      await server.close();
      await database.drop();
    });

    it('loses nothing and duplicates nothing: sends are retried until acknowledged, the reader catches up', async () => {
      const port = (server.app.getHttpServer().address() as AddressInfo).port;
      const baseUrl = server.baseUrl;
      const writer = await clientFor(baseUrl, alice);
      const reader = await clientFor(baseUrl, bob);
      const { id: conversation } = await (async () => {
        const created = await writer.api.POST('/api/conversations/', { body: { participants: [bob.id] } });
        return created.data!;
      })();
      const a = writer.realtime();
      const b = reader.realtime();
      realtimes = [a, b];
      const delivered: ChatMessage[] = [];
      b.on('message:new', (message) => delivered.push(message));
      await a.join(conversation);
      await b.join(conversation);

      const texts = Array.from({ length: 40 }, (_, i) => `message ${i}`);
      const states: string[] = [];
      a.on('connection', ({ state }) => states.push(state));
      let restarted = false;
      let sentAfterRestart = 0;
      const sending = (async () => {
        const acknowledged: ChatMessage[] = [];
        for (const text of texts) {
          acknowledged.push(await a.send(conversation, text));
          if (restarted) sentAfterRestart += 1;
          await sleep(20);
        }
        return acknowledged;
      })();

      // Restart once a quarter of the messages is through: the old server drains and stops, a
      // new one starts on the same port and database.
      await waitUntil(() => delivered.length >= 10, 10_000, 'first messages');
      await server.close();
      await sleep(300);
      server = await startTestApp({}, database, { port });
      restarted = true;

      const acknowledged = await sending;
      await waitUntil(() => delivered.length >= texts.length, 20_000, 'every message delivered');
      await sleep(300);

      const stored = (await writer.api.GET('/api/conversations/{id}/messages/', { params: { path: { id: conversation } } })).data!;
      expect(stored.map((m) => m.text)).toEqual(texts);
      expect(acknowledged.map((m) => m.id)).toEqual(stored.map((m) => m.id));
      expect(delivered.map((m) => m.id)).toEqual(stored.map((m) => m.id));
      // The restart did fall in the middle: the writer lost its connection and sent more afterwards.
      expect(states).toContain('reconnecting');
      expect(sentAfterRestart).toBeGreaterThan(10);
    });
  });
});
