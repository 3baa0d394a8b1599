import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConversationsRepository } from '../../src/chat/persistence/conversations.repository.js';
import { MessageWriter } from '../../src/chat/persistence/message-writer.js';
import { MessagesRepository } from '../../src/chat/persistence/messages.repository.js';
import { unreadCount } from '../../src/chat/read-markers.js';
import { startMedium, type MediumContext } from '../support/medium.js';

/** Read markers in SQL: moved by sends (alone and batched), only forward, and the unread counters. */
describe('read markers (medium)', () => {
  let m: MediumContext;
  let writer: MessageWriter;
  let conversations: ConversationsRepository;
  let messages: MessagesRepository;
  let alice: number;
  let bob: number;
  let carol: number;
  let group: number;

  const viewOf = async (userId: number) => (await conversations.conversationForMember(userId, { id: group }))!;

  beforeAll(async () => {
    m = await startMedium([MessageWriter, MessagesRepository, ConversationsRepository]);
    writer = m.get(MessageWriter);
    conversations = m.get(ConversationsRepository);
    messages = m.get(MessagesRepository);
    [alice, bob, carol] = [await m.user('alice'), await m.user('bob'), await m.user('carol')];
    group = await conversations.createGroup('g-readmarkers00001', [alice, bob, carol]);
  });
  afterAll(async () => {
    await m.close();
  });

  it("moves the sender's marker to their message, alone and inside a batch, and leaves the others' where they were", async () => {
    const first = await writer.write(group, { senderId: alice, text: 'one', clientId: null });
    expect((await viewOf(alice)).readMarker).toEqual({ seq: 1, messageId: first!.message.id });
    expect((await viewOf(bob)).readMarker).toEqual({ seq: 0, messageId: null });

    // Concurrent writes are batched into one statement: each sender's marker ends at their latest.
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => writer.write(group, { senderId: i % 2 ? bob : alice, text: `m${i}`, clientId: null })));
    const lastOf = (sender: number) => results.filter((r) => r!.message.sender.id === sender).at(-1)!.message;
    const [aliceView, bobView, carolView] = [await viewOf(alice), await viewOf(bob), await viewOf(carol)];
    expect(aliceView.readMarker).toEqual({ seq: lastOf(alice).seq, messageId: lastOf(alice).id });
    expect(bobView.readMarker).toEqual({ seq: lastOf(bob).seq, messageId: lastOf(bob).id });
    expect(carolView.readMarker.seq).toBe(0);
    expect(unreadCount(carolView.messageCount, carolView.readMarker)).toBe(13);
    expect(unreadCount(bobView.messageCount, bobView.readMarker)).toBe(13 - lastOf(bob).seq);
  });

  it('only moves a marker forward, even when reads race', async () => {
    const third = (await messages.markerAt(group, 'latest'))!;
    const early = (await messages.markerAt(group, (await messages.messagesBySeq(group, 3, 4))[0].id))!;
    expect(early.seq).toBe(3);
    const raced = await Promise.all([conversations.advanceReadMarker(carol, group, third), conversations.advanceReadMarker(carol, group, early)]);
    expect(raced.map((r) => r!.seq)).toContain(third.seq);
    expect((await viewOf(carol)).readMarker).toEqual(third);
    expect(await conversations.advanceReadMarker(carol, group, early)).toEqual(third);
  });

  it("finds a marker's message only in its own conversation", async () => {
    const other = await conversations.createGroup('g-readmarkers00002', [alice, bob, carol]);
    const elsewhere = await writer.write(other, { senderId: bob, text: 'elsewhere', clientId: null });
    expect(await messages.markerAt(group, elsewhere!.message.id)).toBeNull();
    expect(await messages.markerAt(other, elsewhere!.message.id)).toEqual({ seq: 1, messageId: elsewhere!.message.id });
    const empty = await conversations.createGroup('g-readmarkers00003', [alice, bob, carol]);
    expect(await messages.markerAt(empty, 'latest')).toBeNull();
  });

  it('sums unread messages from the counters, listing only conversations with some', async () => {
    const unread = await conversations.unreadOf(carol, 1000);
    // `group` is read to the end; the other group has one message from bob.
    expect(unread.conversations).toEqual([expect.objectContaining({ unread: 1 })]);
    expect(unread.total).toBe(1);
    expect((await conversations.unreadOf(bob, 1000)).total).toBe(0);
    expect(await conversations.advanceReadMarker(999999, group, { seq: 1, messageId: 1 })).toBeNull();
  });
});
