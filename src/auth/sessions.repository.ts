import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The `auth_sessions` table (its `refresh_tokens` go with a session: ON DELETE CASCADE). */
@Injectable()
export class SessionsRepository {
  /** Ends every session of a user, with their refresh tokens (account deletion). */
  async deleteAllOf(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM auth_sessions WHERE user_id = $1`, [userId]);
  }
}
