import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConversationsRepository } from '../../src/chat/persistence/conversations.repository.js';
import { MessageChanges } from '../../src/chat/persistence/message-changes.js';
import { MessageWriter } from '../../src/chat/persistence/message-writer.js';
import { MessagesRepository } from '../../src/chat/persistence/messages.repository.js';
import { startMedium, type MediumContext } from '../support/medium.js';

/** Edits, deletions and reactions in SQL: the summary kept under the row lock, whatever races. */
describe('MessageChanges (medium)', () => {
  let m: MediumContext;
  let changes: MessageChanges;
  let writer: MessageWriter;
  let messages: MessagesRepository;
  let users: number[];
  let group: number;

  beforeAll(async () => {
    m = await startMedium([MessageWriter, MessagesRepository, ConversationsRepository, MessageChanges]);
    changes = m.get(MessageChanges);
    writer = m.get(MessageWriter);
    messages = m.get(MessagesRepository);
    users = [];
    for (let i = 0; i < 8; i++) users.push(await m.user(`reactor${i}`));
    group = await m.get(ConversationsRepository).createGroup('g-changes00000001', users, users[0]);
  });
  afterAll(async () => {
    await m.close();
  });

  it('keeps an exact summary when many members react and take reactions back at once', async () => {
    const message = (await writer.write(group, { senderId: users[0], text: 'react', clientId: null }))!.message;
    await Promise.all(users.flatMap((user) => [changes.react(message.id, user, '👍', true, 20), changes.react(message.id, user, '🎉', true, 20)]));
    await Promise.all(users.slice(0, 3).map((user) => changes.react(message.id, user, '🎉', false, 20)));
    const stored = (await messages.messageForMember(users[0], message.id))!.message;
    expect(stored.reactions).toEqual([
      { emoji: '👍', count: 8, users: expect.arrayContaining(users) },
      { emoji: '🎉', count: 5, users: expect.arrayContaining(users.slice(3)) },
    ]);
    const rows: Array<{ n: number }> = await m.dataSource.query(`SELECT count(*)::int AS n FROM message_reactions WHERE message_id = $1`, [message.id]);
    expect(rows[0].n).toBe(13);
  });

  it('deletes once: text, edit time and reactions go; the row, its id and seq stay', async () => {
    const message = (await writer.write(group, { senderId: users[1], text: 'secret', clientId: null }))!.message;
    expect(await changes.edit(message.id, 'secret, edited')).toBe(true);
    await changes.react(message.id, users[2], '👀', true, 20);
    expect(await Promise.all([changes.delete(message.id), changes.delete(message.id)])).toEqual(expect.arrayContaining([true, false]));
    const stored = (await messages.messageForMember(users[0], message.id))!.message;
    expect(stored).toMatchObject({ id: message.id, seq: message.seq, text: '', deleted: true, editedAt: null, reactions: [] });
    expect(await changes.edit(message.id, 'again')).toBe(false);
    expect(await changes.react(message.id, users[2], '👀', true, 20)).toBe('deleted');
    const rows: Array<{ n: number }> = await m.dataSource.query(`SELECT count(*)::int AS n FROM message_reactions WHERE message_id = $1`, [message.id]);
    expect(rows[0].n).toBe(0);
  });

  it('makes the group creator its owner and everyone else a member', async () => {
    const roles: Array<{ user_id: number; role: string }> = await m.dataSource.query(`SELECT user_id, role FROM conversation_members WHERE conversation_id = $1 ORDER BY user_id`, [group]);
    expect(roles.map((r) => r.role)).toEqual(['owner', ...Array(7).fill('member')]);
  });
});
