import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { HistoryQuery, MessageView } from '../chat.types.js';
import type { ConversationKind } from '../entities/conversation.entity.js';
import type { MemberRole } from '../entities/conversation-member.entity.js';
import type { ReadMarker } from '../read-markers.js';
import { MESSAGE_COLUMNS, toMessageView, type MessageRow } from './chat-rows.js';

/** A message's wire shape: the `/api/` family's or the `/messenger/` family's (see chat.mappers.ts). */
export type MessageWireShape = 'api' | 'room';

/** `Date.toISOString()`'s format (milliseconds, UTC), as the mappers write timestamps. */
const isoOf = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const ISO_TIMESTAMP = isoOf('m.created_at');
/** A text column as a JSON string (PostgreSQL escapes it). */
const str = (column: string) => `to_json(${column})::text`;

/**
 * The mappers' shapes (toApiMessage, toRoomMessage) written in SQL for whole histories, compact as
 * JSON.stringify writes them (`json_build_object` would add spaces). A test compares them with the
 * mappers' output message by message (chat.e2e-spec.ts).
 */
const WIRE_JSON: Record<MessageWireShape, string> = {
  api: `'{"id":' || m.id || ',"sender":{"id":' || u.id || ',"username":' || ${str('u.username')} || ',"email":' || ${str('u.email')}
        || '},"conversation":' || m.conversation_id || ',"text":' || ${str('m.text')} || ',"timestamp":"' || ${ISO_TIMESTAMP} || '"'
        || CASE WHEN m.client_id IS NULL THEN '' ELSE ',"client_id":' || ${str('m.client_id')} END
        || ',"reply_to":' || coalesce(m.reply_to_id::text, 'null')
        || ',"edited_at":' || CASE WHEN m.edited_at IS NULL THEN 'null' ELSE '"' || ${isoOf('m.edited_at')} || '"' END
        || ',"deleted":' || (m.deleted_at IS NOT NULL)::text || ',"reactions":' || m.reactions::text || '}'`,
  room: `'{"id":' || m.id || ',"user":' || ${str('u.username')} || ',"content":' || ${str('m.text')} || ',"timestamp":"' || ${ISO_TIMESTAMP} || '"}'`,
};

/** The text as English and as Russian, each stemmed: exactly the expression of the `messages_search_idx` GIN index. */
const SEARCH_VECTOR = `(to_tsvector('english'::regconfig, m.text) || to_tsvector('russian'::regconfig, m.text))`;
/** A web-search query (`"phrases"`, `or`, `-word`) read both ways; a message matching either reading is a hit. */
const SEARCH_QUERY = `(websearch_to_tsquery('english'::regconfig, $2) || websearch_to_tsquery('russian'::regconfig, $2))`;

/**
 * A page of search results. Parameters: conversation ids, the query, how many of the newest hits
 * to rank, the page size, and (with `afterCursor`) the rank and id the previous page ended at.
 * Also run by bench/ (EXPLAIN of scenario 13).
 *
 * For a rare word PostgreSQL reads the GIN index; for a common one it walks the primary key back
 * from the newest message. That walk starts at the newest message of the caller's conversations
 * (`newest`: one probe of `(conversation_id, id)` each), not of the whole table: messages stored
 * since in conversations the caller is not in are never visited (docs/performance.md).
 */
export function searchSql(afterCursor: boolean): string {
  return `WITH newest AS (
      SELECT max(last.id) AS id FROM unnest($1::int[]) AS conv(id)
      CROSS JOIN LATERAL (SELECT l.id FROM messages l WHERE l.conversation_id = conv.id ORDER BY l.conversation_id DESC, l.id DESC LIMIT 1) last
    ), hits AS (
      SELECT m.id, ts_rank(${SEARCH_VECTOR}, ${SEARCH_QUERY}) AS rank FROM messages m
      WHERE ${SEARCH_VECTOR} @@ ${SEARCH_QUERY} AND m.conversation_id = ANY($1::int[]) AND m.deleted_at IS NULL
        AND m.id <= (SELECT id FROM newest)
      ORDER BY m.id DESC LIMIT $3
    )
    SELECT ${MESSAGE_COLUMNS}, hits.rank::text AS rank
    FROM hits JOIN messages m ON m.id = hits.id JOIN users u ON u.id = m.sender_id
    ${afterCursor ? 'WHERE (hits.rank, hits.id) < ($5::real, $6::bigint)' : ''}
    ORDER BY hits.rank DESC, hits.id DESC LIMIT $4`;
}

/** Where a page of search results continues: after this rank and id. */
export interface SearchCursor {
  rank: string;
  id: number;
}

