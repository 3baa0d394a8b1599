import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** The `user_blocks` table. */
@Injectable()
export class BlocksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when this block is new. */
  async block(blockerId: number, blockedId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING blocked_id`, [blockerId, blockedId]);
    return rows.length > 0;
  }

  /** True when there was such a block. */
  async unblock(blockerId: number, blockedId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`WITH gone AS (DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2 RETURNING blocked_id) SELECT blocked_id FROM gone`, [blockerId, blockedId]);
    return rows.length > 0;
  }

  /** Whom a user has blocked, latest first, at most `limit`. */
  list(blockerId: number, limit: number): Promise<Array<{ id: number; username: string; created_at: Date }>> {
    return this.dataSource.query(
      `SELECT u.id, u.username, b.created_at FROM user_blocks b JOIN users u ON u.id = b.blocked_id
       WHERE b.blocker_id = $1 ORDER BY b.created_at DESC, b.blocked_id DESC LIMIT $2`,
      [blockerId, limit],
    );
  }

  /** Which of `candidates` have blocked `userId`. */
  async blockersAmong(userId: number, candidates: number[]): Promise<number[]> {
    if (!candidates.length) return [];
    const rows: Array<{ blocker_id: number }> = await this.dataSource.query(`SELECT blocker_id FROM user_blocks WHERE blocked_id = $1 AND blocker_id = ANY($2::int[])`, [userId, candidates]);
    return rows.map((r) => r.blocker_id);
  }

  /** Which of `candidates` `userId` has blocked. */
  async blockedAmong(userId: number, candidates: number[]): Promise<number[]> {
    if (!candidates.length) return [];
    const rows: Array<{ blocked_id: number }> = await this.dataSource.query(`SELECT blocked_id FROM user_blocks WHERE blocker_id = $1 AND blocked_id = ANY($2::int[])`, [userId, candidates]);
    return rows.map((r) => r.blocked_id);
  }

  /** Account deletion: every block by or of the user goes. */
  async forgetUser(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM user_blocks WHERE blocker_id = $1 OR blocked_id = $1`, [userId]);
  }
}
