import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { TokenProfile } from './tokens.service.js';

/**
 * What checking the original Django system's tokens reads and writes: the latest finished import
 * (`django_imports`, written by `npm run import:django`), the account a token names, and
 * `legacy_tokens_spent` (owned here).
 */
@Injectable()
export class LegacyTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async latestImport(): Promise<{ startedAt: number; profile: TokenProfile } | null> {
    const rows: Array<{ started_at: Date; token_profile: string }> = await this.dataSource.query(
      `SELECT started_at, token_profile FROM django_imports WHERE finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1`,
    );
    return rows[0] ? { startedAt: rows[0].started_at.getTime(), profile: rows[0].token_profile === 'accounts' ? 'accounts' : 'api' } : null;
  }

  /**
   * The live, active account behind a token's `user_id` (its own id, or the id an import gave a
   * UUID key), and whether the token (`jti`, for refresh tokens) or all of the user's original
   * tokens were revoked.
   */
  async account(id: number | null, key: string, jti: string | null): Promise<{ id: number; username: string; revoked: boolean } | null> {
    const rows: Array<{ id: number; username: string; revoked: boolean }> = await this.dataSource.query(
      `SELECT u.id, u.username, EXISTS (SELECT 1 FROM legacy_tokens_spent s WHERE s.jti = $3 OR s.jti = 'user:' || u.id) AS revoked
       FROM users u WHERE u.id = coalesce($1::int, (SELECT palaver_id::int FROM django_import_keys WHERE kind = 'user' AND source_key = $2))
         AND u.deleted_at IS NULL AND u.is_active`,
      [id, key, jti],
    );
    return rows[0] ?? null;
  }

  /** Records spent tokens; true when the first of them was not spent before (each is spent once, also under concurrency). */
  async spend(tokens: Array<{ jti: string; expiresAt: number | null }>): Promise<boolean> {
    const spent: unknown[] = await this.dataSource.query(
      `INSERT INTO legacy_tokens_spent (jti, expires_at) SELECT t.jti, to_timestamp(t.exp) FROM unnest($1::text[], $2::float8[]) AS t(jti, exp) ON CONFLICT (jti) DO NOTHING RETURNING jti`,
      [tokens.map((t) => t.jti), tokens.map((t) => t.expiresAt)],
    );
    return (spent as Array<{ jti: string }>).some((row) => row.jti === tokens[0].jti);
  }
}