/**
 * Every read of messages, in SQL written for its index: history is a keyset range on
 * (conversation_id, id) or a `seq` range, the latest messages of a whole page come in one query,
 * and page numbers count from the stored counter. Writes go through MessageWriter.
 */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager) {
    return manager ?? this.dataSource;
  }

  /** The latest `perConversation` messages of many conversations in one query, oldest first each. */
  async latestMessagesOf(conversationIds: number[], perConversation: number): Promise<Map<number, MessageView[]>> {
    const byConversation = new Map<number, MessageView[]>(conversationIds.map((id) => [id, []]));
    if (!conversationIds.length || perConversation <= 0) return byConversation;
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS}
       FROM unnest($1::int[]) AS conv(id)
       CROSS JOIN LATERAL (
         SELECT * FROM messages WHERE conversation_id = conv.id
         ORDER BY conversation_id DESC, id DESC LIMIT $2
       ) m
       JOIN users u ON u.id = m.sender_id
       ORDER BY m.conversation_id, m.id`,
      [conversationIds, perConversation],
    );
    for (const row of rows) byConversation.get(row.conversation_id)?.push(toMessageView(row));
    return byConversation;
  }

  /**
   * Oldest first. Without a cursor: the latest `limit`, a range of `seq` below the conversation's
   * count (one probe of `(conversation_id, seq)`). With `before` / `after`: a keyset range of ids,
   * ordered as the `(conversation_id, id)` index. Never a Sort: newest-first pages are reversed
   * here: by `id` alone PostgreSQL may walk the primary key across other conversations' newer
   * messages (docs/performance.md).
   */
  async history(conversationId: number, query: HistoryQuery): Promise<MessageView[]> {
    const params: unknown[] = [conversationId, query.limit];
    let where: string;
    let order: string;
    if (query.before === undefined && query.after === undefined) {
      where = `m.conversation_id = $1 AND m.seq > (SELECT message_count FROM conversations WHERE id = $1) - $2`;
      order = 'm.conversation_id DESC, m.seq DESC';
    } else {
      const conditions = ['m.conversation_id = $1'];
      if (query.before !== undefined) conditions.push(`m.id < $${params.push(query.before)}`);
      if (query.after !== undefined) conditions.push(`m.id > $${params.push(query.after)}`);
      where = conditions.join(' AND ');
      order = query.after !== undefined ? 'm.conversation_id ASC, m.id ASC' : 'm.conversation_id DESC, m.id DESC';
    }
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE ${where} ORDER BY ${order} LIMIT $2`,
      params,
    );
    if (query.after === undefined) rows.reverse();
    return rows.map(toMessageView);
  }

  /**
   * The whole history as it is now (its latest `cap` messages), oldest first, read `pageSize` at a
   * time as ranges of the dense `seq` (one probe of `(conversation_id, seq)` each). Each page comes
   * as JSON text made by PostgreSQL in the wire shape of `shape` (the messages, comma-separated):
   * no row objects in Node, so a reader costs one page of text (bench/ scenario 11). The room
   * shape (the `/messenger/` family, whose clients know no deleted messages) leaves deleted ones out.
   */
  async *wholeHistoryJson(conversationId: number, cap: number, shape: MessageWireShape, pageSize = 1000): AsyncGenerator<{ json: string; lastId: number }> {
    const rows: Array<{ message_count: string }> = await this.dataSource.query(`SELECT message_count FROM conversations WHERE id = $1`, [conversationId]);
    const last = Number(rows[0]?.message_count ?? 0);
    for (let from = Math.max(0, last - cap) + 1; from <= last; from += pageSize) {
      const page: Array<{ json: string | null; last_id: string | null }> = await this.dataSource.query(
        `SELECT string_agg(${WIRE_JSON[shape]}, ',' ORDER BY m.seq) AS json, max(m.id) AS last_id
         FROM messages m JOIN users u ON u.id = m.sender_id
         WHERE m.conversation_id = $1 AND m.seq >= $2 AND m.seq < $3${shape === 'room' ? ' AND m.deleted_at IS NULL' : ''}`,
        [conversationId, from, Math.min(from + pageSize, last + 1)],
      );
      if (page[0]?.json) yield { json: page[0].json, lastId: Number(page[0].last_id) };
    }
  }

  /** Messages with `fromSeq <= seq < toSeq`, in order: the gap a live stream missed. */
  async messagesBySeq(conversationId: number, fromSeq: number, toSeq: number): Promise<MessageView[]> {
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
        WHERE m.conversation_id = $1 AND m.seq >= $2 AND m.seq < $3 ORDER BY m.conversation_id, m.seq`,
      [conversationId, fromSeq, toSeq],
    );
    return rows.map(toMessageView);
  }

  /**
   * Where a read marker on a message of this conversation stands: the message by id, or with
   * `'latest'` the newest one (its `seq` is the conversation's count). Null when there is no such
   * message in this conversation.
   */
  async markerAt(conversationId: number, message: number | 'latest'): Promise<ReadMarker | null> {
    const rows: Array<{ id: string; seq: string }> =
      message === 'latest'
        ? await this.dataSource.query(
            `SELECT m.id, m.seq FROM conversations c JOIN messages m ON m.conversation_id = c.id AND m.seq = c.message_count WHERE c.id = $1`,
            [conversationId],
          )
        : await this.dataSource.query(`SELECT id, seq FROM messages WHERE conversation_id = $1 AND id = $2`, [conversationId, message]);
    return rows.length ? { seq: Number(rows[0].seq), messageId: Number(rows[0].id) } : null;
  }

  /**
   * Messages matching `q` in `conversationIds` (not deleted), best match first, then newest. The
   * ranking is over the newest `candidates` hits only: a word in half a million messages costs a
   * backward walk to its newest few hundred, not a rank of all of them.
   */
  async search(conversationIds: number[], q: string, options: { limit: number; candidates: number; before?: SearchCursor }): Promise<Array<{ message: MessageView; cursor: SearchCursor }>> {
    if (!conversationIds.length) return [];
    const params: unknown[] = [conversationIds, q, options.candidates, options.limit];
    if (options.before) params.push(options.before.rank, options.before.id);
    const rows: Array<MessageRow & { rank: string }> = await this.dataSource.query(searchSql(Boolean(options.before)), params);
    return rows.map((row) => ({ message: toMessageView(row), cursor: { rank: row.rank, id: Number(row.id) } }));
  }

  /** A message with the caller's role in its conversation, if the caller is a member there. */
  async messageForMember(userId: number, messageId: number): Promise<{ message: MessageView; role: MemberRole; kind: ConversationKind } | null> {
    const rows: Array<MessageRow & { role: MemberRole; kind: ConversationKind }> = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS}, cm.role, c.kind FROM messages m
       JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.user_id = $1
       JOIN conversations c ON c.id = m.conversation_id
       JOIN users u ON u.id = m.sender_id
       WHERE m.id = $2`,
      [userId, messageId],
    );
    return rows.length ? { message: toMessageView(rows[0]), role: rows[0].role, kind: rows[0].kind } : null;
  }

  async messageByClientId(conversationId: number, senderId: number, clientId: string, manager?: EntityManager): Promise<MessageView | null> {
    const rows: MessageRow[] = await this.db(manager).query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
       WHERE m.conversation_id = $1 AND m.sender_id = $2 AND m.client_id = $3`,
      [conversationId, senderId, clientId],
    );
    return rows.length ? toMessageView(rows[0]) : null;
  }

  /** Total of a page-number listing: one row read, whatever the number of messages. */
  async messageCount(scope: { conversationId: number } | { userId: number }): Promise<number> {
    const rows: Array<{ count: string }> =
      'conversationId' in scope
        ? await this.dataSource.query(`SELECT message_count AS count FROM conversations WHERE id = $1`, [scope.conversationId])
        : await this.dataSource.query(
            `SELECT coalesce(sum(c.message_count), 0) AS count FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id WHERE cm.user_id = $1`,
            [scope.userId],
          );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * One page in id order. In one conversation the page is a range of `seq` (dense from 1): one
   * probe of `(conversation_id, seq)` at any depth. Across all the caller's conversations there is
   * no such number, so the offset walks the id index, from whichever end is nearer.
   */
  async messagePage(scope: { conversationId: number } | { userId: number }, offset: number, size: number, total: number): Promise<MessageView[]> {
    if ('conversationId' in scope) {
      const rows: MessageRow[] = await this.dataSource.query(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
         WHERE m.conversation_id = $1 AND m.seq > $2 AND m.seq <= $3
         ORDER BY m.conversation_id, m.seq`,
        [scope.conversationId, offset, offset + size],
      );
      return rows.map(toMessageView);
    }
    const fromEnd = offset > total / 2;
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS}
       FROM (SELECT id FROM messages WHERE conversation_id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $1)
             ORDER BY id ${fromEnd ? 'DESC' : 'ASC'} OFFSET $2 LIMIT $3) page
       JOIN messages m ON m.id = page.id
       JOIN users u ON u.id = m.sender_id
       ORDER BY m.id`,
      fromEnd ? [scope.userId, Math.max(0, total - offset - size), Math.min(size, total - offset)] : [scope.userId, offset, size],
    );
    return rows.map(toMessageView);
  }
}
