import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ReactionView } from '../chat.types.js';

/** Users listed per emoji in a message's reaction summary (`count` counts them all). */
export const REACTION_USERS_SHOWN = 100;

/** A message's reactions summarised from `message_reactions`: emoji in the order first used, users earliest first. */
const REACTION_SUMMARY = `SELECT coalesce(jsonb_agg(jsonb_build_object('emoji', r.emoji, 'count', r.n, 'users', to_jsonb(r.users)) ORDER BY r.first, r.emoji), '[]'::jsonb)
  FROM (SELECT emoji, count(*) AS n, (array_agg(user_id ORDER BY created_at, user_id))[1:${REACTION_USERS_SHOWN}] AS users, min(created_at) AS first
        FROM message_reactions WHERE message_id = $1 GROUP BY emoji) r`;

export type ReactionOutcome = { changed: boolean; reactions: ReactionView[] } | 'deleted' | 'too-many';

/**
 * Changes to stored messages (MessageWriter writes new ones): edits, deletions and reactions.
 * (Writes that return rows are wrapped in a CTE: TypeORM answers a bare UPDATE/DELETE … RETURNING
 * with `[rows, count]`, not the rows.)
 * Reactions are rows of `message_reactions`, summarised into `messages.reactions` under the
 * message's row lock by each change, so reads of messages never join them.
 */
@Injectable()
export class MessageChanges {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** New text for a message that is not deleted; false when it is. */
  async edit(messageId: number, text: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`WITH edited AS (UPDATE messages SET text = $2, edited_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id) SELECT id FROM edited`, [
      messageId,
      text,
    ]);
    return rows.length > 0;
  }

  /**
   * Deletes a message: its row stays (id, seq, sender, time) with the text, the reactions and the
   * edit time gone. False when it was already deleted.
   */
  delete(messageId: number): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(
        `WITH deleted AS (UPDATE messages SET text = '', edited_at = NULL, reactions = '[]', deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id)
         SELECT id FROM deleted`,
        [messageId],
      );
      if (!rows.length) return false;
      await manager.query(`DELETE FROM message_reactions WHERE message_id = $1`, [messageId]);
      return true;
    });
  }

  /**
   * Adds (idempotent) or removes one user's reaction. A new emoji beyond `maxEmoji` distinct ones
   * on the message is refused ('too-many'); a deleted message takes none ('deleted').
   */
  react(messageId: number, userId: number, emoji: string, add: boolean, maxEmoji: number): Promise<ReactionOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const locked: Array<{ deleted_at: Date | null; reactions: ReactionView[] }> = await manager.query(`SELECT deleted_at, reactions FROM messages WHERE id = $1 FOR UPDATE`, [messageId]);
      if (!locked.length || locked[0].deleted_at) return 'deleted';
      const current = locked[0].reactions;
      if (add && current.length >= maxEmoji && !current.some((r) => r.emoji === emoji)) return 'too-many';
      const changed: unknown[] = add
        ? await manager.query(`INSERT INTO message_reactions (message_id, emoji, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id`, [messageId, emoji, userId])
        : await manager.query(`WITH gone AS (DELETE FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3 RETURNING user_id) SELECT user_id FROM gone`, [messageId, emoji, userId]);
      if (!changed.length) return { changed: false, reactions: current };
      const rows: Array<{ reactions: ReactionView[] }> = await manager.query(
        `WITH summed AS (UPDATE messages SET reactions = (${REACTION_SUMMARY}) WHERE id = $1 RETURNING reactions) SELECT reactions FROM summed`,
        [messageId],
      );
      return { changed: true, reactions: rows[0].reactions };
    });
  }
}
