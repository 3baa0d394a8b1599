// The SQL the app runs for the benchmarked reads and writes, used by the bare baselines and by
// the EXPLAIN checks, so that the comparison is of everything but the SQL. The send, search and
// identity statements are the app's own (from the build); the reads below are written inline in
// src/chat/persistence/messages.repository.ts and copied here.
import { STORE_ONE_SQL } from '../../dist/src/chat/persistence/message-writer.js';
import { IDENTITY_SQL } from '../../dist/src/users/users.repository.js';
import { searchSql } from '../../dist/src/chat/persistence/messages.repository.js';

export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.text, m.client_id, m.created_at, m.reply_to_id, m.edited_at, m.deleted_at, m.reactions, u.id AS sender_id, u.username AS sender_username, u.email AS sender_email`;
export const CONVERSATION_COLUMNS = `c.id, c.kind, c.name, c.title, c.created_at, c.last_activity_at, c.message_count, cm.last_read_seq, cm.last_read_message_id`;

export const IDENTITY = IDENTITY_SQL;

export const CONVERSATIONS_OF_MEMBER = `SELECT ${CONVERSATION_COLUMNS} FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
  WHERE cm.user_id = $1 ORDER BY cm.last_activity_at DESC, cm.conversation_id DESC LIMIT $2`;

export const MEMBERS_OF = `SELECT cm.conversation_id, u.id, u.username, u.email, cm.last_read_message_id FROM conversation_members cm JOIN users u ON u.id = cm.user_id
  WHERE cm.conversation_id = ANY($1::int[]) ORDER BY cm.conversation_id, u.id`;

export const LATEST_OF_MANY = `SELECT ${MESSAGE_COLUMNS} FROM unnest($1::int[]) AS conv(id)
  CROSS JOIN LATERAL (
    SELECT * FROM messages WHERE conversation_id = conv.id
    ORDER BY conversation_id DESC, id DESC LIMIT $2
  ) m JOIN users u ON u.id = m.sender_id ORDER BY m.conversation_id, m.id`;

export const CONVERSATION_FOR_MEMBER = `SELECT ${CONVERSATION_COLUMNS} FROM conversations c
  JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.user_id = $1 WHERE c.id = $2`;

/** Latest `$2` messages (newest first; the app reverses them in memory). */
export const HISTORY_LATEST = `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
  WHERE m.conversation_id = $1 AND m.seq > (SELECT message_count FROM conversations WHERE id = $1) - $2 ORDER BY m.conversation_id DESC, m.seq DESC LIMIT $2`;

/** `$2` messages before id `$3` (newest first). */
export const HISTORY_BEFORE = `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
  WHERE m.conversation_id = $1 AND m.id < $3 ORDER BY m.conversation_id DESC, m.id DESC LIMIT $2`;

/** The latest `$2` messages oldest first, all in one result: the whole list built the plain way. */
export const HISTORY_WHOLE = `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
  WHERE m.conversation_id = $1 AND m.seq > (SELECT message_count FROM conversations WHERE id = $1) - $2 ORDER BY m.conversation_id, m.seq`;

export const SEND = STORE_ONE_SQL;

/** The first page of a search (the app's own statement). */
export const SEARCH = searchSql(false);
