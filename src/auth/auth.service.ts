import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import type { AuthenticatedUser } from '../common/decorators/current-user.decorator.js';
import type { LoginAccount } from '../users/users.repository.js';
import { PasswordHasher } from '../users/password-hasher.service.js';
import { UsersService } from '../users/users.service.js';
import { SessionsRepository, type StoredRefreshToken } from './sessions.repository.js';
import { LegacyTokensService } from './legacy-tokens.service.js';
import { LoginThrottleService } from './throttle/login-throttle.service.js';
import { ApiException } from '../common/errors/api-exceptions.js';
import { InvalidTokenError, TokensService, type TokenClaims, type TokenProfile } from './tokens.service.js';

export interface TokenPair {
  access: string;
  refresh: string;
}

const BAD_CREDENTIALS = 'No active account found with the given credentials';
/** SimpleJWT's word for a token that was valid but has been revoked (logout, rotation, reuse, deletion). */
const BLACKLISTED = 'Token is blacklisted';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A 401 as SimpleJWT answers it: `{"detail": "…", "code": "token_not_valid"}` and the like. */
export class AuthFailure extends ApiException {
  constructor(detail: string, code = 'token_not_valid', extra: Record<string, unknown> = {}) {
    super(HttpStatus.UNAUTHORIZED, detail, code, extra, { 'WWW-Authenticate': 'Bearer realm="api"' });
  }
}

/** Why a token was refused, in one sentence (for socket handshakes, which have no body to carry SimpleJWT's). */
export function authFailureReason(error: unknown): string {
  if (error instanceof AuthFailure) {
    const messages = error.extra.messages as Array<{ message: string }> | undefined;
    return messages?.[0]?.message ?? error.detail;
  }
  return error instanceof Error && error.message ? error.message : 'Token is invalid or expired';
}

/** SimpleJWT's answer to an access token that fails on an authenticated route. */
export function invalidAccessToken(reason: string): AuthFailure {
  return new AuthFailure('Given token not valid for any token type', 'token_not_valid', {
    messages: [{ token_class: 'AccessToken', token_type: 'access', message: reason }],
  });
}

/** A signed refresh token as the sessions table keeps it (its hash, never the token). */
function stored(refresh: { token: string; jti: string; expiresAt: Date }): StoredRefreshToken {
  return { id: refresh.jti, hash: TokensService.hash(refresh.token), expiresAt: refresh.expiresAt };
}

