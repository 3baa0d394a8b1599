import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The `conversations` and `conversation_members` tables. */
@Injectable()
export class ConversationsRepository {
  /**
   * Takes a user out of every conversation (account deletion). Their direct rooms give their names
   * up (`x-<id>`): names are built from usernames, and the username is free again, so the same
   * pair's new room must be able to take it.
   */
  async removeMemberEverywhere(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM conversation_members WHERE user_id = $1`, [userId]);
    await manager.query(`UPDATE conversations SET name = 'x-' || id WHERE kind = 'direct' AND (direct_user_low = $1 OR direct_user_high = $1)`, [userId]);
  }
}
