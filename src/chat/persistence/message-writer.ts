import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { MessageView } from '../chat.types.js';
import { freshMessageRow, toMessageView } from './chat-rows.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { MessagesRepository } from './messages.repository.js';

export interface MessageDraft {
  senderId: number;
  text: string;
  clientId: string | null;
  /** A message of the same conversation this one answers (checked by the caller; one of another conversation is dropped here). */
  replyTo?: number | null;
}

/** `null`: the sender is not a member (or the conversation does not exist). */
export type StoreResult = { message: MessageView; created: boolean } | null;

/** The other member of the direct conversation has blocked the sender: nothing was stored. */
export class SenderBlockedError extends Error {
  constructor() {
    super('the other member of this direct conversation has blocked the sender');
    this.name = 'SenderBlockedError';
  }
}

interface Pending {
  draft: MessageDraft;
  resolve(result: StoreResult): void;
  reject(error: unknown): void;
}

/** True when `sender` (a column) is blocked by the other member of conversation $1, a direct one. */
const BLOCKED_IN_DIRECT = (sender: string) =>
  `EXISTS (SELECT 1 FROM conversations bc JOIN user_blocks b ON b.blocked_id = ${sender} AND b.blocker_id IN (bc.direct_user_low, bc.direct_user_high)
           WHERE bc.id = $1 AND bc.kind = 'direct')`;

/**
 * One message: membership, the other member's block (in a direct conversation), the conversation's row lock, an idempotent insert (a repeated
 * `client_id` from the same sender inserts nothing and numbers nothing), the counters, and the
 * sender's read marker (what one sends, one has read).
 * Parameters: conversation id, sender id, text, client id, the message replied to (or null).
 * Also run by bench/'s baseline.
 */
export const STORE_ONE_SQL = `WITH sender AS (
    SELECT u.id, u.username, u.email, ${BLOCKED_IN_DIRECT('u.id')} AS blocked
    FROM conversation_members cm JOIN users u ON u.id = cm.user_id
    WHERE cm.conversation_id = $1 AND cm.user_id = $2
  ), locked AS (
    SELECT c.message_count FROM conversations c WHERE c.id = $1 AND EXISTS (SELECT 1 FROM sender WHERE NOT sender.blocked) FOR UPDATE
  ), inserted AS (
    INSERT INTO messages (conversation_id, sender_id, text, client_id, seq, reply_to_id)
    SELECT $1, sender.id, $3, $4, locked.message_count + 1, (SELECT r.id FROM messages r WHERE r.id = $5 AND r.conversation_id = $1) FROM sender, locked
    ON CONFLICT (conversation_id, sender_id, client_id) WHERE client_id IS NOT NULL DO NOTHING
    RETURNING id, created_at, seq, reply_to_id
  ), bumped AS (
    UPDATE conversations c SET last_activity_at = inserted.created_at, message_count = inserted.seq
    FROM inserted WHERE c.id = $1
    RETURNING c.id
  ), marked AS (
    UPDATE conversation_members cm SET last_read_seq = inserted.seq, last_read_message_id = inserted.id
    FROM inserted WHERE cm.conversation_id = $1 AND cm.user_id = $2 AND cm.last_read_seq < inserted.seq
    RETURNING cm.user_id
  )
  SELECT sender.id AS sender_id, sender.username AS sender_username, sender.email AS sender_email, sender.blocked, inserted.id, inserted.seq, inserted.created_at, inserted.reply_to_id
  FROM sender LEFT JOIN inserted ON true`;

/**
 * Several messages ({@link MessageWriter}'s batches). Parameters: conversation id, then per draft
 * (arrays in arrival order) the sender, the text, the client id and the message replied to.
 */
