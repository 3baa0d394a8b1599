import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { keepsInt, sourceKey } from '../django-import/values.js';
import { LegacyTokensRepository } from './legacy-tokens.repository.js';
import { hasCriticalHeader, InvalidTokenError, type TokenProfile, type TokenType } from './tokens.service.js';

export interface LegacyIdentity {
  userId: number;
  username: string;
  jti: string;
  exp: number;
  /** The token profile of the original (`accounts` for seed 003, `api` for seed 000): lifetimes of the pair it is exchanged for. */
  profile: TokenProfile;
}

/** Revoking a user's original tokens at once (a logout from one of them): a row keyed by this, not a jti. */
const userMark = (userId: number) => `user:${userId}`;
const CACHE_MS = 30_000;

/**
 * Tokens issued by the original Django system (SimpleJWT: HS256 signed with its SECRET_KEY,
 * claims `token_type`, `user_id`, `jti`, `iat`, `exp`, no issuer or audience), accepted while
 * `DJANGO_SECRET_KEY` is set so that clients stay logged in across the switch:
 * - only tokens issued before the start of the latest finished import (the data they stand for is here);
 * - only for accounts that are still live and active;
 * - a refresh token is spent when exchanged for a Palaver pair (each once, as with rotation), or
 *   when the original had blacklisted it; logging out with one refuses all of that user's
 *   original tokens from then on.
 */
@Injectable()
export class LegacyTokensService implements OnModuleInit {
  private readonly logger = new Logger(LegacyTokensService.name);
  private readonly key: Buffer | null;
  private latest: { at: number; value: { startedAt: number; profile: TokenProfile } | null } | null = null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: LegacyTokensRepository,
    private readonly jwt: JwtService,
  ) {
    this.key = config.djangoSecretKey ? (createSecretKey(Buffer.from(config.djangoSecretKey, 'utf8')) as unknown as Buffer) : null;
  }

  onModuleInit(): void {
    if (this.key) this.logger.warn('DJANGO_SECRET_KEY is set: tokens of the original Django system issued before the last import are accepted. Remove it once they have expired.');
  }

  get enabled(): boolean {
    return this.key !== null;
  }

  /** Whether a token is the original's rather than Palaver's: SimpleJWT's claims without Palaver's issuer. Decoded, not trusted. */
  isLegacy(token: string): boolean {
    return this.legacyType(token) !== null;
  }

  /** The type an original's token claims to be (decoded, not trusted), or null when it is not the original's. */
  legacyType(token: string): TokenType | null {
    if (!this.key || typeof token !== 'string') return null;
    const payload = token.split('.')[1];
    if (!payload) return null;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof claims !== 'object' || claims === null || 'iss' in claims || 'sid' in claims || !('token_type' in claims)) return null;
      return claims.token_type === 'refresh' ? 'refresh' : 'access';
    } catch {
      return null;
    }
  }

  /** Verifies one of the original's tokens of the expected type; throws {@link InvalidTokenError}. */
  async verify(token: string, expected: TokenType): Promise<LegacyIdentity> {
    if (!this.key) throw new InvalidTokenError('Token is invalid or expired');
    let claims: Record<string, unknown>;
    try {
      if (hasCriticalHeader(token)) throw new Error('crit');
      claims = this.jwt.verify<Record<string, unknown>>(token, { secret: this.key, algorithms: ['HS256'], clockTolerance: 5 });
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      throw new InvalidTokenError(expired ? 'Token is expired' : 'Token is invalid or expired');
    }
    if (claims.token_type !== expected) throw new InvalidTokenError('Token has wrong type');
    const { jti, iat, exp } = claims;
    if (typeof jti !== 'string' || !jti || jti.length > 255 || typeof iat !== 'number' || typeof exp !== 'number') throw new InvalidTokenError('Token is invalid or expired');
    const imported = await this.latestImport();
    // Issued after the import began: the account or data it stands for may not be here.
    if (!imported || iat * 1000 > imported.startedAt) throw new InvalidTokenError('Token is invalid or expired');
    const key = sourceKey(claims.user_id);
    if (key === null) throw new InvalidTokenError('Token contained no recognizable user identification');
    const user = await this.repository.account(keepsInt(key) ? key : null, String(key), expected === 'refresh' ? jti : null);
    if (!user) throw new InvalidTokenError('User not found');
    if (user.revoked) throw new InvalidTokenError('Token is blacklisted');
    return { userId: user.id, username: user.username, jti, exp, profile: imported.profile };
  }

  /** Spends a refresh token of the original (exactly once, also under concurrency) and returns whose it was. */
  async exchange(token: string): Promise<LegacyIdentity> {
    const identity = await this.verify(token, 'refresh');
    if (!(await this.repository.spend([{ jti: identity.jti, expiresAt: identity.exp }]))) throw new InvalidTokenError('Token is blacklisted');
    return identity;
  }

  /** A logout with an original refresh token: it and every other original token of the user stop working. */
  async revoke(token: string): Promise<void> {
    const identity = await this.verify(token, 'refresh').catch((error: unknown) => {
      if (error instanceof InvalidTokenError && error.message === 'Token is blacklisted') return null; // idempotent
      throw error;
    });
    if (!identity) return;
    await this.repository.spend([
      { jti: identity.jti, expiresAt: identity.exp },
      { jti: userMark(identity.userId), expiresAt: null },
    ]);
  }

  /** The start of the latest finished import and its layout's token profile (cached for 30 s). */
  private async latestImport(): Promise<{ startedAt: number; profile: TokenProfile } | null> {
    const now = Date.now();
    if (this.latest && now - this.latest.at < CACHE_MS) return this.latest.value;
    const value = await this.repository.latestImport();
    // A missing import is looked up again sooner: one may finish while Palaver runs.
    this.latest = { at: value ? now : now - CACHE_MS + 2_000, value };
    return value;
  }
}
