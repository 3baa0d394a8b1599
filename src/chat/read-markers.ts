import type { MemberView } from './chat.types.js';

/**
 * Read markers (issue 15). A member's marker is the last message they have read, kept as its id
 * and its `seq`; since `seq` numbers a conversation's messages 1, 2, 3, … without gaps and the
 * conversation keeps `message_count` (the latest `seq`), the unread count is a subtraction, never
 * a count of messages.
 */
export interface ReadMarker {
  /** `seq` of the last message read; 0: nothing read yet. */
  seq: number;
  /** Id of the last message read; null: nothing read yet. */
  messageId: number | null;
}

export const NOTHING_READ: ReadMarker = { seq: 0, messageId: null };

/** Messages after the marker. Never negative (a marker read before a count it raced with). */
export function unreadCount(messageCount: number, marker: Pick<ReadMarker, 'seq'>): number {
  return Math.max(0, messageCount - marker.seq);
}

/** A marker only moves forward: true when `target` is past `current`. */
export function movesForward(current: Pick<ReadMarker, 'seq'>, target: Pick<ReadMarker, 'seq'>): boolean {
  return target.seq > current.seq;
}

/** The marker after reading up to `target`: `target` if it is further on, else unchanged. */
export function advance(current: ReadMarker, target: ReadMarker): ReadMarker {
  return movesForward(current, target) ? target : current;
}

/**
 * `read_by` of a conversation for `viewerId`: the other members' markers. Only current members
 * appear: a deleted account has left every conversation (its messages stay, and still count as
 * unread for whoever has not read them).
 */
export function readByOthers(members: MemberView[], viewerId: number): Array<{ user: { id: number; username: string }; lastReadMessageId: number | null }> {
  return members.filter((m) => m.id !== viewerId).map((m) => ({ user: { id: m.id, username: m.username }, lastReadMessageId: m.lastReadMessageId }));
}