const STORE_MANY_SQL = `WITH locked AS (
    SELECT c.message_count FROM conversations c WHERE c.id = $1 FOR UPDATE
  ), draft AS (
    SELECT * FROM unnest($2::int[], $3::text[], $4::varchar[], $5::bigint[]) WITH ORDINALITY AS d(sender_id, text, client_id, reply_to, ord)
  ), accepted AS (
    SELECT d.*, u.username, u.email FROM draft d
    JOIN conversation_members cm ON cm.conversation_id = $1 AND cm.user_id = d.sender_id
    JOIN users u ON u.id = d.sender_id
    WHERE NOT ${BLOCKED_IN_DIRECT('d.sender_id')} AND (d.client_id IS NULL OR (
      NOT EXISTS (SELECT 1 FROM messages x WHERE x.conversation_id = $1 AND x.sender_id = d.sender_id AND x.client_id = d.client_id)
      AND NOT EXISTS (SELECT 1 FROM draft e WHERE e.sender_id = d.sender_id AND e.client_id = d.client_id AND e.ord < d.ord)))
  ), numbered AS (
    SELECT accepted.*, locked.message_count + row_number() OVER (ORDER BY ord) AS seq FROM accepted, locked
  ), inserted AS (
    INSERT INTO messages (conversation_id, sender_id, text, client_id, seq, reply_to_id)
    SELECT $1, sender_id, text, client_id, seq, (SELECT r.id FROM messages r WHERE r.id = numbered.reply_to AND r.conversation_id = $1) FROM numbered ORDER BY ord
    RETURNING id, seq, created_at, sender_id, reply_to_id
  ), bumped AS (
    UPDATE conversations SET message_count = (SELECT max(seq) FROM inserted), last_activity_at = (SELECT max(created_at) FROM inserted)
    WHERE id = $1 AND EXISTS (SELECT 1 FROM inserted)
    RETURNING id
  ), marked AS (
    UPDATE conversation_members cm SET last_read_seq = latest.seq, last_read_message_id = latest.id
    FROM (SELECT DISTINCT ON (sender_id) sender_id, id, seq FROM inserted ORDER BY sender_id, seq DESC) latest
    WHERE cm.conversation_id = $1 AND cm.user_id = latest.sender_id AND cm.last_read_seq < latest.seq
    RETURNING cm.user_id
  )
  SELECT numbered.ord, numbered.sender_id, numbered.username, numbered.email, inserted.id, inserted.seq, inserted.created_at, inserted.reply_to_id
  FROM numbered JOIN inserted ON inserted.seq = numbered.seq ORDER BY numbered.ord`;

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** Most messages written by one statement. */
const MAX_BATCH = 128;

interface SingleRow {
  sender_id: number;
  sender_username: string;
  sender_email: string;
  blocked: boolean;
  id: string | null;
  seq: string | null;
  created_at: Date | null;
  reply_to_id: string | null;
}

interface BatchRow {
  ord: string;
  sender_id: number;
  username: string;
  email: string;
  id: string;
  seq: string;
  created_at: Date;
  reply_to_id: string | null;
}

/**
 * The one writer of messages (the messages table's writes, as MessagesRepository holds its reads). Writes messages, numbering them `seq` 1, 2, 3, … in each conversation under the
 * conversation's row lock. That lock is held until the commit is flushed, so a busy room can
 * commit only one write at a time; sends to one conversation are therefore queued here and what
 * queued while a write was in flight is written together, in one statement and one commit (up
 * to 128). An idle room pays nothing: a send with nothing in flight is written at once, alone.
 * Measured: docs/performance.md.
 */
@Injectable()
export class MessageWriter {
  private readonly queues = new Map<number, Pending[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly messages: MessagesRepository,
    private readonly metrics: Metrics,
  ) {}

