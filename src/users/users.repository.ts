import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** The `users` table. */
@Injectable()
export class UsersRepository {
  /** A live account's username and password hash, or null. */
  async credentialsOf(userId: number, manager: EntityManager): Promise<{ username: string; passwordHash: string } | null> {
    const rows: Array<{ username: string; password_hash: string }> = await manager.query(`SELECT username, password_hash FROM users WHERE id = $1 AND deleted_at IS NULL`, [userId]);
    return rows.length ? { username: rows[0].username, passwordHash: rows[0].password_hash } : null;
  }

  /**
   * Marks an account deleted and scrubs it: `~deleted~<id>` (`~` is never in a real username), no
   * email, no usable password. The row stays, as the sender of messages in others' conversations.
   */
  async scrub(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE users SET username = '~deleted~' || id, username_key = '~deleted~' || id, email = $2, password_hash = '!', deleted_at = now(), updated_at = now() WHERE id = $1`,
      [userId, `deleted-${randomUUID()}@invalid`],
    );
  }
}
