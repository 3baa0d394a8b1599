import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The `user_presence` table: when each user's last connection closed. */
@Injectable()
export class PresenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async saveLastSeen(userId: number, at: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO user_presence (user_id, last_seen_at) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET last_seen_at = GREATEST(user_presence.last_seen_at, EXCLUDED.last_seen_at)`,
      [userId, at],
    );
  }

  async lastSeenOf(userIds: number[]): Promise<Map<number, Date>> {
    if (!userIds.length) return new Map();
    const rows: Array<{ user_id: number; last_seen_at: Date }> = await this.dataSource.query(`SELECT user_id, last_seen_at FROM user_presence WHERE user_id = ANY($1::int[])`, [userIds]);
    return new Map(rows.map((r) => [r.user_id, new Date(r.last_seen_at)]));
  }
}
