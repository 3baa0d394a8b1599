import { HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { AuthenticatedUser } from '../common/decorators/current-user.decorator.js';
import type { User } from '../users/entities/user.entity.js';
import { PasswordHasher } from '../users/password-hasher.service.js';
import { UsersService } from '../users/users.service.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { LoginThrottleService } from './throttle/login-throttle.service.js';
import { InvalidTokenError, TokensService, type TokenClaims } from './tokens.service.js';

export interface TokenPair {
  access: string;
  refresh: string;
}

const BAD_CREDENTIALS = 'No active account found with the given credentials';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AuthFailure extends UnauthorizedException {
  constructor(message: string) {
    super({ statusCode: HttpStatus.UNAUTHORIZED, message });
  }
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokensService,
    private readonly throttle: LoginThrottleService,
  ) {}

  /**
   * Checks the password (a missing account costs the same argon2 time and gives the same 401),
   * then opens a new session with its first refresh token.
   */
  async login(username: string, password: string, clientIp: string): Promise<{ user: User } & TokenPair> {
    await this.throttle.assertAllowed(username, clientIp);
    const user = await this.users.findForLogin(username);
    const ok = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user || !ok) {
      await this.throttle.recordFailure(username, clientIp);
      throw new AuthFailure(BAD_CREDENTIALS);
    }
    await this.throttle.recordSuccess(username, clientIp);
    const sessionId = randomUUID();
    const refresh = this.tokens.sign('refresh', user.id, sessionId);
    // The session and its first refresh token in one statement: one round trip, all or nothing.
    await this.dataSource.query(
      `WITH session AS (INSERT INTO auth_sessions (id, user_id) VALUES ($1, $2) RETURNING id)
       INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at) SELECT $3, session.id, $4, $5 FROM session`,
      [sessionId, user.id, refresh.jti, TokensService.hash(refresh.token), refresh.expiresAt],
    );
    return { user, access: this.tokens.sign('access', user.id, sessionId).token, refresh: refresh.token };
  }

  /**
   * Exchanges a refresh token for a new access token and, with rotation on, a new refresh token.
   * The consuming UPDATE is atomic, so of two concurrent refreshes of one token only one wins;
   * presenting an already-rotated token is treated as theft and revokes the whole family.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const claims = this.verify(refreshToken, 'refresh');
    const hash = TokensService.hash(refreshToken);

    if (!this.config.jwt.refreshRotation) {
      const live = await this.dataSource.query(
        `SELECT 1 FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
         WHERE t.id = $1 AND t.token_hash = $2 AND t.expires_at > now() AND s.revoked_at IS NULL`,
        [claims.jti, hash],
      );
      if (!live.length) throw new AuthFailure('Token is invalid or revoked');
      return { access: this.tokens.sign('access', claims.userId, claims.sid).token, refresh: refreshToken };
    }

    const rotated = await this.dataSource.transaction(async (manager) => {
      const consumed: Array<{ session_id: string; user_id: number }> = await manager.query(
        `UPDATE refresh_tokens t SET used_at = now()
         FROM auth_sessions s
         WHERE t.id = $1 AND t.token_hash = $2 AND t.used_at IS NULL AND t.expires_at > now()
           AND s.id = t.session_id AND s.revoked_at IS NULL
         RETURNING t.session_id, s.user_id`,
        [claims.jti, hash],
      );
      // TypeORM returns [rows, count] for UPDATE … RETURNING on postgres.
      const rows = Array.isArray(consumed[0]) ? (consumed[0] as unknown as typeof consumed) : consumed;
      if (!rows.length) return null;
      return this.issuePair(manager, rows[0].user_id, rows[0].session_id);
    });
    if (rotated) return rotated;

    // Not consumable: unknown, expired, revoked, or already used. Reuse of a used token means a
    // copy is in someone else's hands: end the family (RFC 9700 §4.14.2).
    await this.dataSource.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'reuse'
       WHERE revoked_at IS NULL AND id = (SELECT session_id FROM refresh_tokens WHERE id = $1 AND token_hash = $2 AND used_at IS NOT NULL)`,
      [claims.jti, hash],
    );
    throw new AuthFailure('Token is invalid or revoked');
  }

  /** Revokes the session (token family) of a refresh token. Idempotent. */
  async logout(refreshToken: string): Promise<void> {
    const claims = this.verify(refreshToken, 'refresh');
    await this.dataSource.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'logout'
       WHERE revoked_at IS NULL AND id = (SELECT session_id FROM refresh_tokens WHERE id = $1 AND token_hash = $2)`,
      [claims.jti, TokensService.hash(refreshToken)],
    );
  }

  /**
   * The identity behind access-token claims whose signature was already checked (passport-jwt on
   * REST; the socket paths call {@link authenticateAccessToken}). The account must still exist and
   * the session must not be revoked.
   */
  async authenticateClaims(claims: Partial<TokenClaims>): Promise<AuthenticatedUser> {
    let userId: number;
    try {
      userId = this.tokens.checkClaims(claims, 'access');
    } catch (error) {
      throw new AuthFailure((error as Error).message);
    }
    if (!UUID.test(claims.sid as string)) throw new AuthFailure('Token is invalid');
    const user = await this.users.findIdentity(userId, claims.sid as string);
    if (!user) throw new AuthFailure('Token is revoked or its account is gone');
    return { id: user.id, username: user.username };
  }

  async authenticateAccessToken(token: string): Promise<AuthenticatedUser> {
    return this.authenticateClaims(this.verify(token, 'access'));
  }

  private verify(token: string, type: 'access' | 'refresh') {
    try {
      return this.tokens.verify(token, type);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new AuthFailure(error.message);
      throw error;
    }
  }

  private async issuePair(manager: EntityManager, userId: number, sessionId: string): Promise<TokenPair> {
    const refresh = this.tokens.sign('refresh', userId, sessionId);
    await manager.insert(RefreshToken, {
      id: refresh.jti,
      sessionId,
      tokenHash: TokensService.hash(refresh.token),
      expiresAt: refresh.expiresAt,
    });
    return { access: this.tokens.sign('access', userId, sessionId).token, refresh: refresh.token };
  }
}