@Injectable()
export class AuthService {
  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokensService,
    private readonly throttle: LoginThrottleService,
    private readonly legacy: LegacyTokensService,
  ) {}

  /**
   * Checks the password (a missing account costs the same argon2 time and gives the same 401),
   * then opens a new session with its first refresh token.
   */
  async login(username: string, password: string, clientIp: string, profile: TokenProfile = 'api'): Promise<{ user: LoginAccount } & TokenPair> {
    await this.throttle.reserve(username, clientIp);
    const user = await this.users.findForLogin(username);
    const ok = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user || !ok) throw new AuthFailure(BAD_CREDENTIALS, 'no_active_account');
    await this.throttle.succeeded(username, clientIp);
    // A Django hash from an import (or argon2id with older parameters) becomes today's argon2id.
    if (this.hasher.needsRehash(user.passwordHash)) await this.users.replacePasswordHash(user.id, user.passwordHash, await this.hasher.hash(password));
    return { user, ...(await this.openSession(user.id, profile)) };
  }

  /** A new session (token family) for a user whose identity is established, with its first pair. */
  async openSession(userId: number, profile: TokenProfile): Promise<TokenPair> {
    const sessionId = randomUUID();
    const refresh = this.tokens.sign('refresh', userId, sessionId, profile);
    await this.sessions.open({ id: sessionId, userId, profile }, stored(refresh), this.config.loginThrottle.maxSessionsPerUser);
    return { access: this.tokens.sign('access', userId, sessionId, profile).token, refresh: refresh.token };
  }

  /**
   * Exchanges a refresh token for a new access token and, with rotation on, a new refresh token.
   * The consuming UPDATE is atomic, so of two concurrent refreshes of one token only one wins;
   * presenting an already-rotated token is treated as theft and revokes the whole family.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    // A refresh token of the original Django system (DJANGO_SECRET_KEY): spent once, for a session of ours.
    if (this.legacy.isLegacy(refreshToken)) {
      const identity = await this.legacyCall(() => this.legacy.exchange(refreshToken));
      return this.openSession(identity.userId, identity.profile);
    }
    const claims = this.verify(refreshToken, 'refresh');
    const hash = TokensService.hash(refreshToken);

    if (!this.config.jwt.refreshRotation) {
      const profile = await this.sessions.liveProfileOf(claims.jti, hash);
      if (!profile) throw new AuthFailure(BLACKLISTED);
      return { access: this.tokens.sign('access', claims.userId, claims.sid, profile).token, refresh: refreshToken };
    }

    let next = '';
    const session = await this.sessions.rotate(claims.jti, hash, ({ userId, sessionId, profile }) => {
      const refresh = this.tokens.sign('refresh', userId, sessionId, profile);
      next = refresh.token;
      return stored(refresh);
    });
    if (session) return { access: this.tokens.sign('access', session.userId, session.sessionId, session.profile).token, refresh: next };

    // Not consumable: unknown, expired, revoked, or already used. Reuse of a used token means a
    // copy is in someone else's hands: end the family (RFC 9700 §4.14.2).
    await this.sessions.revokeForReuse(claims.jti, hash);
    throw new AuthFailure(BLACKLISTED);
  }

  /**
   * SimpleJWT's `token/verify/`: any token of ours, access or refresh, whose signature, expiry
   * and session still hold (a refresh token also must not be spent). Throws {@link AuthFailure}.
   */
  async verifyToken(token: string): Promise<void> {
    const legacyType = this.legacy.legacyType(token);
    if (legacyType) {
      await this.legacyCall(() => this.legacy.verify(token, legacyType));
      return;
    }
    const claims = this.verify(token, 'any');
    if (claims.typ === 'access') {
      await this.authenticateClaims(claims).catch(() => {
        throw new AuthFailure(BLACKLISTED);
      });
      return;
    }
    if (!(await this.sessions.isLive(claims.jti, TokensService.hash(token), this.config.jwt.refreshRotation))) throw new AuthFailure(BLACKLISTED);
  }

  /** Revokes the session (token family) of a refresh token. Idempotent. */
  async logout(refreshToken: string): Promise<void> {
    if (this.legacy.isLegacy(refreshToken)) return this.legacyCall(() => this.legacy.revoke(refreshToken));
    const claims = this.verify(refreshToken, 'refresh');
    await this.sessions.revokeForLogout(claims.jti, TokensService.hash(refreshToken));
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
      throw invalidAccessToken((error as Error).message);
    }
    if (!UUID.test(claims.sid as string)) throw invalidAccessToken('Token is invalid or expired');
    const user = await this.users.findIdentity(userId, claims.sid as string);
    // Logged out, reused (the family was revoked) or the account is gone.
    if (!user) throw invalidAccessToken(BLACKLISTED);
    return { id: user.id, username: user.username };
  }

  async authenticateAccessToken(token: string): Promise<AuthenticatedUser> {
    if (this.legacy.isLegacy(token)) return this.authenticateLegacyAccessToken(token);
    let claims: TokenClaims;
    try {
      claims = this.tokens.verify(token, 'access');
    } catch (error) {
      if (error instanceof InvalidTokenError) throw invalidAccessToken(error.message);
      throw error;
    }
    return this.authenticateClaims(claims);
  }

  /** An access token of the original Django system (DJANGO_SECRET_KEY set): REST guard and sockets. */
  async authenticateLegacyAccessToken(token: string): Promise<AuthenticatedUser> {
    try {
      const identity = await this.legacy.verify(token, 'access');
      return { id: identity.userId, username: identity.username };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw invalidAccessToken(error.message);
      throw error;
    }
  }

  /** SimpleJWT's 401 for a refused token of the original, as for ours. */
  private async legacyCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new AuthFailure(error.message);
      throw error;
    }
  }

  private verify(token: string, type: 'access' | 'refresh' | 'any') {
    try {
      return this.tokens.verify(token, type);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new AuthFailure(error.message);
      throw error;
    }
  }
}
