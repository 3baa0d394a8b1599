import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { User } from '../users/entities/user.entity.js';
import { Friendship } from './entities/friendship.entity.js';
import { Profile } from './entities/profile.entity.js';

/** A user's public identity with the profile's bio and picture (null: none set). */
export interface UserWithProfile {
  user: Pick<User, 'id' | 'username' | 'email'>;
  bio: string | null;
  image: string | null;
}

/** The `profiles` and `friendships` tables. */
@Injectable()
export class ProfilesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A live account (read from users) with its profile's bio and picture, by id or by username (any case): one statement. */
  async findUserWithProfile(by: { id: number } | { username: string }): Promise<UserWithProfile | null> {
    const [condition, value] = 'id' in by ? ['u.id = $1', by.id] : ['lower(u.username) = lower($1)', by.username];
    const rows: Array<{ id: number; username: string; email: string; bio: string | null; image: string | null }> = await this.dataSource.query(
      `SELECT u.id, u.username, u.email, p.bio, p.image FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE ${condition} AND u.deleted_at IS NULL`,
      [value],
    );
    if (!rows.length) return null;
    const [row] = rows;
    return { user: { id: row.id, username: row.username, email: row.email }, bio: row.bio, image: row.image };
  }

  /** The profile row of a new account, inside the registration's transaction. */
  async create(userId: number, profile: { bio: string | null; image: string | null }, manager: EntityManager): Promise<void> {
    await manager.insert(Profile, { userId, bio: profile.bio, image: profile.image });
  }

  async setBio(userId: number, bio: string, manager: EntityManager): Promise<void> {
    await manager.upsert(Profile, { userId, bio }, ['userId']);
  }

  async setImage(userId: number, url: string): Promise<void> {
    await this.dataSource.getRepository(Profile).upsert({ userId, image: url }, ['userId']);
  }

  /** The stored picture's URL, or null for the default. */
  async imageOf(userId: number, manager: EntityManager = this.dataSource.manager): Promise<string | null> {
    const rows: Array<{ image: string | null }> = await manager.query(`SELECT image FROM profiles WHERE user_id = $1`, [userId]);
    return rows[0]?.image ?? null;
  }

  /** Both directions of a friendship in one statement; false when they were friends already. */
  async befriend(userId: number, friendId: number): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO friendships (user_id, friend_id) VALUES ($1, $2), ($2, $1) ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, friendId],
    );
    return inserted.length > 0;
  }

  /** Both directions of a friendship; false when there was none. */
  async unfriend(userId: number, friendId: number): Promise<boolean> {
    const result = await this.dataSource.getRepository(Friendship).delete([
      { userId, friendId },
      { userId: friendId, friendId: userId },
    ]);
    return Boolean(result.affected);
  }

  /** A user's friends' ids, ascending, at most `limit`. */
  async friendIdsOf(userId: number, limit: number): Promise<number[]> {
    const rows = await this.dataSource.getRepository(Friendship).find({ where: { userId }, select: { friendId: true }, order: { friendId: 'ASC' }, take: limit });
    return rows.map((f) => f.friendId);
  }

  /** Which of `candidates` are friends of `userId`. */
  async friendsAmong(userId: number, candidates: number[]): Promise<number[]> {
    if (!candidates.length) return [];
    const rows: Array<{ friend_id: number }> = await this.dataSource.query(`SELECT friend_id FROM friendships WHERE user_id = $1 AND friend_id = ANY($2::int[])`, [userId, candidates]);
    return rows.map((r) => r.friend_id);
  }

  /** Ends every friendship of a user and clears their profile text and picture (account deletion). */
  async forgetUser(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM friendships WHERE user_id = $1 OR friend_id = $1`, [userId]);
    await manager.query(`UPDATE profiles SET bio = NULL, image = NULL WHERE user_id = $1`, [userId]);
  }
}
