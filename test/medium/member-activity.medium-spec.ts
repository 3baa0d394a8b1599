import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConversationsRepository } from '../../src/chat/persistence/conversations.repository.js';
import { MessageWriter } from '../../src/chat/persistence/message-writer.js';
import { MessagesRepository } from '../../src/chat/persistence/messages.repository.js';
import { startMedium, type MediumContext } from '../support/medium.js';

/**
 * The memberships' copies of `last_activity_at` (migration MemberActivity1765300000000): exact
 * after every kind of write, and the order the conversation list reads them in.
 */
describe('member activity copies (medium)', () => {
  let m: MediumContext;
  let writer: MessageWriter;
  let conversations: ConversationsRepository;
  let alice: number;
  let bob: number;
  let carol: number;

  /** Rows where a member's copy differs from its conversation's value (none, when the triggers work). */
  const drift = () =>
    m.dataSource.query(
      `SELECT cm.conversation_id, cm.user_id FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
       WHERE cm.last_activity_at IS DISTINCT FROM c.last_activity_at`,
    );

  beforeAll(async () => {
    m = await startMedium([MessageWriter, MessagesRepository, ConversationsRepository]);
    writer = m.get(MessageWriter);
    conversations = m.get(ConversationsRepository);
    [alice, bob, carol] = [await m.user('alice'), await m.user('bob'), await m.user('carol')];
  });
  afterAll(async () => {
    await m.close();
  });

  it('copies a conversation activity to every member on single and batched writes', async () => {
    const group = await conversations.createGroup('g-activity00000001', [alice, bob, carol]);
    expect(await drift()).toEqual([]);
    await writer.write(group, { senderId: alice, text: 'one', clientId: null });
    expect(await drift()).toEqual([]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(group, { senderId: i % 2 ? bob : carol, text: `m${i}`, clientId: null })));
    expect(await drift()).toEqual([]);
    const [{ at }] = await m.dataSource.query(`SELECT max(created_at) AS at FROM messages WHERE conversation_id = $1`, [group]);
    const copies: Array<{ last_activity_at: Date }> = await m.dataSource.query(`SELECT last_activity_at FROM conversation_members WHERE conversation_id = $1`, [group]);
    expect(copies.map((c) => c.last_activity_at.getTime())).toEqual([at.getTime(), at.getTime(), at.getTime()]);
  });

  it('gives a new member the conversation activity, not the time of joining', async () => {
    const group = await conversations.createGroup('g-activity00000002', [alice, bob]);
    await writer.write(group, { senderId: alice, text: 'before carol', clientId: null });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await conversations.joinGroup(group, [carol], 50)).toEqual([carol]);
    expect(await drift()).toEqual([]);
  });

  it('lists conversations by the copies, newest first, paging by the cursor without repeats or gaps', async () => {
    const dave = await m.user('dave');
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await conversations.createGroup(`g-activity1${String(i).padStart(7, '0')}`, [dave, alice]));
    // Activity in another order than creation; two conversations share one instant.
    const order = [ids[3], ids[0], ids[6], ids[1], ids[5], ids[2], ids[4]];
    for (const [i, id] of order.entries()) await m.dataSource.query(`UPDATE conversations SET last_activity_at = now() + make_interval(secs => $2) WHERE id = $1`, [id, i === 6 ? 5 : i]);
    expect(await drift()).toEqual([]);
    const seen: number[] = [];
    let cursor: { lastActivityAt: string; id: number } | undefined;
    for (;;) {
      const page = await conversations.conversationsForMember(dave, 3, cursor);
      seen.push(...page.map((c) => c.id));
      if (page.length < 3) break;
      cursor = page[page.length - 1].cursor;
    }
    // Newest first; of the two at the same instant, the higher id first.
    expect(seen).toEqual([Math.max(order[5], order[6]), Math.min(order[5], order[6]), ...order.slice(0, 5).reverse()]);
  });

  it('takes a user out of every conversation while messages are being written there, without a deadlock', async () => {
    const erin = await m.user('erin');
    const groups = [await conversations.createGroup('g-activity00000003', [erin, alice, bob]), await conversations.createGroup('g-activity00000004', [erin, bob])];
    const writes = Array.from({ length: 40 }, (_, i) => writer.write(groups[i % 2], { senderId: bob, text: `w${i}`, clientId: null }));
    await m.dataSource.transaction((manager) => conversations.removeMemberEverywhere(erin, manager));
    expect((await Promise.all(writes)).every((r) => r?.created)).toBe(true);
    expect(await m.dataSource.query(`SELECT 1 FROM conversation_members WHERE user_id = $1`, [erin])).toEqual([]);
    expect(await drift()).toEqual([]);
  });
});
