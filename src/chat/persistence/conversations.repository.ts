import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConversationView, MemberView } from '../chat.types.js';
import type { MemberRole } from '../entities/conversation-member.entity.js';
import type { ReadMarker } from '../read-markers.js';
import { CONVERSATION_COLUMNS, toConversationView, type ConversationCursor, type ConversationRow } from './chat-rows.js';

/**
 * The `conversations`, `conversation_members` and `conversation_name_aliases` tables. Reads are
 * members-only by construction (every lookup joins the caller's membership); lists cost a fixed
 * number of queries (the members of a whole page in one).
 */
@Injectable()
export class ConversationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager) {
    return manager ?? this.dataSource;
  }

  async conversationForMember(userId: number, where: { id: number } | { name: string }, manager?: EntityManager): Promise<ConversationView | null> {
    // A room name is the current one or, failing that, a former one (an alias); COALESCE stops at the first hit.
    const [condition, value] =
      'id' in where
        ? ['c.id = $2', where.id]
        : ['c.id = coalesce((SELECT id FROM conversations WHERE name = $2), (SELECT conversation_id FROM conversation_name_aliases WHERE name = $2))', where.name];
    const rows: ConversationRow[] = await this.db(manager).query(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations c
       JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.user_id = $1
       WHERE ${condition}`,
      [userId, value],
    );
    if (!rows.length) return null;
    const members = await this.membersOf([rows[0].id], manager);
    return toConversationView(rows[0], members.get(rows[0].id) ?? []);
  }

  /** The caller's conversations, most recent activity first, keyset on (last_activity_at, id). */
  async conversationsForMember(userId: number, limit: number, cursor?: ConversationCursor): Promise<Array<ConversationView & { cursor: ConversationCursor }>> {
    const params: unknown[] = [userId, limit];
    let after = '';
    if (cursor) {
      params.push(cursor.lastActivityAt, cursor.id);
      after = `AND (cm.last_activity_at, cm.conversation_id) < ($3::timestamptz, $4::int)`;
    }
    // The page is read in the order of conversation_members_activity_idx: the memberships' copies
    // of last_activity_at (equal to the conversations', kept by triggers), newest first.
    // The cursor carries PostgreSQL's own microsecond text of last_activity_at (a JS Date keeps ms).
    const rows: Array<ConversationRow & { activity_cursor: string }> = await this.dataSource.query(
      `SELECT ${CONVERSATION_COLUMNS},
              to_char(cm.last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS activity_cursor
       FROM conversation_members cm
       JOIN conversations c ON c.id = cm.conversation_id
       WHERE cm.user_id = $1 ${after}
       ORDER BY cm.last_activity_at DESC, cm.conversation_id DESC
       LIMIT $2`,
      params,
    );
    const members = await this.membersOf(rows.map((r) => r.id));
    return rows.map((row) => ({ ...toConversationView(row, members.get(row.id) ?? []), cursor: { lastActivityAt: row.activity_cursor, id: row.id } }));
  }

  /** Members of many conversations, with their read markers' messages, in one query. */
  async membersOf(conversationIds: number[], manager?: EntityManager): Promise<Map<number, MemberView[]>> {
    const byConversation = new Map<number, MemberView[]>(conversationIds.map((id) => [id, []]));
    if (!conversationIds.length) return byConversation;
    const rows: Array<{ conversation_id: number; id: number; username: string; email: string; last_read_message_id: string | null; role: MemberRole }> = await this.db(manager).query(
      `SELECT cm.conversation_id, u.id, u.username, u.email, cm.last_read_message_id, cm.role
       FROM conversation_members cm JOIN users u ON u.id = cm.user_id
       WHERE cm.conversation_id = ANY($1::int[])
       ORDER BY cm.conversation_id, u.id`,
      [conversationIds],
    );
    for (const row of rows) {
      const lastReadMessageId = row.last_read_message_id === null ? null : Number(row.last_read_message_id);
      byConversation.get(row.conversation_id)?.push({ id: row.id, username: row.username, email: row.email, lastReadMessageId, role: row.role });
    }
    return byConversation;
  }

  /**
   * Moves a member's read marker to `target` if that is further on (concurrent reads keep the
   * furthest); returns the marker as it then is, or null when they are not a member.
   */
  async advanceReadMarker(userId: number, conversationId: number, target: ReadMarker): Promise<ReadMarker | null> {
    const rows: Array<{ last_read_seq: string; last_read_message_id: string | null }> = await this.dataSource.query(
      `WITH moved AS (
         UPDATE conversation_members SET last_read_seq = $3, last_read_message_id = $4
         WHERE conversation_id = $1 AND user_id = $2 AND last_read_seq < $3
         RETURNING last_read_seq, last_read_message_id
       )
       SELECT last_read_seq, last_read_message_id FROM moved
       UNION ALL
       SELECT last_read_seq, last_read_message_id FROM conversation_members
       WHERE conversation_id = $1 AND user_id = $2 AND NOT EXISTS (SELECT 1 FROM moved)`,
      [conversationId, userId, target.seq, target.messageId],
    );
    if (!rows.length) return null;
    return { seq: Number(rows[0].last_read_seq), messageId: rows[0].last_read_message_id === null ? null : Number(rows[0].last_read_message_id) };
  }

  /**
   * The caller's conversations with unread messages, most recent activity first (at most
   * `limit`), and the total over all of them: from the counters, one index range scan of the
   * caller's memberships.
   */
  async unreadOf(userId: number, limit: number): Promise<{ total: number; conversations: Array<{ id: number; unread: number }> }> {
    const rows: Array<{ id: number; unread: string; total: string }> = await this.dataSource.query(
      `SELECT c.id, c.message_count - cm.last_read_seq AS unread, sum(c.message_count - cm.last_read_seq) OVER () AS total
       FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
       WHERE cm.user_id = $1 AND c.message_count > cm.last_read_seq
       ORDER BY c.last_activity_at DESC, c.id DESC
       LIMIT $2`,
      [userId, limit],
    );
    return { total: rows.length ? Number(rows[0].total) : 0, conversations: rows.map((r) => ({ id: r.id, unread: Number(r.unread) })) };
  }

  /**
   * The people a user shares a conversation with (at most `limit`), and the conversations the
   * user is in: whom their presence concerns.
   */
  async partnersOf(userId: number, limit: number): Promise<{ userIds: number[]; conversationIds: number[] }> {
    const [partners, conversations]: [Array<{ user_id: number }>, Array<{ conversation_id: number }>] = await Promise.all([
      this.dataSource.query(
        `SELECT DISTINCT other.user_id FROM conversation_members mine
         JOIN conversation_members other ON other.conversation_id = mine.conversation_id AND other.user_id <> mine.user_id
         WHERE mine.user_id = $1 LIMIT $2`,
        [userId, limit],
      ),
      this.dataSource.query(`SELECT conversation_id FROM conversation_members WHERE user_id = $1 LIMIT $2`, [userId, limit]),
    ]);
    return { userIds: partners.map((r) => r.user_id), conversationIds: conversations.map((r) => r.conversation_id) };
  }

  /** Every conversation a user is in. */
  async conversationIdsOf(userId: number): Promise<number[]> {
    const rows: Array<{ conversation_id: number }> = await this.dataSource.query(`SELECT conversation_id FROM conversation_members WHERE user_id = $1`, [userId]);
    return rows.map((r) => r.conversation_id);
  }

  /** Which of `candidates` share a conversation with `userId`. */
  async partnersAmong(userId: number, candidates: number[]): Promise<number[]> {
    if (!candidates.length) return [];
    const rows: Array<{ user_id: number }> = await this.dataSource.query(
      `SELECT DISTINCT other.user_id FROM conversation_members other
       WHERE other.user_id = ANY($2::int[]) AND other.user_id <> $1
         AND EXISTS (SELECT 1 FROM conversation_members mine WHERE mine.user_id = $1 AND mine.conversation_id = other.conversation_id)`,
      [userId, candidates],
    );
    return rows.map((r) => r.user_id);
  }

  /** The direct conversation of a pair (`low` < `high`), if it exists. */
  async findDirect(low: number, high: number): Promise<number | null> {
    const rows: Array<{ id: number }> = await this.dataSource.query(`SELECT id FROM conversations WHERE kind = 'direct' AND direct_user_low = $1 AND direct_user_high = $2`, [low, high]);
    return rows[0]?.id ?? null;
  }

  /**
   * Creates the direct conversation of a pair with both members, in one transaction; null when
   * the pair's conversation was created meanwhile (a unique index on the pair decides).
   */
  createDirect(name: string, low: number, high: number): Promise<number | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: number }> = await manager.query(
        `INSERT INTO conversations (kind, name, direct_user_low, direct_user_high) VALUES ('direct', $1, $2, $3)
         ON CONFLICT (direct_user_low, direct_user_high) WHERE kind = 'direct' DO NOTHING
         RETURNING id`,
        [name, low, high],
      );
      if (!rows.length) return null;
      await this.addMembers(manager, rows[0].id, [low, high]);
      return rows[0].id;
    });
  }

  /** Creates a group with its members, in one transaction; `ownerId` (one of them) owns it. */
  createGroup(name: string, memberIds: number[], ownerId?: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: number }> = await manager.query(`INSERT INTO conversations (kind, name) VALUES ('group', $1) RETURNING id`, [name]);
      await this.addMembers(manager, rows[0].id, memberIds);
      if (ownerId !== undefined) await manager.query(`UPDATE conversation_members SET role = 'owner' WHERE conversation_id = $1 AND user_id = $2`, [rows[0].id, ownerId]);
      return rows[0].id;
    });
  }

  async setTitle(conversationId: number, title: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE conversations SET title = $2 WHERE id = $1`, [conversationId, title]);
  }

  /**
   * Adds people to a group, keeping it within `max` members (under the conversation's row lock,
   * so concurrent additions cannot overshoot). They start with everything so far read. Returns
   * who was added (people already in it are not), or null when the group would exceed `max`.
   */
  joinGroup(conversationId: number, userIds: number[], max: number): Promise<number[] | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT id FROM conversations WHERE id = $1 FOR UPDATE`, [conversationId]);
      const counted: Array<{ n: number }> = await manager.query(`SELECT count(*)::int AS n FROM conversation_members WHERE conversation_id = $1`, [conversationId]);
      const already: Array<{ user_id: number }> = await manager.query(`SELECT user_id FROM conversation_members WHERE conversation_id = $1 AND user_id = ANY($2::int[])`, [conversationId, userIds]);
      const fresh = userIds.filter((id) => !already.some((row) => row.user_id === id));
      if (counted[0].n + fresh.length > max) return null;
      if (!fresh.length) return [];
      await manager.query(
        `INSERT INTO conversation_members (conversation_id, user_id, last_read_seq, last_read_message_id)
         SELECT c.id, u, c.message_count, (SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.seq = c.message_count)
         FROM conversations c CROSS JOIN unnest($2::int[]) u WHERE c.id = $1`,
        [conversationId, fresh],
      );
      return fresh;
    });
  }

  /**
   * Takes a member out of a conversation. If they owned it, the oldest admin (else the oldest
   * member) becomes the owner. Returns whether they were a member, and the new owner if any.
   */
  leave(conversationId: number, userId: number): Promise<{ removed: boolean; newOwner: number | null }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT id FROM conversations WHERE id = $1 FOR UPDATE`, [conversationId]);
      const gone: Array<{ role: MemberRole }> = await manager.query(
        `WITH gone AS (DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2 RETURNING role) SELECT role FROM gone`,
        [conversationId, userId],
      );
      if (!gone.length) return { removed: false, newOwner: null };
      if (gone[0].role !== 'owner') return { removed: true, newOwner: null };
      const heir: Array<{ user_id: number }> = await manager.query(
        `WITH heir AS (
           SELECT user_id FROM conversation_members WHERE conversation_id = $1
           ORDER BY (role = 'admin') DESC, joined_at, user_id LIMIT 1
         ), promoted AS (
           UPDATE conversation_members cm SET role = 'owner' FROM heir WHERE cm.conversation_id = $1 AND cm.user_id = heir.user_id RETURNING cm.user_id
         )
         SELECT user_id FROM promoted`,
        [conversationId],
      );
      return { removed: true, newOwner: heir[0]?.user_id ?? null };
    });
  }

  /** Sets a member's role; making someone `owner` hands ownership over (the previous owner becomes an admin). False when they are not a member. */
  setRole(conversationId: number, userId: number, role: MemberRole): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT id FROM conversations WHERE id = $1 FOR UPDATE`, [conversationId]);
      const found: unknown[] = await manager.query(`SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2`, [conversationId, userId]);
      if (!found.length) return false;
      if (role === 'owner') await manager.query(`UPDATE conversation_members SET role = 'admin' WHERE conversation_id = $1 AND role = 'owner'`, [conversationId]);
      await manager.query(`UPDATE conversation_members SET role = $3 WHERE conversation_id = $1 AND user_id = $2`, [conversationId, userId, role]);
      return true;
    });
  }

  private async addMembers(manager: EntityManager, conversationId: number, userIds: number[]): Promise<void> {
    await manager.query(`INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::int[])`, [conversationId, userIds]);
  }

  /**
   * Takes a user out of every conversation (account deletion). Their direct rooms give their names
   * up (`x-<id>`): names are built from usernames, and the username is free again, so the same
   * pair's new room must be able to take it.
   */
  async removeMemberEverywhere(userId: number, manager: EntityManager): Promise<void> {
    // Conversations first, in id order, as a send does (its conversation, then its members' rows):
    // taking the member rows first could deadlock with a send in one of them.
    await manager.query(`SELECT c.id FROM conversations c JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.user_id = $1 ORDER BY c.id FOR UPDATE OF c`, [userId]);
    await manager.query(`DELETE FROM conversation_members WHERE user_id = $1`, [userId]);
    await manager.query(`UPDATE conversations SET name = 'x-' || id WHERE kind = 'direct' AND (direct_user_low = $1 OR direct_user_high = $1)`, [userId]);
  }
}
