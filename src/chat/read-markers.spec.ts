import { describe, expect, it } from '@jest/globals';
import type { MemberView } from './chat.types.js';
import { advance, movesForward, NOTHING_READ, readByOthers, unreadCount } from './read-markers.js';

describe('read markers', () => {
  it('counts the messages after the marker, from the counters alone', () => {
    expect(unreadCount(0, NOTHING_READ)).toBe(0);
    expect(unreadCount(7, NOTHING_READ)).toBe(7);
    expect(unreadCount(7, { seq: 5 })).toBe(2);
    expect(unreadCount(7, { seq: 7 })).toBe(0);
  });

  it('never counts below zero (a marker read after a count it raced with)', () => {
    expect(unreadCount(5, { seq: 6 })).toBe(0);
  });

  it('only moves forward', () => {
    const at5 = { seq: 5, messageId: 50 };
    expect(movesForward(at5, { seq: 6 })).toBe(true);
    expect(movesForward(at5, { seq: 5 })).toBe(false);
    expect(movesForward(at5, { seq: 2 })).toBe(false);
    expect(advance(at5, { seq: 2, messageId: 20 })).toBe(at5);
    expect(advance(at5, { seq: 9, messageId: 90 })).toEqual({ seq: 9, messageId: 90 });
    expect(advance(NOTHING_READ, { seq: 1, messageId: 3 })).toEqual({ seq: 1, messageId: 3 });
  });

  it("after a member's own message, nothing before it is unread for them", () => {
    // Messages 1–4 from others, then the member sends #5: their marker follows their message.
    const marker = advance({ seq: 2, messageId: 20 }, { seq: 5, messageId: 50 });
    expect(unreadCount(5, marker)).toBe(0);
    // Someone answers: one unread.
    expect(unreadCount(6, marker)).toBe(1);
  });

  it('lists the other members in read_by, never the viewer; a deleted account has left and is not listed', () => {
    const members: MemberView[] = [
      { id: 1, username: 'alice', email: 'a@x.io', lastReadMessageId: 9, role: 'owner' },
      { id: 2, username: 'bob', email: 'b@x.io', lastReadMessageId: null, role: 'member' },
      { id: 3, username: 'carol', email: 'c@x.io', lastReadMessageId: 4, role: 'member' },
    ];
    expect(readByOthers(members, 1)).toEqual([
      { user: { id: 2, username: 'bob' }, lastReadMessageId: null },
      { user: { id: 3, username: 'carol' }, lastReadMessageId: 4 },
    ]);
    // Carol deletes her account: she leaves every conversation; her messages stay and still count.
    const afterDeletion = members.filter((m) => m.id !== 3);
    expect(readByOthers(afterDeletion, 1).map((r) => r.user.username)).toEqual(['bob']);
    expect(unreadCount(12, { seq: 9 })).toBe(3);
  });
});
