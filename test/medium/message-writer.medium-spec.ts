import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConversationsRepository } from '../../src/chat/persistence/conversations.repository.js';
import { MessageWriter } from '../../src/chat/persistence/message-writer.js';
import { MessagesRepository } from '../../src/chat/persistence/messages.repository.js';
import { Metrics } from '../../src/metrics/metrics.service.js';
import { startMedium, type MediumContext } from '../support/medium.js';

/** MessageWriter and MessagesRepository on a real database: numbering, batching, idempotency. */
describe('MessageWriter (medium)', () => {
  let m: MediumContext;
  let writer: MessageWriter;
  let messages: MessagesRepository;
  let alice: number;
  let bob: number;
  let outsider: number;
  let conversation: number;

  beforeAll(async () => {
    m = await startMedium([MessageWriter, MessagesRepository, ConversationsRepository]);
    writer = m.get(MessageWriter);
    messages = m.get(MessagesRepository);
    [alice, bob, outsider] = [await m.user('alice'), await m.user('bob'), await m.user('outsider')];
    conversation = await m.get(ConversationsRepository).createGroup('g-medium0000000001', [alice, bob]);
  });
  afterAll(async () => {
    await m.close();
  });

  it('numbers concurrent writes 1, 2, 3, … without gaps, in the order they were handed in, and keeps the counter', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => writer.write(conversation, { senderId: i % 2 ? bob : alice, text: `m${i}`, clientId: null })));
    expect(results.map((r) => r?.message.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(results.every((r) => r?.created)).toBe(true);
    expect(await messages.messageCount({ conversationId: conversation })).toBe(40);
    const page = await messages.messagePage({ conversationId: conversation }, 20, 10, 40);
    expect(page.map((message) => message.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${20 + i}`));
  });

  it('stores a repeated client_id once, even when the repeats race in one batch, and answers each with the first message', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => writer.write(conversation, { senderId: alice, text: 'once', clientId: 'k-1' })));
    const ids = new Set(results.map((r) => r?.message.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r?.created)).toHaveLength(1);
    const again = await writer.write(conversation, { senderId: alice, text: 'once, later', clientId: 'k-1' });
    expect(again).toMatchObject({ created: false, message: { text: 'once' } });
    // The same key from another sender is another message.
    expect((await writer.write(conversation, { senderId: bob, text: 'bob', clientId: 'k-1' }))?.created).toBe(true);
  });

  it('answers a non-member null, alone or inside a batch, without disturbing the members around it', async () => {
    const before = await messages.messageCount({ conversationId: conversation });
    const results = await Promise.all([
      writer.write(conversation, { senderId: alice, text: 'a', clientId: null }),
      writer.write(conversation, { senderId: outsider, text: 'intruder', clientId: null }),
      writer.write(conversation, { senderId: bob, text: 'b', clientId: null }),
    ]);
    expect(results[1]).toBeNull();
    expect(results[0]?.message.seq).toBe(before + 1);
    expect(results[2]?.message.seq).toBe(before + 2);
    expect(await writer.write(999999, { senderId: alice, text: 'nowhere', clientId: null })).toBeNull();
  });

  it('keeps the numbers dense and each client_id once when two instances write to one conversation at once', async () => {
    // A second writer on the same database is what another instance is.
    const other = new MessageWriter(m.dataSource, messages, m.get(Metrics));
    const room = await m.get(ConversationsRepository).createGroup('g-medium0000000002', [alice, bob]);
    const writes = [];
    for (let i = 0; i < 60; i++) {
      const writer2 = i % 2 ? other : writer;
      // Every third message is sent through both instances with the same key (a client retrying elsewhere).
      const clientId = i % 3 === 0 ? `both-${i}` : null;
      writes.push(writer2.write(room, { senderId: alice, text: `x${i}`, clientId }));
      if (clientId) writes.push((writer2 === writer ? other : writer).write(room, { senderId: alice, text: `x${i}`, clientId }));
    }
    const results = await Promise.all(writes);
    expect(results.every((r) => r !== null)).toBe(true);
    const rows: Array<{ seq: string; client_id: string | null }> = await m.dataSource.query(`SELECT seq, client_id FROM messages WHERE conversation_id = $1 ORDER BY seq`, [room]);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(rows.filter((r) => r.client_id).length).toBe(20);
    expect(await messages.messageCount({ conversationId: room })).toBe(60);
    // Both sends of one key were answered with the one stored message.
    const byKey = new Map<string, Set<number>>();
    for (const r of results) if (r?.message.clientId) byKey.set(r.message.clientId, (byKey.get(r.message.clientId) ?? new Set()).add(r.message.id));
    expect([...byKey.values()].every((ids) => ids.size === 1)).toBe(true);
  });

  it('reads history as keyset pages that meet exactly once', async () => {
    const latest = await messages.history(conversation, { limit: 5 });
    expect(latest).toHaveLength(5);
    const older = await messages.history(conversation, { limit: 500, before: latest[0].id });
    const all = [...older, ...latest].map((message) => message.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(all).toHaveLength(await messages.messageCount({ conversationId: conversation }));
  });
});
