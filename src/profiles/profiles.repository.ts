import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The `profiles` and `friendships` tables. */
@Injectable()
export class ProfilesRepository {
  /** Ends every friendship of a user and clears their profile text and picture (account deletion). */
  async forgetUser(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM friendships WHERE user_id = $1 OR friend_id = $1`, [userId]);
    await manager.query(`UPDATE profiles SET bio = NULL, image = NULL WHERE user_id = $1`, [userId]);
  }

  /** The stored picture's URL, or null for the default. */
  async imageOf(userId: number, manager: EntityManager): Promise<string | null> {
    const rows: Array<{ image: string | null }> = await manager.query(`SELECT image FROM profiles WHERE user_id = $1`, [userId]);
    return rows[0]?.image ?? null;
  }
}