  /** Writes one message (queued behind the conversation's write in flight, if any); resolves once it is committed. */
  write(conversationId: number, draft: MessageDraft): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(conversationId);
      if (queue) return void queue.push({ draft, resolve, reject });
      this.queues.set(conversationId, [{ draft, resolve, reject }]);
      void this.drain(conversationId);
    });
  }

  /** Writes the conversation's queue batch by batch until it is empty. */
  private async drain(conversationId: number): Promise<void> {
    const queue = this.queues.get(conversationId) as Pending[];
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH);
      this.metrics.writeBatch(batch.length);
      try {
        const results = batch.length === 1 ? [await this.storeOne(conversationId, batch[0].draft)] : await this.storeMany(conversationId, batch.map((p) => p.draft));
        batch.forEach((pending, i) => {
          const result = results[i];
          if (result instanceof Error) pending.reject(result);
          else pending.resolve(result);
        });
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.queues.delete(conversationId);
  }

  /** One statement ({@link STORE_ONE_SQL}). */
  private async storeOne(conversationId: number, draft: MessageDraft): Promise<StoreResult> {
    const rows: SingleRow[] = await this.dataSource.query(STORE_ONE_SQL, [conversationId, draft.senderId, draft.text, draft.clientId, draft.replyTo ?? null]);
    if (!rows.length) return null;
    const row = rows[0];
    if (row.blocked) throw new SenderBlockedError();
    if (row.id === null) {
      const existing = draft.clientId ? await this.messages.messageByClientId(conversationId, draft.senderId, draft.clientId) : null;
      if (!existing) throw new Error(`message of ${draft.senderId} in ${conversationId} was neither stored nor found`);
      return { message: existing, created: false };
    }
    const stored = { ...row, id: row.id, seq: row.seq as string, created_at: row.created_at as Date, conversation_id: conversationId, text: draft.text, client_id: draft.clientId };
    return { message: toMessageView({ ...stored, ...freshMessageRow(row.reply_to_id === null ? null : Number(row.reply_to_id)) }), created: true };
  }

  /**
   * Several messages in one statement, so one round trip and one commit: lock the conversation
   * row, insert the drafts of members that are not repeats, numbered in arrival order after the
   * locked row's count, and move the counters and each sender's read marker. The lock returns the
   * row as the last writer committed it (READ COMMITTED re-reads a row it waited for), so the
   * numbers have no gap even when another instance wrote meanwhile. The repeat check reads the
   * statement's snapshot: a repeat committed elsewhere between that snapshot and the lock hits the
   * unique index instead, the statement fails whole, and every draft takes the one-message path.
   * Drafts it did not store (outsiders, repeats) take the one-message path after the commit,
   * which answers them exactly as if they had come alone (blocked senders included).
   */
  private async storeMany(conversationId: number, drafts: MessageDraft[]): Promise<Array<StoreResult | Error>> {
    let stored: BatchRow[];
    try {
      stored = await this.dataSource.query(STORE_MANY_SQL, [conversationId, drafts.map((d) => d.senderId), drafts.map((d) => d.text), drafts.map((d) => d.clientId), drafts.map((d) => d.replyTo ?? null)]);
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      stored = [];
    }
    // Once the batch has committed, each stored draft is answered as stored whatever happens to
    // the others: a failing one-message retry (database gone) fails that draft alone.
    const results: Array<StoreResult | Error | undefined> = new Array(drafts.length);
    for (const row of stored) {
      const i = Number(row.ord) - 1;
      const draft = drafts[i];
      results[i] = {
        message: toMessageView({
          id: row.id,
          seq: row.seq,
          conversation_id: conversationId,
          text: draft.text,
          client_id: draft.clientId,
          created_at: row.created_at,
          sender_id: row.sender_id,
          sender_username: row.username,
          sender_email: row.email,
          ...freshMessageRow(row.reply_to_id === null ? null : Number(row.reply_to_id)),
        }),
        created: true,
      };
    }
    for (let i = 0; i < drafts.length; i++) {
      if (results[i] !== undefined) continue;
      try {
        results[i] = await this.storeOne(conversationId, drafts[i]);
      } catch (error) {
        results[i] = error instanceof Error ? error : new Error(String(error));
      }
    }
    return results as Array<StoreResult | Error>;
  }
}
