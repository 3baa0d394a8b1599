import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { RefreshToken } from './entities/refresh-token.entity.js';
import type { TokenProfile } from './tokens.service.js';

/** A refresh token as stored: its id (the JWT's `jti`), the SHA-256 of the token, and its expiry. */
export interface StoredRefreshToken {
  id: string;
  hash: Buffer;
  expiresAt: Date;
}

/** The session a refresh token belonged to, once it has been spent. */
export interface SpentSession {
  sessionId: string;
  userId: number;
  profile: TokenProfile;
}

/**
 * The `auth_sessions` (token families) and `refresh_tokens` tables. A refresh token is looked up
 * by id and hash together, so a forged id with another token's hash finds nothing.
 */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A new session with its first refresh token, capping the user's live sessions at `maxSessions`
   * (the oldest beyond it end): one statement, one round trip, all or nothing. The UPDATE sees the
   * sessions as they were before this statement, so it keeps the newest `maxSessions − 1`.
   */
  async open(session: { id: string; userId: number; profile: TokenProfile }, first: StoredRefreshToken, maxSessions: number): Promise<void> {
    await this.dataSource.query(
      `WITH session AS (INSERT INTO auth_sessions (id, user_id, token_profile) VALUES ($1, $2, $6) RETURNING id),
       capped AS (
         UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'limit'
         WHERE user_id = $2 AND revoked_at IS NULL
           AND id NOT IN (SELECT id FROM auth_sessions WHERE user_id = $2 AND revoked_at IS NULL ORDER BY created_at DESC, id LIMIT $7::int - 1)
       )
       INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at) SELECT $3, session.id, $4, $5 FROM session`,
      [session.id, session.userId, first.id, first.hash, first.expiresAt, session.profile, maxSessions],
    );
  }

  /** The token profile of a refresh token that is unexpired and whose session is live (it may have been used), or null. */
  async liveProfileOf(tokenId: string, hash: Buffer): Promise<TokenProfile | null> {
    const rows: Array<{ token_profile: TokenProfile }> = await this.dataSource.query(
      `SELECT s.token_profile FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
       WHERE t.id = $1 AND t.token_hash = $2 AND t.expires_at > now() AND s.revoked_at IS NULL`,
      [tokenId, hash],
    );
    return rows[0]?.token_profile ?? null;
  }

  /**
   * Spends a refresh token and stores its successor, in one transaction: the token must be unused,
   * unexpired, of a live session of a live account. Of two concurrent spends of one token only
   * one succeeds (the row is updated once). Null when it could not be spent.
   */
  async rotate(tokenId: string, hash: Buffer, successor: (session: SpentSession) => StoredRefreshToken): Promise<SpentSession | null> {
    return this.dataSource.transaction(async (manager) => {
      const consumed: Array<{ session_id: string; user_id: number; token_profile: TokenProfile }> = await manager.query(
        `UPDATE refresh_tokens t SET used_at = now()
         FROM auth_sessions s JOIN users u ON u.id = s.user_id AND u.deleted_at IS NULL
         WHERE t.id = $1 AND t.token_hash = $2 AND t.used_at IS NULL AND t.expires_at > now()
           AND s.id = t.session_id AND s.revoked_at IS NULL
         RETURNING t.session_id, s.user_id, s.token_profile`,
        [tokenId, hash],
      );
      // TypeORM returns [rows, count] for UPDATE … RETURNING on postgres.
      const rows = Array.isArray(consumed[0]) ? (consumed[0] as unknown as typeof consumed) : consumed;
      if (!rows.length) return null;
      const session: SpentSession = { sessionId: rows[0].session_id, userId: rows[0].user_id, profile: rows[0].token_profile };
      const next = successor(session);
      await manager.insert(RefreshToken, { id: next.id, sessionId: session.sessionId, tokenHash: next.hash, expiresAt: next.expiresAt });
      return session;
    });
  }

  /** Ends the session of a refresh token that was already spent (its reuse means a copy leaked). */
  async revokeForReuse(tokenId: string, hash: Buffer): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'reuse'
       WHERE revoked_at IS NULL AND id = (SELECT session_id FROM refresh_tokens WHERE id = $1 AND token_hash = $2 AND used_at IS NOT NULL)`,
      [tokenId, hash],
    );
  }

  /** Ends the session of a refresh token (logout). Idempotent. */
  async revokeForLogout(tokenId: string, hash: Buffer): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'logout'
       WHERE revoked_at IS NULL AND id = (SELECT session_id FROM refresh_tokens WHERE id = $1 AND token_hash = $2)`,
      [tokenId, hash],
    );
  }

  /** True when a refresh token is unexpired, of a live session of a live account, and (with `unspentOnly`) not used yet. */
  async isLive(tokenId: string, hash: Buffer, unspentOnly: boolean): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id AND u.deleted_at IS NULL
       WHERE t.id = $1 AND t.token_hash = $2 AND t.expires_at > now() AND s.revoked_at IS NULL
         AND (t.used_at IS NULL OR NOT $3::boolean)`,
      [tokenId, hash, unspentOnly],
    );
    return rows.length > 0;
  }

  /** Ends every session of a user, with their refresh tokens (account deletion), inside the caller's transaction. */
  async deleteAllOf(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM auth_sessions WHERE user_id = $1`, [userId]);
  }
}
